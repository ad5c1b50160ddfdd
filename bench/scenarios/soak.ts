/**
 * soak (reliability matrix I1): mixed load at a steady rate (default 20
 * executions/s for 10 minutes; `--duration`, `--rate`) against the
 * orchestrator bundle and two fixture squad processes on NATS. The mix is in
 * soak-workload.ts. Every few seconds a sample (soak-sampler.ts); a forced GC
 * in the orchestrator at the end of the warm-up (half the run, at most 5
 * minutes), at the end of the load and after the drain. Afterwards the
 * history checker of the fault tests (test/reliability) reads the run:
 * accepted vs ended, lost, stuck, duplicate effects, order, early timers.
 *
 * Figures: RSS slope after the warm-up (least squares, MB per 10 min,
 * starting 30 s after the mark's forced GC), heap after forced GC at the mark
 * and at the end, event-loop lag p50/p99/max from the mark to the end of the
 * load (and the worst sample interval's p99), consumer pending/ack-pending
 * over time, KV bucket sizes over time. Samples and probe lines go to
 * bench/results/<stamp>-soak/ (samples.csv to plot).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTerminal } from '@squadflow/shared';
import { readInvocations } from '@squadflow/transport/testing';
import { checkHistory, formatReport, type CheckReport } from '../../test/reliability/checker.ts';
import { HistoryRecorder } from '../../test/reliability/recorder.ts';
import { onCleanup } from '../lib/cleanup.ts';
import { Deployment } from '../lib/deployment.ts';
import { RESULTS_DIR } from '../lib/results.ts';
import { round } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import type { Cell } from '../lib/table.ts';
import { PROBE_NODE_ARGS, ProbeReader, type GcLine } from '../lib/soak-probe.ts';
import { SoakSampler, type SoakSample } from '../lib/soak-sampler.ts';
import { SOAK_KINDS, SOAK_SHAPE, SOAK_SQUAD_SCRIPT, SOAK_SQUADS, contextOf, kindOf } from '../lib/soak-workload.ts';
import { slope } from '../lib/stats.ts';

const dec = new TextDecoder();
/** After the load, how long every accepted execution may take to end (a signal wait and a delay are the longest steps). */
const SETTLE_MS = 180_000;
const TRIGGER_TRIES = 10;

