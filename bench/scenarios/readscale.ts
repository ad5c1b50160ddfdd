/**
 * readscale: what a read costs as executions pile up. Real executions of a
 * one-step workflow (orchestrator and squad processes on NATS) fill the
 * stores to 100, then to 10,000 ended executions; at each size a real
 * gateway answers, over HTTP, `GET /metrics` and the first page of
 * `GET /v1/executions` (unfiltered, `status=completed`, and `workflow=...`),
 * `REPS` times each after a warm-up. The target: the median at 10,000 is at
 * most twice the median at 100 (the reads do not scan what is stored).
 */
import { kvStreamName, silentLogger } from '@squadflow/shared';
import { createGateway } from '@squadflow/gateway';
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

export async function readscale({ settings }: RunContext): Promise<ScenarioResult> {
  const d = await Deployment.start({ label: 'readscale', squads: 1 });
  const gateway = createGateway({
    client: d.client,
    transport: d.transport,
    config: { host: '127.0.0.1', port: 0 },
    logger: silentLogger(),
  });
  try {
    const version = await d.register(workflow);
    await d.startOrchestrator();
    const base = await gateway.listen();
    const reps = settings.quick ? 10 : REPS;
    const medians: Record<string, Record<number, number>> = {};
    const samples: Record<string, number[]> = {};
    const run = d.runner(workflow.name, version, CONTEXT);
    // What the executions cost to store: writes to the records and to the index (purges are not counted: they store nothing).
    const buckets = [d.names.buckets.executions, d.names.buckets.executionIndex, d.names.buckets.executionLog].map(kvStreamName);
    const fill: Record<string, number> = {};
    let stored = 0;
    for (const size of SIZES) {
      process.stdout.write(`  readscale: running executions up to ${size.toLocaleString('en-US')}...\n`);
      const seq0 = await lastSeqs(d.nc, buckets);
      const t0 = performance.now();
      await windowed(size - stored, 256, () => run());
      const seconds = (performance.now() - t0) / 1000;
      const seq1 = await lastSeqs(d.nc, buckets);
      const [records, index, logs] = buckets.map((b) => (seq1[b]! - seq0[b]!) / (size - stored));
      fill[`fill_${size}_per_s`] = round((size - stored) / seconds, 0);
      fill[`record_writes_per_exec`] = round(records!, 2);
      fill[`index_writes_per_exec`] = round(index! + logs!, 2);
      process.stdout.write(`  readscale: ${size - stored} executions in ${round(seconds, 1)} s\n`);
      stored = size;
      // Steady state, not catch-up: the gateway (in this process) follows the lifecycle stream, and right after
      // the fill it may still be counting the last thousands of events; the orchestrator forgets the last index
      // keys after the records' writes. Also checks the counter and the gauge.
      await until(
        `the gateway counted ${size} completions and none is in flight`,
        async () => {
          const text = await (await fetch(`${base}/metrics`)).text();
          return endedCount(text) === size && sampled(text, 'squadflow_executions_active') === 0;
        },
        60_000,
        50,
      );
      for (const [label, path] of READS) {
        const times = await timeReads(base + path, reps, label === 'metrics' ? undefined : size);
        samples[`${label}_${size}`] = times.map((t) => round(t, 2));
        (medians[label] ??= {})[size] = percentile(
          [...times].sort((a, b) => a - b),
          50,
        );
      }
    }
    const figures: Record<string, number> = { ...fill };
    const rows: Array<Array<string | number>> = [
      [`filling to ${SIZES[1].toLocaleString('en-US')} (256 in flight)`, fill[`fill_${SIZES[1]}_per_s`]!, 'exec/s', '', ''],
      ['KV writes per execution: records', fill['record_writes_per_exec']!, '', '', ''],
      ['KV writes per execution: listing index and creation logs', fill['index_writes_per_exec']!, '', '', ''],
    ];
    const [small, large] = SIZES;
    for (const [label, path] of READS) {
      const m = medians[label]!;
      const ratio = m[large]! / m[small]!;
      figures[`${label}_${small}_ms`] = round(m[small]!, 2);
      figures[`${label}_${large}_ms`] = round(m[large]!, 2);
      figures[`${label}_ratio`] = round(ratio, 2);
      rows.push([`GET ${path} median @${small}`, round(m[small]!, 2), 'ms', '', '']);
      rows.push([
        `GET ${path} median @${large} (${ratio <= READSCALE_MAX_RATIO ? 'PASS' : 'MISS'} ≤ ${READSCALE_MAX_RATIO}×)`,
        round(m[large]!, 2),
        'ms',
        `@${small}`,
        `${round(ratio, 2)}×`,
      ]);
    }
    return {
      scenario: 'readscale',
      figures,
      rows,
      settings: { sizes: [...SIZES], warmup: WARMUP, reps, pageLimit: 100, squads: 1 },
      data: { samplesMs: samples },
    };
  } finally {
    await gateway.close();
    await d.close();
  }
}

/**
 * Times `reps` GETs of `url` one after another (after `WARMUP` untimed ones);
 * with `expectAtLeast`, checks a page came back full, so a read that answers
 * fast because it lists nothing does not pass.
 */
async function timeReads(url: string, reps: number, expectAtLeast?: number): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < WARMUP + reps; i++) {
    const t0 = performance.now();
    const res = await fetch(url);
    const body = await res.text();
    const ms = performance.now() - t0;
    if (res.status !== 200) throw new Error(`GET ${url}: ${res.status} ${body.slice(0, 200)}`);
    if (expectAtLeast !== undefined) {
      const listed = (JSON.parse(body) as { executions: unknown[] }).executions.length;
      if (listed < Math.min(100, expectAtLeast)) throw new Error(`GET ${url}: ${listed} executions listed, expected a full page`);
    }
    if (i >= WARMUP) times.push(ms);
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
