/**
 * How compiling a definition scales with its steps, in this process: the
 * phases measured separately, for definitions of several shapes and sizes.
 * Used by the `compile` scenario (`pnpm bench --scenario compile`) and by
 * `node --import tsx bench/compile.ts` (no NATS; add `--cpu-prof` to profile).
 */
import { performance } from 'node:perf_hooks';
import { compileWorkflow, type CompiledWorkflow } from '@squadflow/engine';
import { validateDefinition } from '@squadflow/shared';

/** The shapes: how the steps depend on each other. Each step maps one field of the context, as real steps do. */
const step = (i: number, dependsOn: string[]) => ({
  name: `step_${i}`,
  squad: `squad_${i % 4}`,
  action: 'process',
  input: { order: 'order_id', previous: dependsOn.length === 1 ? `$steps.${dependsOn[0]}.id` : 'order_id' },
  ...(dependsOn.length ? { dependsOn } : {}),
});
const ids = (n: number) => Array.from({ length: n }, (_, i) => i);

export const SHAPES = {
  /** Each step after the one before. */
  chain: (n: number) => ids(n).map((i) => step(i, i ? [`step_${i - 1}`] : [])),
  /** Independent steps: all start at once. */
  wide: (n: number) => ids(n).map((i) => step(i, [])),
  /** Independent steps, then one after all of them. */
  fanIn: (n: number) => [
    ...ids(n - 1).map((i) => step(i, [])),
    step(
      n - 1,
      ids(n - 1).map((i) => `step_${i}`),
    ),
  ],
} satisfies Record<string, (n: number) => unknown[]>;
export type Shape = keyof typeof SHAPES;

export interface CompilePhases {
  shape: Shape;
  steps: number;
  bytes: number;
  /** `validateDefinition`: zod, then the meaning checks (dependencies, cycles, expressions). */
  validateMs: number;
  /** `compileWorkflow`: validation, plan, the machine, the runner. */
  compileMs: number;
  /** Of which XState's `createMachine` (measured as `machine.provide({})`, which builds the same machine again). */
  createMachineMs: number;
  /** The first snapshot of an execution (`runner.initial`): every region entered. */
  initialMs: number;
  /** The first step's reply (after its input was evaluated). */
  firstEventMs: number;
}

/** The best of `rounds` runs of `fn` (the least disturbed by other work on the machine), in ms. */
function best<T>(rounds: number, fn: () => T): { ms: number; value: T } {
  let ms = Infinity;
  let value!: T;
  for (let i = 0; i < rounds; i++) {
    const start = performance.now();
    value = fn();
    ms = Math.min(ms, performance.now() - start);
  }
  return { ms, value };
}

export function measureCompile(shape: Shape, steps: number, rounds: number): CompilePhases {
  const definition = { name: `compile_${shape}_${steps}`, steps: SHAPES[shape](steps) };
  const validateMs = best(rounds, () => validateDefinition(definition)).ms;
  const compiled = best(rounds, () => compileWorkflow(definition, 1));
  const workflow: CompiledWorkflow = compiled.value;
  const createMachineMs = best(rounds, () => workflow.machine.provide({})).ms;
  const input = { executionId: 'ex', workflow: definition.name, version: 1, input: { order_id: 'o1' }, at: 1 };
  const initial = best(rounds, () => workflow.runner.initial(input));
  // The first step's input evaluated (it is dispatched), then its reply (the steps after it become ready).
  const fresh = (s: typeof initial.value) => ({ ...s, context: { ...s.context, outbox: [], now: s.context.now + 1 } });
  const running = workflow.runner.transition(fresh(initial.value), { type: 'eval.step_0', run: true, input: { order: 'o1' } });
  const reply = { type: 'reply.step_0', attempt: 1, ok: true, output: { id: 'x' } } as const;
  const firstEventMs = best(rounds, () => workflow.runner.transition(fresh(running), reply)).ms;
  return {
    shape,
    steps,
    bytes: Buffer.byteLength(JSON.stringify(definition)),
    validateMs,
    compileMs: compiled.ms,
    createMachineMs,
    initialMs: initial.ms,
    firstEventMs,
  };
}

/** Every shape at every size, smallest first (the first of each shape is the reference of the ratios). */
export function measureAll(sizes: number[], rounds: number, shapes: Shape[] = Object.keys(SHAPES) as Shape[]): CompilePhases[] {
  // Warm-up: the JIT (the first events of a large machine run cold code for ~100 ms), and lazy initialisation.
  for (const shape of shapes) measureCompile(shape, 200, 5);
  return shapes.flatMap((shape) => sizes.map((n) => measureCompile(shape, n, rounds)));
}

/** Compile time per step as a multiple of that of the smallest size of the same shape: 1.0 everywhere is linear. */
export function perStepRatio(all: CompilePhases[], row: CompilePhases): number {
  const reference = all.find((r) => r.shape === row.shape)!;
  return row.compileMs / row.steps / (reference.compileMs / reference.steps);
}

export const TABLE_HEAD = [
  'shape',
  'steps',
  'KB',
  'validate ms',
  'compile ms',
  'createMachine ms',
  'initial ms',
  '1st event ms',
  'µs/step',
  '× 100-step',
];

export function tableRows(all: CompilePhases[]): Array<Array<string | number>> {
  return all.map((r) => [
    r.shape,
    r.steps,
    Math.round(r.bytes / 1024),
    r.validateMs,
    r.compileMs,
    r.createMachineMs,
    r.initialMs,
    r.firstEventMs,
    Math.round((1000 * r.compileMs) / r.steps),
    `${perStepRatio(all, r).toFixed(2)}×`,
  ]);
}
