/**
 * replicas: chain4 at 256 in flight with one orchestrator, then with a second
 * replica beside it, in the same deployment and run. On 2 cores this cannot
 * show scaling (the squads and nats-server share the cores); it shows that a
 * second replica costs no throughput, and the CPU per execution it adds.
 */
import { Deployment } from '../lib/deployment.ts';
import { closedLoop } from '../lib/load.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { summarize } from '../lib/stats.ts';
import { ratio } from '../lib/table.ts';
import { totalCpuMs } from '../lib/machine-cpu.ts';
import { chain4 as workflow, CONTEXT } from '../lib/workflows.ts';

export async function replicas({ settings }: RunContext): Promise<ScenarioResult> {
  const d = await Deployment.start({ label: 'replicas' });
  try {
    const version = await d.register(workflow);
    await d.startOrchestrator();
    const run = d.runner(workflow.name, version, CONTEXT);
    const measure = async (label: string) => {
      process.stdout.write(`  replicas: chain4 at 256 in flight, ${label}...\n`);
      const meter = d.cpuMeter();
      const tput = await closedLoop(run, { inFlight: 256, ...settings.throughput });
      return { tput, cpu: meter() };
    };
    const one = await measure('1 orchestrator');
    // Waits until the partitions are spread over both: the load meets the steady state, not a rebalance.
    await d.startReplicas(2);
    const two = await measure('2 orchestrator replicas');
    const redelivered = await d.inboundRedeliveries();
    const lat1 = summarize(one.tput.latenciesMs);
    const lat2 = summarize(two.tput.latenciesMs);
    return {
      scenario: 'replicas',
      figures: {
        tput_1: one.tput.perSecond,
        tput_2: two.tput.perSecond,
        ratio_2_to_1: Math.round((two.tput.perSecond / one.tput.perSecond) * 100) / 100,
        cpu_total_ms_1: totalCpuMs(one.cpu),
        cpu_total_ms_2: totalCpuMs(two.cpu),
      },
      head: ['measure', '1 orchestrator', '2 replicas', 'unit', '2 ÷ 1'],
      rows: [
        ['chain4 @256', one.tput.perSecond, two.tput.perSecond, 'exec/s', ratio(two.tput.perSecond, one.tput.perSecond)],
        ['chain4 @256 p50 latency', lat1.p50, lat2.p50, 'ms', ratio(lat2.p50, lat1.p50)],
        [
          'orchestrator CPU per execution (all replicas)',
          one.cpu.orchestratorMs,
          two.cpu.orchestratorMs,
          'ms',
          ratio(two.cpu.orchestratorMs, one.cpu.orchestratorMs),
        ],
        [
          'all processes CPU per execution',
          totalCpuMs(one.cpu),
          totalCpuMs(two.cpu),
          'ms',
          ratio(totalCpuMs(two.cpu), totalCpuMs(one.cpu)),
        ],
        ['inbound redeliveries (whole run)', redelivered, '', 'msgs', ''],
      ],
      settings: { throughput: { inFlight: 256, ...settings.throughput }, squads: 4, squadConcurrency: 256 },
      data: {
        one: { perSecond: one.tput.perSecond, latency: lat1, cpu: one.cpu },
        two: { perSecond: two.tput.perSecond, latency: lat2, cpu: two.cpu },
      },
    };
  } finally {
    await d.close();
  }
}
