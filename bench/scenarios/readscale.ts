/**
 * readscale: what a read costs as executions pile up. Two deployments side
 * by side (each its own prefix, orchestrator and squad processes on NATS,
 * and a real gateway in this process): real executions of a one-step
 * workflow fill one to 100 and the other to 10,000 ended executions. Then
 * `GET /metrics` and the first page of `GET /v1/executions` (unfiltered,
 * `status=completed`, `workflow=...`) are timed over HTTP on both, one
 * request to each in turn, `REPS` times after a warm-up: both sizes see
 * the same load of the (shared, 2-core) machine, so the ratio measures
 * the size, not the moment. The target: the median at 10,000 is at most
 * twice the median at 100 (the reads do not scan what is stored).
 */
import { kvStreamName, silentLogger } from '@squadflow/shared';
import { createGateway, type Gateway } from '@squadflow/gateway';
import { Deployment } from '../lib/deployment.ts';
import { until, windowed } from '../lib/load.ts';
import { lastSeqs } from '../lib/nats.ts';
import { round } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { percentile } from '../lib/stats.ts';
import { CONTEXT, readscale as workflow } from '../lib/workflows.ts';

const SIZES = [100, 10_000] as const;
const WARMUP = 5;
const REPS = 25;
/** The ratio (10,000 / 100, medians) at or under which a read passes. */
export const READSCALE_MAX_RATIO = 2;

/** The reads timed at each size: label and path. */
const READS: Array<[string, string]> = [
  ['metrics', '/metrics'],
  ['page', '/v1/executions?limit=100'],
  ['page_completed', '/v1/executions?limit=100&status=completed'],
  ['page_workflow', `/v1/executions?limit=100&workflow=${workflow.name}`],
];

/** One deployment filled to `size`, with its gateway's base URL. */
interface Filled {
  size: number;
  base: string;
  perSecond: number;
  recordWrites: number;
  indexWrites: number;
}

export async function readscale({ settings }: RunContext): Promise<ScenarioResult> {
  const deployments: Deployment[] = [];
  const gateways: Gateway[] = [];
  try {
    const filled: Filled[] = [];
    // The large one first: its fill is the long part, and the small one is then filled on a machine as warm.
    for (const size of [...SIZES].reverse()) {
      const d = await Deployment.start({ label: `readscale${size}`, squads: 1 });
      deployments.push(d);
      const gateway = createGateway({
        client: d.client,
        transport: d.transport,
        config: { host: '127.0.0.1', port: 0 },
        logger: silentLogger(),
      });
      gateways.push(gateway);
      filled.unshift(await fill(d, await gateway.listen(), size));
    }
    const reps = settings.quick ? 10 : REPS;
    const [small, large] = filled as [Filled, Filled];
    const figures: Record<string, number> = {
      [`fill_${large.size}_per_s`]: large.perSecond,
      record_writes_per_exec: large.recordWrites,
      index_writes_per_exec: large.indexWrites,
    };
    const rows: Array<Array<string | number>> = [
      [`filling to ${large.size.toLocaleString('en-US')} (256 in flight)`, large.perSecond, 'exec/s', '', ''],
      ['KV writes per execution: records', large.recordWrites, '', '', ''],
      ['KV writes per execution: listing index and creation logs', large.indexWrites, '', '', ''],
    ];
    const samples: Record<string, number[]> = {};
    for (const [label, path] of READS) {
      const times = await timeSideBySide(
        filled.map((f) => f.base + path),
        reps,
        label === 'metrics' ? undefined : filled.map((f) => f.size),
      );
      const [m100, m10k] = times.map((t) =>
        percentile(
          [...t].sort((a, b) => a - b),
          50,
        ),
      ) as [number, number];
      samples[`${label}_${small.size}`] = times[0]!.map((t) => round(t, 2));
      samples[`${label}_${large.size}`] = times[1]!.map((t) => round(t, 2));
      const ratio = m10k / m100;
      figures[`${label}_${small.size}_ms`] = round(m100, 2);
      figures[`${label}_${large.size}_ms`] = round(m10k, 2);
      figures[`${label}_ratio`] = round(ratio, 2);
      rows.push([`GET ${path} median @${small.size}`, round(m100, 2), 'ms', '', '']);
      rows.push([
        `GET ${path} median @${large.size} (${ratio <= READSCALE_MAX_RATIO ? 'PASS' : 'MISS'} ≤ ${READSCALE_MAX_RATIO}×)`,
        round(m10k, 2),
        'ms',
        `@${small.size}`,
        `${round(ratio, 2)}×`,
      ]);
    }
    return {
      scenario: 'readscale',
      figures,
      rows,
      settings: { sizes: [...SIZES], warmup: WARMUP, reps, pageLimit: 100, squads: 1, interleaved: true },
      data: { samplesMs: samples },
    };
  } finally {
    for (const g of gateways) await g.close();
    for (const d of deployments) await d.close();
  }
}