export async function soak({ settings, stamp }: RunContext): Promise<ScenarioResult> {
  const { durationMs, rate } = settings.soak;
  const warmupMs = Math.min(300_000, durationMs / 2);
  const sampleMs = Math.max(1_000, Math.min(5_000, Math.round(durationMs / 30)));
  const dir = mkdtempSync(join(tmpdir(), 'squadflow-soak-'));
  onCleanup('soak ledger', () => rmSync(dir, { recursive: true, force: true }));
  const ledger = join(dir, 'invocations.jsonl');
  const d = await Deployment.start({
    label: 'soak',
    squadConcurrency: 64,
    squadProcess: { script: SOAK_SQUAD_SCRIPT, names: SOAK_SQUADS, env: { INVOCATION_LOG: ledger } },
  });
  try {
    for (const kind of SOAK_KINDS) await d.register(kind.definition);
    const probe = new ProbeReader();
    const orchestrator = await d.startOrchestrator(PROBE_NODE_ARGS, { env: { SOAK_PROBE_MS: String(sampleMs) }, onLine: probe.onLine });
    const recorder = HistoryRecorder.start({
      prefix: d.prefix,
      transport: d.transport,
      client: d.client,
      invocations: () => readInvocations(ledger),
    });
    const sampler = new SoakSampler(d.nc, d.prefix, SOAK_SQUADS, probe);

    let ended = 0;
    const endSub = d.nc.subscribe(d.names.lifecycleFilter(), {
      callback: (_err, msg) => {
        const type = (JSON.parse(dec.decode(msg.data)) as { type: string }).type;
        if (type.startsWith('execution.') && isTerminal(type.slice('execution.'.length))) ended++;
      },
    });

    // The load: trigger i is due at t0 + i / rate, whatever the previous ones are doing (open loop).
    const total = Math.round((durationMs / 1000) * rate);
    process.stdout.write(
      `  soak: ${total.toLocaleString('en-US')} executions at ${rate}/s for ${durationMs / 1000} s; warm-up ${warmupMs / 1000} s, a sample every ${sampleMs / 1000} s\n`,
    );
    const t0 = performance.now();
    const expected = { completed: 0, compensated: 0 };
    let accepted = 0;
    let triggerErrors = 0;
    let signalErrors = 0;
    const inFlight = new Set<Promise<void>>();
    const samples: SoakSample[] = [];
    const gc: Record<string, GcLine> = {};
    let phase: SoakSample['phase'] = 'warmup';
    let sampleRunning: Promise<void> | undefined;
    const takeSample = (): Promise<void> =>
      (sampleRunning ??= sampler
        .sample(orchestrator.pid, { t: round((performance.now() - t0) / 1000, 1), phase, accepted, ended })
        .then((s) => void samples.push(s))
        .catch((err: unknown) => void process.stderr.write(`soak: sample failed: ${String(err)}\n`))
        .finally(() => (sampleRunning = undefined)));
    const sampling = setInterval(() => void takeSample(), sampleMs);
    const progress = setInterval(() => {
      const s = samples.at(-1);
      if (s)
        process.stdout.write(
          `  soak: ${s.t} s ${s.phase}: accepted ${s.accepted}, ended ${s.ended}, RSS ${s.rssMb} MB, heap ${s.heapUsedMb} MB, lag p99 ${s.lagP99Ms} ms\n`,
        );
    }, 30_000);

    const trigger = async (i: number): Promise<void> => {
      const kind = kindOf(i);
      let id: string | undefined;
      for (let tries = 1; !id; tries++) {
        try {
          id = await d.client.trigger(kind.definition.name, contextOf(i), { idempotencyKey: `soak-${i}` });
        } catch (err) {
          triggerErrors++;
          if (tries >= TRIGGER_TRIES) throw err;
        }
      }
      recorder.accepted(id);
      accepted++;
      expected[kind.ends]++;
      if (kind.signalAfterMs === undefined) return;
      await new Promise((resolve) => setTimeout(resolve, kind.signalAfterMs));
      await d.client.signal(`soak_${id}`, { ok: true }, { signalId: `soak-signal-${i}` }).catch(() => void signalErrors++);
    };

    let markDone = false;
    for (let i = 0; i < total; i++) {
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      if (!markDone && performance.now() - t0 >= warmupMs) {
        markDone = true;
        phase = 'measured';
        void probe.forceGc(orchestrator.pid).then((line) => (gc['mark'] = line));
      }
      const p = trigger(i).catch((err: unknown) => void process.stderr.write(`soak: trigger ${i} not accepted: ${String(err)}\n`));
      inFlight.add(p);
      void p.finally(() => inFlight.delete(p));
    }
    const loadS = (performance.now() - t0) / 1000;
    await takeSample();
    gc['end'] = await probe.forceGc(orchestrator.pid);
    phase = 'drain';
    await Promise.all(inFlight);
    process.stdout.write(`  soak: load done after ${round(loadS, 1)} s (${accepted} accepted); waiting for every execution to end...\n`);
    const history = await recorder.finish(SETTLE_MS);
    const drainS = (performance.now() - t0) / 1000 - loadS;
    await takeSample();
    gc['drained'] = await probe.forceGc(orchestrator.pid);
    clearInterval(sampling);
    clearInterval(progress);
    await sampleRunning;
    endSub.unsubscribe();

    const report = checkHistory(history, { shape: SOAK_SHAPE, commandsObserved: true });
    process.stdout.write(`  ${formatReport('I1 soak', report)}\n`);
    return summarize({
      stamp,
      durationMs,
      rate,
      warmupMs,
      sampleMs,
      samples,
      gc,
      report,
      expected,
      triggerErrors,
      signalErrors,
      probe,
      drainS,
    });
  } finally {
    await d.close();
  }
}

interface Run {
  stamp: string;
  durationMs: number;
  rate: number;
  warmupMs: number;
  sampleMs: number;
  samples: SoakSample[];
  gc: Record<string, GcLine>;
  report: CheckReport;
  expected: { completed: number; compensated: number };
  triggerErrors: number;
  signalErrors: number;
  probe: ProbeReader;
  drainS: number;
}

/** After the mark's forced GC the heap refills for a while: the RSS regression starts this much later (at most a quarter of the measured part). */
const REFILL_MS = 30_000;

