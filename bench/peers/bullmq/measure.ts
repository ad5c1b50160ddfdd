/**
 * The BullMQ peer, measured on the same shapes and in-flight levels as
 * squadflow's chain4 (1 in flight for latency, 256 for throughput) and
 * fan16 (64): its own Redis server (AOF every second), four worker
 * processes, and this process adding flows as squadflow's bench driver
 * starts executions.
 */
import { fileURLToPath } from 'node:url';
import { closedLoop, type LoadResult, type RunOne } from '../../lib/load.ts';
import { spawnNode, type Child } from '../../lib/processes.ts';
import { readCpuMs, round } from '../../lib/rss.ts';
import type { Settings } from '../../lib/scenario.ts';
import { summarize, type LatencySummary } from '../../lib/stats.ts';
import { FlowRunner, QUEUES } from './flows.ts';
import { findRedisServer, redisVersion, startRedis, type RedisServer } from './redis.ts';

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export interface PeerFigures {
  chain4Latency: LatencySummary;
  chain4Tput: LoadResult;
  fan16Tput: LoadResult;
  /** CPU per execution of every process (Redis, workers, driver), ms. */
  chain4CpuMs: number;
  fan16CpuMs: number;
  redisVersion: string;
}

export type PeerOutcome = { ran: true; figures: PeerFigures } | { ran: false; skipped: string };

export async function measureBullmq(settings: Settings): Promise<PeerOutcome> {
  const binary = findRedisServer();
  if (!binary) return { ran: false, skipped: 'redis-server is not on PATH (install Redis to measure the BullMQ peer)' };
  let redis: RedisServer | undefined;
  const workers: Child[] = [];
  let runner: FlowRunner | undefined;
  try {
    redis = await startRedis(binary);
    const port = redis.port;
    for (const queue of QUEUES) {
      workers.push(
        await spawnNode(WORKER, {
          label: `bullmq ${queue}`,
          env: { BENCH_REDIS_PORT: String(port), BENCH_QUEUE: queue, BENCH_CONCURRENCY: '256' },
        }),
      );
    }
    runner = await FlowRunner.open(port);
    const flows = runner;
    const pids = [redis.pid, ...workers.map((w) => w.pid)];
    const cpuNow = (): number =>
      pids.reduce((sum, pid) => sum + readCpuMs(pid), 0) + (process.cpuUsage().user + process.cpuUsage().system) / 1000;
    const metered = async (run: RunOne, plan: Parameters<typeof closedLoop>[1]): Promise<[LoadResult, number]> => {
      const [c0, n0] = [cpuNow(), flows.completed];
      const result = await closedLoop(run, plan);
      return [result, round((cpuNow() - c0) / (flows.completed - n0), 3)];
    };

    process.stdout.write('  bullmq: chain4 latency at 1 in flight...\n');
    const latency = await closedLoop(flows.runner('chain4'), { inFlight: 1, ...settings.latency });
    process.stdout.write('  bullmq: chain4 throughput at 256 in flight...\n');
    const [chain4Tput, chain4CpuMs] = await metered(flows.runner('chain4'), { inFlight: 256, ...settings.throughput });
    process.stdout.write('  bullmq: fan16 throughput at 64 in flight...\n');
    const [fan16Tput, fan16CpuMs] = await metered(flows.runner('fan16'), { inFlight: 64, ...settings.throughput });
    return {
      ran: true,
      figures: {
        chain4Latency: summarize(latency.latenciesMs),
        chain4Tput,
        fan16Tput,
        chain4CpuMs,
        fan16CpuMs,
        redisVersion: redisVersion(binary),
      },
    };
  } finally {
    await runner?.close();
    await Promise.all(workers.map((w) => w.stop()));
    await redis?.stop();
  }
}
