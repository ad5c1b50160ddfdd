/**
 * parked: N executions each waiting on a timer due in an hour. Measures the
 * time to park them all (trigger published → its delay timer stored; the
 * timer is written after the execution record, so a stored timer means a
 * persisted, running execution with its delay armed) and the orchestrator's
 * RSS per parked execution.
 */
import { kvStreamName } from '@squadflow/shared';
import { Deployment } from '../lib/deployment.ts';
import { until, windowed } from '../lib/load.ts';
import { streamMessages } from '../lib/nats.ts';
import { readRss, round, RssSampler } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { CONTEXT, parked as workflow } from '../lib/workflows.ts';

const TARGET_N = 100_000;

export async function parked({ settings }: RunContext): Promise<ScenarioResult> {
  const n = settings.parked;
  // No squads: nothing is dispatched within the hour.
  const d = await Deployment.start({ label: 'parked', squads: 0 });
  try {
    const version = await d.register(workflow);
    const orchestrator = await d.startOrchestrator();
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    const baseMb = readRss(orchestrator.pid).rssMb;
    const timers = kvStreamName(d.names.buckets.timers);
    const sampler = new RssSampler(orchestrator.pid, 250);

    process.stdout.write(`  parked: parking ${n.toLocaleString('en-US')} executions...\n`);
    const ids: string[] = [];
    const t0 = performance.now();
    await windowed(n, 512, async () => {
      const id = d.nextId();
      ids.push(id);
      await d.publishTrigger(workflow.name, version, id, CONTEXT);
    });
    const publishedS = (performance.now() - t0) / 1000;
    await until('every delay timer stored', async () => (await streamMessages(d.nc, timers).catch(() => 0)) >= n, 60_000 + n * 5, 100);
    const parkS = (performance.now() - t0) / 1000;

    // Spot checks: the timer count says armed; a few records say `running`.
    for (const id of [ids[0]!, ids[Math.floor(n / 2)]!, ids.at(-1)!]) {
      const status = (await d.client.getExecution(id))?.status;
      if (status !== 'running') throw new Error(`parked execution ${id} is ${status}, not running`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2_000)); // let allocation settle before reading RSS
    const rss = sampler.stop();
    const { rssMb, hwmMb } = readRss(orchestrator.pid);
    const perKb = ((rssMb - baseMb) * 1024) / n;
    // Linear projection to 100k; conservative: only the 10,000 most recent actors stay cached.
    const projectedMb = n >= TARGET_N ? hwmMb : baseMb + (perKb * TARGET_N) / 1024;
    return {
      scenario: 'parked',
      figures: {
        n,
        park_s: round(parkS, 2),
        per_kb: round(perKb, 2),
        rss_mb: rssMb,
        hwm_mb: hwmMb,
        projected_100k_mb: round(projectedMb, 0),
      },
      rows: [
        ['executions parked', n, '', '', ''],
        ['time to park all', round(parkS, 2), 's', '', ''],
        ['parking rate', round(n / parkS, 0), 'exec/s', '', ''],
        ['orchestrator RSS before', baseMb, 'MB', '', ''],
        ['orchestrator RSS parked', rssMb, 'MB', '', ''],
        ['orchestrator VmHWM', hwmMb, 'MB', '', ''],
        ['RSS per parked execution', round(perKb, 2), 'KB', '', ''],
        [
          n >= TARGET_N ? 'RSS at 100k (measured HWM)' : 'RSS at 100k (linear projection, pessimistic)',
          round(projectedMb, 0),
          'MB',
          '',
          '',
        ],
      ],
      settings: { n, publishWindow: 512, delay: '1h', squads: 0 },
      data: { publishSeconds: round(publishedS, 2), parkSeconds: round(parkS, 2), baseMb, rssMb, hwmMb, sampled: rss },
    };
  } finally {
    await d.close();
  }
}