function summarize(r: Run): ScenarioResult {
  const measured = r.samples.filter((s) => s.phase === 'measured');
  const measuredS = (measured.at(-1)?.t ?? 0) - (measured[0]?.t ?? 0);
  const fromS = (measured[0]?.t ?? 0) + Math.min(REFILL_MS / 1000, measuredS / 4);
  const regressed = measured.filter((s) => s.t >= fromS);
  const xsMin = regressed.map((s) => s.t / 60);
  const rssSlope =
    slope(
      xsMin,
      regressed.map((s) => s.rssMb),
    ) * 10;
  const heapSlope =
    slope(
      xsMin,
      regressed.map((s) => s.heapUsedMb),
    ) * 10;
  const worstInterval = Math.max(...measured.map((s) => s.lagP99Ms));
  const lag = r.gc['end']?.lagSinceMark;
  const lagTotal = r.gc['drained']?.lagTotal;
  const heapMark = r.gc['mark']?.heapUsedMb ?? NaN;
  const heapEnd = r.gc['end']?.heapUsedMb ?? NaN;
  const heapChange = (heapEnd - heapMark) / heapMark;
  const kvStreams = (s: SoakSample | undefined): [string, { bytes: number; messages: number }][] =>
    Object.entries(s?.streams ?? {}).filter(([name]) => name.startsWith('KV_'));
  const kv = (s: SoakSample | undefined): { bytes: number; messages: number } =>
    kvStreams(s).reduce((acc, [, v]) => ({ bytes: acc.bytes + v.bytes, messages: acc.messages + v.messages }), { bytes: 0, messages: 0 });
  const pendingOf = (s: SoakSample | undefined): number =>
    Object.values(s?.consumers ?? {}).reduce((sum, c) => sum + c.ackPending + c.pending, 0);
  const first = measured[0];
  const last = measured.at(-1);
  const maxPending = Math.max(...measured.map(pendingOf));
  const endedMismatch =
    Math.abs((r.report.ended['completed'] ?? 0) - r.expected.completed) +
    Math.abs((r.report.ended['compensated'] ?? 0) - r.expected.compensated);
  const c = r.report.counts;
  const mb = (bytes: number): number => round(bytes / 2 ** 20, 2);
  const bucket = (name: string): string => name.replace(/^KV_.*?_([a-z]+)$/, '$1');
  const firstKv = new Map(kvStreams(first));
  const kvRows = kvStreams(last)
    .filter(([, v]) => v.messages > 0)
    .map(([name, v]): Cell[] => [
      `  KV ${bucket(name)}: warm-up end → load end`,
      `${mb(firstKv.get(name)?.bytes ?? 0)} → ${mb(v.bytes)} MB (${firstKv.get(name)?.messages ?? 0} → ${v.messages} msgs)`,
      '',
      '',
      '',
    ]);

  const dir = `${RESULTS_DIR}${r.stamp}-soak`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'samples.json'), `${JSON.stringify(r.samples, null, 1)}\n`);
  writeFileSync(join(dir, 'samples.csv'), samplesCsv(r.samples));
  writeFileSync(join(dir, 'probe.json'), `${JSON.stringify({ intervals: r.probe.lines, gc: r.gc }, null, 1)}\n`);
  writeFileSync(
    join(dir, 'history.json'),
    `${JSON.stringify({ ...r.report, violations: r.report.violations.slice(0, 50), expected: r.expected }, null, 1)}\n`,
  );

  return {
    scenario: 'soak',
    figures: {
      duration_s: r.durationMs / 1000,
      rate: r.rate,
      rss_slope_mb_per_10min: round(rssSlope, 2),
      heap_slope_mb_per_10min: round(heapSlope, 2),
      heap_gc_mark_mb: heapMark,
      heap_gc_end_mb: heapEnd,
      heap_gc_change: round(heapChange, 3),
      lag_p99_ms: lag?.p99Ms ?? NaN,
      lag_worst_interval_p99_ms: worstInterval,
      accepted: r.report.accepted,
      completed: r.report.completed,
      lost: c.lost,
      stuck: c.stuck,
      duplicates: c.duplicateEffect + c.duplicateTerminal + c.duplicateKey,
      violations: r.report.violations.length,
      ended_mismatch: endedMismatch,
      pending_first: pendingOf(first),
      pending_last: pendingOf(last),
      pending_max: maxPending,
    },
    rows: [
      ['rate × duration', `${r.rate}/s × ${r.durationMs / 1000} s`, '', '', ''],
      [
        'accepted / completed / compensated',
        `${r.report.accepted} / ${r.report.completed} / ${r.report.ended['compensated'] ?? 0}`,
        '',
        '',
        '',
      ],
      ['expected completed / compensated', `${r.expected.completed} / ${r.expected.compensated}`, '', '', ''],
      ['lost / stuck / duplicate effects', `${c.lost} / ${c.stuck} / ${c.duplicateEffect}`, '', '', ''],
      [
        'other violations (order, early timer, keys, terminals)',
        c.order + c.earlyTimer + c.duplicateKey + c.duplicateTerminal + c.unexpected,
        '',
        '',
        '',
      ],
      ['trigger retries / signal errors', `${r.triggerErrors} / ${r.signalErrors}`, '', '', ''],
      ['drain after the load', round(r.drainS, 1), 's', '', ''],
      [`RSS at warm-up end (${r.warmupMs / 1000} s) / load end`, `${first?.rssMb ?? NaN} / ${last?.rssMb ?? NaN}`, 'MB', '', ''],
      [
        `RSS slope from ${round(fromS, 0)} s to load end (least squares, ${regressed.length} samples)`,
        round(rssSlope, 2),
        'MB/10 min',
        '',
        '',
      ],
      ['heap used slope, same samples (no forced GC)', round(heapSlope, 2), 'MB/10 min', '', ''],
      ['heap after forced GC: mark / load end / drained', `${heapMark} / ${heapEnd} / ${r.gc['drained']?.heapUsedMb ?? NaN}`, 'MB', '', ''],
      ['heap after GC, end vs mark', `${round(heapChange * 100, 1)}%`, '', '', ''],
      ['event-loop lag after warm-up: p50 / p99 / max', `${lag?.p50Ms ?? NaN} / ${lag?.p99Ms ?? NaN} / ${lag?.maxMs ?? NaN}`, 'ms', '', ''],
      [`event-loop lag p99, worst ${r.sampleMs / 1000} s interval after warm-up`, worstInterval, 'ms', '', ''],
      [
        'event-loop lag whole life: p99 / max (3 forced GCs included)',
        `${lagTotal?.p99Ms ?? NaN} / ${lagTotal?.maxMs ?? NaN}`,
        'ms',
        '',
        '',
      ],
      [
        'pending + ack-pending (inbound + commands): warm-up end / max / load end',
        `${pendingOf(first)} / ${maxPending} / ${pendingOf(last)}`,
        'msgs',
        '',
        '',
      ],
      [
        'KV streams: warm-up end → load end',
        `${mb(kv(first).bytes)} → ${mb(kv(last).bytes)} MB (${kv(first).messages} → ${kv(last).messages} msgs)`,
        '',
        '',
        '',
      ],
      ...kvRows,
      ['samples (measured / all)', `${measured.length} / ${r.samples.length}`, '', '', ''],
    ],
    settings: {
      durationMs: r.durationMs,
      rate: r.rate,
      warmupMs: r.warmupMs,
      sampleMs: r.sampleMs,
      mix: SOAK_KINDS.map((k) => ({ workflow: k.definition.name, share: `${k.share}/20`, ends: k.ends })),
      squads: SOAK_SQUADS,
      orchestrator: 'dist/orchestrator.mjs with --expose-gc and bench/processes/probe.mjs',
      files: `bench/results/${r.stamp}-soak/`,
    },
    data: { samples: r.samples.length, regressionFromS: fromS, gc: r.gc, expected: r.expected },
  };
}

