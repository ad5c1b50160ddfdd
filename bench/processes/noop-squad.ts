/**
 * A squad process for the benchmarks (`startSquad` on real NATS).
 * Actions:
 * - `noop`: returns ~200 B at once.
 * - `hold`: parks until the bench publishes on `<prefix>.bench.release`, so
 *   the recovery scenario can kill the orchestrator with every step mid-flight.
 * A request on `<prefix>.bench.held.<squad>` answers `{ held, released }`.
 * Env: SQUADFLOW_NATS_URL, SQUADFLOW_PREFIX, SQUAD_NAME, SQUAD_CONCURRENCY
 * (default 256: at the bench's in-flight counts the squad must not be the limit),
 * SQUADFLOW_LOG_LEVEL (default warn), BENCH_SQUAD_DELIVERY (`at-most-once`, the default, or
 * `at-least-once`: no idempotency record per command, as BullMQ's jobs, so the like-for-like
 * figure beside the peers). Prints `ready`; SIGTERM stops gracefully.
 */
import { connectNatsTransport, natsConnectionOf } from '@squadflow/transport';
import { createLogger } from '@squadflow/shared';
import { defineSquad, startSquad, type ActionContext, type Delivery } from '@squadflow/squads';
import { natsUrl } from '../lib/nats.ts';

const prefix = process.env['SQUADFLOW_PREFIX'] ?? 'sqf';
const squad = process.env['SQUAD_NAME'] ?? 's0';
const concurrency = Number(process.env['SQUAD_CONCURRENCY'] ?? 256);
const delivery = (process.env['BENCH_SQUAD_DELIVERY'] || 'at-most-once') as Delivery; // defineSquad checks it
const logger = createLogger({ level: process.env['SQUADFLOW_LOG_LEVEL'] ?? 'warn', base: { pid: process.pid } });

const OUTPUT = { ok: true, data: 'o'.repeat(180) };
let held = 0;
let released = 0;
let release!: () => void;
const releasedAll = new Promise<void>((resolve) => (release = resolve));

const actions = {
  noop: () => OUTPUT,
  hold: async (_input: unknown, ctx: ActionContext) => {
    held++;
    await Promise.race([
      releasedAll,
      new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true })),
    ]);
    released++;
    return OUTPUT;
  },
};

const transport = await connectNatsTransport({ servers: natsUrl(), name: `bench-squad-${squad}-${process.pid}`, logger });
// A short grace: a bench squad never has work worth waiting for at shutdown.
const running = await startSquad({
  definition: defineSquad({ name: squad, delivery, actions }),
  transport,
  prefix,
  concurrency,
  logger,
  shutdownGraceMs: 1_000,
});
const nc = natsConnectionOf(transport)!;
nc.subscribe(`${prefix}.bench.release`, { callback: () => release() });
nc.subscribe(`${prefix}.bench.held.${squad}`, {
  callback: (_err, msg) => {
    msg.respond(new TextEncoder().encode(JSON.stringify({ held, released })));
  },
});
await nc.flush();

let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  void (async () => {
    await running.stop();
    await transport.close();
    process.exit(0);
  })().catch(() => process.exit(1));
});
process.stdout.write('ready\n');
