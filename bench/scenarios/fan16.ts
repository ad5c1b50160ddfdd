/** fan16: one step, 16 parallel no-op steps, a join; executions/s at 64 in flight. */
import { Deployment } from '../lib/deployment.ts';
import { closedLoop } from '../lib/load.ts';
import { readRss, RssSampler } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { summarize } from '../lib/stats.ts';
import { ratio } from '../lib/table.ts';
import { machineRows, totalCpuMs } from '../lib/machine-cpu.ts';
import { CONTEXT, fan16 as workflow } from '../lib/workflows.ts';

export async function fan16({ settings, floors }: RunContext): Promise<ScenarioResult> {
  const d = await Deployment.start({ label: 'fan16' });
  try {
    const version = await d.register(workflow);
    const orchestrator = await d.startOrchestrator();
    await d.startReplicas();
    process.stdout.write('  fan16: throughput at 64 in flight...\n');
    const sampler = new RssSampler(orchestrator.pid);
    const meter = d.cpuMeter();
    const tput = await closedLoop(d.runner(workflow.name, version, CONTEXT), { inFlight: 64, ...settings.throughput });
    const cpu = meter();
    const rss = sampler.stop();
    // An event held longer than the inbound ack wait (5 s) is redelivered and applied again as stale.
    const redelivered = await d.inboundRedeliveries();
    const hwmMb = readRss(orchestrator.pid).hwmMb;
    const lat = summarize(tput.latenciesMs);
    const floor = floors['c_fan16_tput'];
    return {
      scenario: 'fan16',
      figures: { tput: tput.perSecond, p50: lat.p50, rss_peak: rss.peakMb, cpu_total_ms: totalCpuMs(cpu) },
      rows: [
        ['fan16 @64', tput.perSecond, 'exec/s', `(c) ${floor ?? 'n/a'}/s`, ratio(tput.perSecond, floor)],
        ['fan16 @64 steps/s', tput.perSecond * 18, 'steps/s', '', ''],
        ['fan16 @64 p50 latency', lat.p50, 'ms', '', ''],
        ['orchestrator CPU per execution @64', cpu.orchestratorMs, 'ms', '', ''],
        ['orchestrator CPU per event (÷19)', Math.round((cpu.orchestratorMs * 1000) / 19), 'µs', '', ''],
        ['4 squads CPU per execution @64', cpu.squadsMs, 'ms', '', ''],
        [
          'nats-server CPU per execution @64',
          cpu.serverMs,
          'ms',
          `(c) ${floors['c_fan16_server_ms'] ?? 'n/a'} ms`,
          ratio(cpu.serverMs, floors['c_fan16_server_ms']),
        ],
        ...machineRows(cpu, floors['c_fan16_total_ms']),
        ['inbound redeliveries (whole run)', redelivered, 'msgs', '', ''],
        ['orchestrator RSS peak @64', rss.peakMb, 'MB', '', ''],
      ],
      settings: { throughput: { inFlight: 64, ...settings.throughput }, steps: 18, squads: 4, squadConcurrency: 256 },
      data: {
        throughput: { completed: tput.completed, seconds: tput.seconds, perSecond: tput.perSecond, latency: lat },
        rss: { ...rss, hwmMb },
        cpuPerExecution: cpu,
        inboundRedeliveries: redelivered,
      },
    };
  } finally {
    await d.close();
  }
}
