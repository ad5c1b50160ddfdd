/**
 * The floors, measured in the same run and on the same server as squadflow:
 * (a) core request/reply chain; (b) durable operations awaited one at a time;
 * (c) the same pipelined through one reply subscription. Each squadflow
 * figure is printed as a ratio to one of these.
 */
import { coreChain, startResponders } from '../floors/core.ts';
import { runShape, setupDurable, type Shape } from '../floors/durable.ts';
import { Requester } from '../floors/requester.ts';
import { onCleanup } from '../lib/cleanup.ts';
import { closedLoop, type LoadResult, type RunOne } from '../lib/load.ts';
import { cleanupPrefix, connectRaw, uniquePrefix } from '../lib/nats.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { rawSamples, summarize } from '../lib/stats.ts';
import { readCpuMs, round } from '../lib/rss.ts';
import { serverCpuMs } from '../lib/server-cpu.ts';

export async function floors({ settings }: RunContext): Promise<ScenarioResult> {
  const prefix = uniquePrefix('bench_floor');
  const dropPrefix = onCleanup(`prefix ${prefix}`, () => cleanupPrefix(prefix));
  const nc = await connectRaw(`bench-floors-${prefix}`);
  const closeNc = onCleanup('floors connection', () => nc.close());
  const responders = await startResponders(prefix);
  const requester = new Requester(nc);
  try {
    const durable = await setupDurable(nc, prefix, requester);
    let n = 0;
    const shape = (s: Shape, step: typeof durable.awaited): RunOne => {
      return () => runShape(s, `e${n++}`, step);
    };
    const latencyPlan = { inFlight: 1, warmupCount: settings.latency.warmupCount * 2, count: settings.latency.count * 2 };
    const tput = (inFlight: number) => ({ inFlight, ...settings.throughput });
    // Whole-machine CPU of the pipelined floor (driver, responders, server) per execution, beside squadflow's.
    const metered = (run: RunOne, into: string): RunOne => {
      const wrapped: RunOne = async () => {
        await run();
        runs[into] = (runs[into] ?? 0) + 1;
      };
      return wrapped;
    };
    const runs: Record<string, number> = {};
    const cpuNow = (): number =>
      serverCpuMs() +
      responders.reduce((sum, r) => sum + readCpuMs(r.pid), 0) +
      (process.cpuUsage().user + process.cpuUsage().system) / 1000;
    const cpuOf = async (name: string, run: () => Promise<LoadResult>): Promise<LoadResult> => {
      const before = [cpuNow(), serverCpuMs()];
      const result = await run();
      cpuPerExecution[name] = {
        total: round((cpuNow() - before[0]!) / runs[name]!, 3),
        server: round((serverCpuMs() - before[1]!) / runs[name]!, 3),
      };
      return result;
    };
    const cpuPerExecution: Record<string, { total: number; server: number }> = {};
    const phases: [string, () => Promise<LoadResult>][] = [
      ['a_latency', () => closedLoop(coreChain(nc, prefix), latencyPlan)],
      ['a_tput', () => closedLoop(coreChain(nc, prefix), tput(256))],
      ['b_latency', () => closedLoop(shape('chain4', durable.awaited), latencyPlan)],
      ['b_tput', () => closedLoop(shape('chain4', durable.awaited), tput(256))],
      ['c_tput', () => cpuOf('c_tput', () => closedLoop(metered(shape('chain4', durable.pipelined), 'c_tput'), tput(256)))],
      ['c_fan16_tput', () => cpuOf('c_fan16_tput', () => closedLoop(metered(shape('fan16', durable.pipelined), 'c_fan16_tput'), tput(64)))],
    ];
    const results: Record<string, LoadResult> = {};
    for (const [name, run] of phases) {
      process.stdout.write(`  floors: ${name}...\n`);
      results[name] = await run();
    }
    const lat = (r: LoadResult) => summarize(r.latenciesMs);
    const a = lat(results['a_latency']!);
    const b = lat(results['b_latency']!);
    const figures = {
      a_p50: a.p50,
      a_p99: a.p99,
      a_tput: results['a_tput']!.perSecond,
      b_p50: b.p50,
      b_p99: b.p99,
      b_tput: results['b_tput']!.perSecond,
      c_tput: results['c_tput']!.perSecond,
      c_fan16_tput: results['c_fan16_tput']!.perSecond,
      c_total_ms: cpuPerExecution['c_tput']!.total,
      c_server_ms: cpuPerExecution['c_tput']!.server,
      c_fan16_total_ms: cpuPerExecution['c_fan16_tput']!.total,
      c_fan16_server_ms: cpuPerExecution['c_fan16_tput']!.server,
    };
    return {
      scenario: 'floors',
      figures,
      rows: [
        ['(a) core req/reply ×4, p50 @1', a.p50, 'ms', '', ''],
        ['(a) core req/reply ×4, p99 @1', a.p99, 'ms', '', ''],
        ['(a) core req/reply ×4 @256', figures.a_tput, 'exec/s', '', ''],
        ['(b) durable awaited chain4, p50 @1', b.p50, 'ms', '', ''],
        ['(b) durable awaited chain4, p99 @1', b.p99, 'ms', '', ''],
        ['(b) durable awaited chain4 @256', figures.b_tput, 'exec/s', '', ''],
        ['(c) durable pipelined chain4 @256', figures.c_tput, 'exec/s', '', ''],
        ['(c) durable pipelined fan16 @64', figures.c_fan16_tput, 'exec/s', '', ''],
        ['(c) chain4: all processes CPU per execution', figures.c_total_ms, 'ms', '', ''],
        ['(c) chain4: nats-server CPU per execution', figures.c_server_ms, 'ms', '', ''],
        ['(c) fan16: all processes CPU per execution', figures.c_fan16_total_ms, 'ms', '', ''],
        ['(c) fan16: nats-server CPU per execution', figures.c_fan16_server_ms, 'ms', '', ''],
      ],
      settings: {
        latency: latencyPlan,
        throughput: settings.throughput,
        responders: 4,
        payloads: 'command ~200 B, record ~1 KB, request/reply ~200 B',
      },
      data: Object.fromEntries(
        Object.entries(results).map(([name, r]) => [
          name,
          {
            inFlight: r.inFlight,
            completed: r.completed,
            seconds: r.seconds,
            perSecond: r.perSecond,
            latency: summarize(r.latenciesMs),
            // Raw samples only for the latency phases; throughput phases keep the summary.
            ...(name.endsWith('latency') ? { samplesMs: rawSamples(r.latenciesMs) } : {}),
          },
        ]),
      ),
    };
  } finally {
    requester.close();
    await Promise.all(responders.map((r) => r.stop()));
    await closeNc();
    await dropPrefix();
  }
}