/**
 * Runs `size` executions on `d` (256 in flight), counting the KV writes to
 * the records and to the index, then waits for the steady state: its
 * gateway counted every completion from the lifecycle stream (it may still
 * be catching up right after the fill; this also checks the counter) and
 * none is in flight (the orchestrator's last index forgets are done).
 */
async function fill(d: Deployment, base: string, size: number): Promise<Filled> {
  const version = await d.register(workflow);
  await d.startOrchestrator();
  const run = d.runner(workflow.name, version, CONTEXT);
  // Purges are not counted: they store nothing.
  const buckets = [d.names.buckets.executions, d.names.buckets.executionIndex, d.names.buckets.executionLog].map(kvStreamName);
  process.stdout.write(`  readscale: running ${size.toLocaleString('en-US')} executions...\n`);
  const seq0 = await lastSeqs(d.nc, buckets);
  const t0 = performance.now();
  await windowed(size, 256, () => run());
  const seconds = (performance.now() - t0) / 1000;
  const seq1 = await lastSeqs(d.nc, buckets);
  const [records, index, logs] = buckets.map((b) => (seq1[b]! - seq0[b]!) / size) as [number, number, number];
  process.stdout.write(`  readscale: ${size} executions in ${round(seconds, 1)} s\n`);
  await until(
    `the gateway counted ${size} completions and none is in flight`,
    async () => {
      const text = await (await fetch(`${base}/metrics`)).text();
      return endedCount(text) === size && sampled(text, 'squadflow_executions_active') === 0;
    },
    60_000,
    50,
  );
  return { size, base, perSecond: round(size / seconds, 0), recordWrites: round(records, 2), indexWrites: round(index + logs, 2) };
}

/**
 * Times GETs of each of `urls` in turn, `reps` rounds after `WARMUP`
 * untimed ones (which one goes first alternates); with `expectAtLeast`,
 * checks each page came back full, so a read that answers fast because it
 * lists nothing does not pass. Returns the times per URL.
 */
async function timeSideBySide(urls: string[], reps: number, expectAtLeast?: number[]): Promise<number[][]> {
  const times: number[][] = urls.map(() => []);
  for (let i = 0; i < WARMUP + reps; i++) {
    const order = i % 2 ? [...urls.keys()].reverse() : [...urls.keys()];
    for (const u of order) {
      const url = urls[u]!;
      const t0 = performance.now();
      const res = await fetch(url);
      const body = await res.text();
      const ms = performance.now() - t0;
      if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 200)}`);
      const want = expectAtLeast?.[u];
      if (want !== undefined) {
        const listed = (JSON.parse(body) as { executions: unknown[] }).executions.length;
        if (listed < Math.min(100, want)) throw new Error(`GET ${url}: ${listed} executions listed, expected a full page`);
      }
      if (i >= WARMUP) times[u]!.push(ms);
    }
  }
  return times;
}

/** `squadflow_executions_ended_total` of the bench workflow, completed (0 before the first). */
function endedCount(text: string): number {
  return sampled(text, `squadflow_executions_ended_total{workflow="${workflow.name}",status="completed"}`) ?? 0;
}

/** The value of one series of a Prometheus text, by its name and labels as written. */
function sampled(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
