import { appendFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';

/**
 * Hop tracing: where the time of one message's trip goes across processes.
 * With `SQUADFLOW_HOP_TRACE=<path>` set, each process appends lines
 * `<wall-clock ms, µs precision> <pid> <label>` to `<path>.<pid>`: every
 * request sent and answered (JetStream publishes, KV writes), every message
 * a durable consumer delivers and its ack, every socket write, and the
 * orchestrator's phases of an event. Wall-clock times from
 * `performance.timeOrigin` line up across the processes of one machine.
 * `pnpm bench --scenario hops` runs chain4 at 1 in flight with it and prints
 * the time of each hop of a step. Off (the default), each tracepoint costs
 * one test of a constant.
 */
const base = process.env['SQUADFLOW_HOP_TRACE'];

/** Whether this process traces hops (fixed at start-up). Test it before building a label. */
export const HOP_TRACE = base !== undefined && base !== '';

const file = HOP_TRACE ? `${base}.${process.pid}` : '';
let lines: string[] = [];

/** Records one tracepoint (call only when `HOP_TRACE`). */
export function hop(label: string): void {
  lines.push(`${(performance.timeOrigin + performance.now()).toFixed(3)} ${process.pid} ${label}\n`);
  if (lines.length >= 500) flushHops();
}

/** Writes the buffered tracepoints out (also every half second and at exit). */
export function flushHops(): void {
  if (!lines.length) return;
  appendFileSync(file, lines.join(''));
  lines = [];
}

if (HOP_TRACE) {
  setInterval(flushHops, 500).unref();
  process.on('exit', flushHops);
}
