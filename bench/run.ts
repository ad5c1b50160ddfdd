/**
 * `pnpm bench [--scenario <name>[,<name>]] [--quick] [--full] [--profile]`
 *
 * Runs squadflow's scenarios against real NATS with every squad (and the
 * orchestrator) as its own process, beside floors measured in the same run
 * on the same server; prints tables with ratios to the floors and PASS/MISS
 * per target; writes bench/results/<timestamp>-<scenario>.json.
 */
import { parseArgs } from 'node:util';
import { installCleanupHandlers, runCleanup } from './lib/cleanup.ts';
import { environment, stampNow, writeResult, writeText } from './lib/results.ts';
import { ROW_HEAD, settingsFor, type Figures, type RunContext, type ScenarioResult } from './lib/scenario.ts';
import { checkTargets } from './lib/targets.ts';
import { formatTable, markdownTable } from './lib/table.ts';
import { chain4 } from './scenarios/chain4.ts';
import { fan16 } from './scenarios/fan16.ts';
import { floors } from './scenarios/floors.ts';
import { machine } from './scenarios/machine.ts';
import { parked } from './scenarios/parked.ts';
import { profile } from './scenarios/profile.ts';
import { recovery } from './scenarios/recovery.ts';
import { buildBundles } from '../scripts/build.ts';

const SCENARIOS: Record<string, (ctx: RunContext) => Promise<ScenarioResult>> = {
  floors,
  chain4,
  fan16,
  parked,
  recovery,
  machine,
  profile,
};
const DEFAULT = ['floors', 'chain4', 'fan16', 'parked', 'recovery', 'machine'];
/** Scenarios whose figures are printed as ratios to the floors: the floors run first. */
const NEEDS_FLOORS = new Set(['chain4', 'fan16']);

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`usage: pnpm bench [--scenario ${Object.keys(SCENARIOS).join('|')}] [--quick] [--full] [--profile]\n`);
  process.exit(0);
}
const asked = (values.scenario ?? []).flatMap((s) => s.split(',')).filter(Boolean);
for (const s of asked) {
  if (SCENARIOS[s]) continue;
  process.stderr.write(`unknown scenario "${s}"; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}
const wanted = new Set(asked.length ? asked : values.profile ? [] : DEFAULT);
if (values.profile) wanted.add('profile');
// Floors first: the scenarios after them print ratios to their figures.
if ([...wanted].some((s) => NEEDS_FLOORS.has(s))) wanted.add('floors');
const selected = [...wanted].sort((a, b) => Number(b === 'floors') - Number(a === 'floors'));

installCleanupHandlers();
// The orchestrator runs as deployed: the bundle `pnpm build` makes (see bench/lib/deployment.ts).
await buildBundles();
const settings = settingsFor({ quick: values.quick, full: values.full, profile: values.profile });
const stamp = stampNow();
const command = `pnpm bench ${process.argv.slice(2).join(' ')}`.trim();
const env = await environment();
process.stdout.write(`${command}: ${selected.join(', ')} (${JSON.stringify(env['machine'])})\n`);

const figures: Figures = {};
const floorFigures: Figures = {};
const markdown: string[] = [`# ${command} — ${stamp}\n`];
let failed = 0;
for (const name of selected) {
  const started = Date.now();
  process.stdout.write(`\n== ${name}\n`);
  try {
    const result = await SCENARIOS[name]!({ settings, floors: floorFigures });
    if (name === 'floors') Object.assign(floorFigures, result.figures);
    for (const [k, v] of Object.entries(result.figures)) figures[`${name}.${k}`] = v;
    const seconds = Math.round((Date.now() - started) / 1000);
    process.stdout.write(formatTable(`${name} (${seconds} s)`, ROW_HEAD, result.rows));
    markdown.push(`## ${name}\n\n${markdownTable(ROW_HEAD, result.rows)}\n`);
    const file = writeResult(stamp, name, { command, startedAt: new Date(started).toISOString(), seconds, ...env, ...result });
    process.stdout.write(`-> ${file}\n`);
  } catch (err) {
    failed++;
    process.stderr.write(`scenario ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  }
}

const checks = checkTargets(figures).filter((c) => c.verdict !== 'not run');
if (checks.length) {
  const rows = checks.map((c) => [c.target, c.measured, c.verdict, c.note ?? '']);
  process.stdout.write(formatTable('targets (2-core machine)', ['target', 'measured', 'verdict', 'note'], rows));
  markdown.push(`## targets\n\n${markdownTable(['target', 'measured', 'verdict', 'note'], rows)}\n`);
  writeResult(stamp, 'targets', { command, ...env, figures, targets: checks });
}
process.stdout.write(`-> ${writeText(stamp, 'summary.md', markdown.join('\n'))}\n`);
await runCleanup();
process.exit(failed ? 1 : 0);