/** One row per sample: the figures to plot (KV bytes summed over the buckets, pending summed over the consumers). */
function samplesCsv(samples: SoakSample[]): string {
  const consumers = [...new Set(samples.flatMap((s) => Object.keys(s.consumers)))];
  const streams = [...new Set(samples.flatMap((s) => Object.keys(s.streams)))].sort();
  const head = [
    't_s',
    'phase',
    'accepted',
    'ended',
    'rss_mb',
    'heap_used_mb',
    'lag_p99_ms',
    'lag_max_ms',
    ...consumers.flatMap((c) => [`${c} ack_pending`, `${c} pending`, `${c} redelivered`]),
    ...streams.flatMap((s) => [`${s} msgs`, `${s} bytes`]),
  ];
  const rows = samples.map((s) => [
    s.t,
    s.phase,
    s.accepted,
    s.ended,
    s.rssMb,
    s.heapUsedMb,
    s.lagP99Ms,
    s.lagMaxMs,
    ...consumers.flatMap((c) => [s.consumers[c]?.ackPending, s.consumers[c]?.pending, s.consumers[c]?.redelivered]),
    ...streams.flatMap((st) => [s.streams[st]?.messages, s.streams[st]?.bytes]),
  ]);
  return [head, ...rows].map((r) => r.map((v) => (v === undefined ? '' : String(v))).join(',')).join('\n') + '\n';
}
