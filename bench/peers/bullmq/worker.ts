/**
 * A BullMQ worker process for the peer: the counterpart of one squad
 * process (bench/processes/noop-squad.ts), answering ~200 B at once.
 * Env: BENCH_REDIS_PORT, BENCH_QUEUE, BENCH_CONCURRENCY (default 256, as the
 * squads'). Prints `ready`; SIGTERM closes the worker and exits.
 */
import { Worker } from 'bullmq';

const port = Number(process.env['BENCH_REDIS_PORT']);
const queue = process.env['BENCH_QUEUE'] ?? '';
const concurrency = Number(process.env['BENCH_CONCURRENCY'] ?? 256);
if (!Number.isInteger(port) || port <= 0 || !queue || !(concurrency > 0)) {
  process.stderr.write(`BENCH_REDIS_PORT, BENCH_QUEUE and BENCH_CONCURRENCY are required; got ${port}, "${queue}", ${concurrency}\n`);
  process.exit(2);
}

const OUTPUT = { ok: true, data: 'o'.repeat(180) };
const worker = new Worker(queue, () => Promise.resolve(OUTPUT), {
  connection: { host: '127.0.0.1', port, maxRetriesPerRequest: null },
  concurrency,
});
worker.on('error', (err) => process.stderr.write(`worker ${queue}: ${err.message}\n`));
await worker.waitUntilReady();
process.stdout.write('ready\n');
process.once('SIGTERM', () => {
  void worker.close().finally(() => process.exit(0));
});
