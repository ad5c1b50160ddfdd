/**
 * `node --import tsx bench/compile.ts [--sizes 100,200,400,800,1000] [--shapes chain,wide,fanIn] [--rounds 3]`
 *
 * Compile time by phase and number of steps, in this process (no NATS, no
 * bundles): the `compile` scenario of `pnpm bench` without the rest. Run it
 * under `node --cpu-prof` to see where the time goes.
 */
import { parseArgs } from 'node:util';
import { measureAll, SHAPES, tableRows, TABLE_HEAD, type Shape } from './lib/compile-scaling.ts';
import { formatTable } from './lib/table.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,200,400,800,1000' },
    shapes: { type: 'string', default: Object.keys(SHAPES).join(',') },
    rounds: { type: 'string', default: '3' },
  },
});
const sizes = values.sizes.split(',').map(Number);
const shapes = values.shapes.split(',') as Shape[];
for (const shape of shapes) if (!(shape in SHAPES)) throw new Error(`unknown shape "${shape}"; known: ${Object.keys(SHAPES).join(', ')}`);
const all = measureAll(sizes, Number(values.rounds), shapes);
process.stdout.write(formatTable('compile, by phase and steps (best of rounds)', TABLE_HEAD, tableRows(all)));
