/**
 * recovery: N executions mid-flight (their first step held inside the squad),
 * the orchestrator SIGKILLed, the steps released while it is down (their
 * replies wait in the inbound stream), then a new orchestrator process:
 * time from its spawn until every execution has progressed through both
 * remaining events (the reply, then the `finish` step) and completed.
 */
import { kvStreamName } from '@squadflow/shared';
import { Deployment } from '../lib/deployment.ts';
import { until, windowed } from '../lib/load.ts';
import { streamMessages } from '../lib/nats.ts';
import { readRss, round } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { CONTEXT, recovery as workflow } from '../lib/workflows.ts';

const dec = new TextDecoder();

export async function recovery({ settings }: RunContext): Promise<ScenarioResult> {
  const n = settings.recovery;
  const d = await Deployment.start({ label: 'recovery', squads: 2, squadConcurrency: n + 256 });
  try {
    const version = await d.register(workflow);
    const first = await d.startOrchestrator();
    const held = async (): Promise<{ held: number; released: number }> =>
      JSON.parse(dec.decode((await d.nc.request(`${d.prefix}.bench.held.s0`, undefined, { timeout: 5_000 })).data)) as {
        held: number;
        released: number;
      };

    process.stdout.write(`  recovery: starting ${n.toLocaleString('en-US')} executions...\n`);
    const t0 = performance.now();
    await windowed(n, 512, () => d.publishTrigger(workflow.name, version, d.nextId(), CONTEXT));
    await until('every first step held in the squad', async () => (await held()).held >= n, 120_000, 200);
    const startS = (performance.now() - t0) / 1000;
    const rssBeforeKill = readRss(first.pid).rssMb;

    await first.kill9();
    d.nc.publish(`${d.prefix}.bench.release`);
    const inbound = d.names.streams.inbound;
    const repliesStored = async (): Promise<boolean> => (await held()).released >= n && (await streamMessages(d.nc, inbound)) >= n;
    await until('every step reply stored while the orchestrator is down', repliesStored, 120_000, 200);
    if (d.completions.completed.size) throw new Error('executions completed while no orchestrator ran');

    // What the new process has to re-arm and re-read before it consumes (timers) and right after (records).
    const storedTimers = await streamMessages(d.nc, kvStreamName(d.names.buckets.timers));
    const storedRecords = await streamMessages(d.nc, kvStreamName(d.names.buckets.executions));
    // "Progressed again" = the held step's reply applied (its step.completed event), the first event after the restart.
    const restart = performance.now();
    const progressed = new Set<string>();
    let progressedS = NaN;
    const sub = d.nc.subscribe(d.names.lifecycleFilter({ workflow: workflow.name, type: 'step.completed' }), {
      callback: (_err, msg) => {
        const e = JSON.parse(dec.decode(msg.data)) as { executionId: string; step?: string };
        if (e.step !== 'work') return;
        progressed.add(e.executionId);
        if (progressed.size === n) progressedS = (performance.now() - restart) / 1000;
      },
    });
    process.stdout.write('  recovery: restarting the orchestrator...\n');
    const second = await d.startOrchestrator();
    const readyS = (performance.now() - restart) / 1000;
    let firstS = NaN;
    await until(
      'every execution completed after the restart',
      () => {
        if (Number.isNaN(firstS) && d.completions.completed.size) firstS = (performance.now() - restart) / 1000;
        return d.completions.completed.size >= n;
      },
      300_000,
      20,
    );
    const allS = (performance.now() - restart) / 1000;
    sub.unsubscribe();
    const { hwmMb } = readRss(second.pid);
    return {
      scenario: 'recovery',
      figures: { n, progressed_s: round(progressedS, 2), all_s: round(allS, 2), ready_s: round(readyS, 2), first_s: round(firstS, 2) },
      rows: [
        ['executions in flight at the kill', n, '', '', ''],
        ['time to start them (first run)', round(startS, 2), 's', '', ''],
        ['timers / records stored at restart', `${storedTimers} / ${storedRecords}`, '', '', ''],
        ['restart: spawn → ready', round(readyS, 2), 's', '', ''],
        ['restart: spawn → first completion', round(firstS, 2), 's', '', ''],
        ['restart: spawn → all progressed (work step applied)', round(progressedS, 2), 's', '', ''],
        ['restart: spawn → all completed (2 events each)', round(allS, 2), 's', '', ''],
        ['events applied per s after ready', round((2 * n) / (allS - readyS), 0), 'events/s', '', ''],
        ['orchestrator RSS before kill', rssBeforeKill, 'MB', '', ''],
        ['restarted orchestrator VmHWM', hwmMb, 'MB', '', ''],
      ],
      settings: { n, heldStep: 'work (hold, timeout 10m)', thenStep: 'finish (noop)', squads: 2 },
      data: {
        startSeconds: round(startS, 2),
        readySeconds: round(readyS, 2),
        firstSeconds: round(firstS, 2),
        allSeconds: round(allS, 2),
        rssBeforeKill,
        hwmMb,
      },
    };
  } finally {
    await d.close();
  }
}
