/**
 * chain4: p50/p99 per execution at 1 in flight, executions/s at 256 in
 * flight, and the orchestrator's peak RSS while at 256.
 */
import { Deployment } from '../lib/deployment.ts';
import { consumerDeliveries, lastSeqs, streamNames } from '../lib/nats.ts';
import { closedLoop } from '../lib/load.ts';
import { readRss, round, RssSampler } from '../lib/rss.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import { rawSamples, summarize } from '../lib/stats.ts';
import { ratio } from '../lib/table.ts';
import { machineRows, totalCpuMs } from '../lib/machine-cpu.ts';
import { chain4 as workflow, CONTEXT } from '../lib/workflows.ts';

export async function chain4({ settings, floors }: RunContext): Promise<ScenarioResult> {
  const d = await Deployment.start({ label: 'chain4' });
  try {
    const version = await d.register(workflow);
    const orchestrator = await d.startOrchestrator();
    await d.startReplicas();
    const run = d.runner(workflow.name, version, CONTEXT);

    process.stdout.write('  chain4: latency at 1 in flight...\n');
    // Every stream and bucket of the deployment: an index, log or slot write is a write as much as the record's.
    const streams = (await streamNames(d.nc)).filter((s) => d.names.ownsStream(s));
    const seq0 = await lastSeqs(d.nc, streams);
    const del0 = await consumerDeliveries(d.nc, streams);
    const latency = await closedLoop(run, { inFlight: 1, ...settings.latency });
    const seq1 = await lastSeqs(d.nc, streams);
    const del1 = await consumerDeliveries(d.nc, streams);
    // JetStream writes per execution, by stream: what the server stores for one chain4 execution.
    const executions = settings.latency.warmupCount + settings.latency.count;
    const writes = Object.fromEntries(streams.map((s) => [s, round((seq1[s]! - seq0[s]!) / executions, 2)]));
    const deliveries = Object.fromEntries(Object.keys(del1).map((c) => [c, round((del1[c]! - (del0[c] ?? 0)) / executions, 2)]));
    const totalDeliveries = round(
      Object.values(deliveries).reduce((a, b) => a + b, 0),
      1,
    );
    const totalWrites = round(
      Object.values(writes).reduce((a, b) => a + b, 0),
      1,
    );
    process.stdout.write('  chain4: throughput at 256 in flight...\n');
    const sampler = new RssSampler(orchestrator.pid);
    const meter = d.cpuMeter();
    const tput = await closedLoop(run, { inFlight: 256, ...settings.throughput });
    const cpu = meter();
    const rss = sampler.stop();
    // An event held longer than the inbound ack wait (5 s) is redelivered and applied again as stale.
    const redelivered = await d.inboundRedeliveries();
    const hwmMb = readRss(orchestrator.pid).hwmMb;

    const lat = summarize(latency.latenciesMs);
    const figures = {
      p50: lat.p50,
      p99: lat.p99,
      tput: tput.perSecond,
      rss_peak: rss.peakMb,
      rss_hwm: hwmMb,
      cpu_ms: cpu.orchestratorMs,
      js_writes: totalWrites,
      js_deliveries: totalDeliveries,
      cpu_total_ms: totalCpuMs(cpu),
    };
    return {
      scenario: 'chain4',
      figures,
      rows: [
        ['chain4 p50 @1', lat.p50, 'ms', `(b) ${floors['b_p50'] ?? 'n/a'} ms`, ratio(lat.p50, floors['b_p50'])],
        ['chain4 p99 @1', lat.p99, 'ms', `(b) ${floors['b_p99'] ?? 'n/a'} ms`, ratio(lat.p99, floors['b_p99'])],
        ['chain4 p50 @1 vs core', lat.p50, 'ms', `(a) ${floors['a_p50'] ?? 'n/a'} ms`, ratio(lat.p50, floors['a_p50'])],
        ['chain4 @256', tput.perSecond, 'exec/s', `(c) ${floors['c_tput'] ?? 'n/a'}/s`, ratio(tput.perSecond, floors['c_tput'])],
        ['chain4 @256 vs awaited', tput.perSecond, 'exec/s', `(b) ${floors['b_tput'] ?? 'n/a'}/s`, ratio(tput.perSecond, floors['b_tput'])],
        ['chain4 @256 p50 latency', summarize(tput.latenciesMs).p50, 'ms', '', ''],
        ['orchestrator CPU per execution @256', cpu.orchestratorMs, 'ms', '', ''],
        ['orchestrator CPU per event (÷5)', round(cpu.orchestratorMs * 200, 0), 'µs', '', ''],
        ['4 squads CPU per execution @256', cpu.squadsMs, 'ms', '', ''],
        [
          'nats-server CPU per execution @256',
          cpu.serverMs,
          'ms',
          `(c) ${floors['c_server_ms'] ?? 'n/a'} ms`,
          ratio(cpu.serverMs, floors['c_server_ms']),
        ],
        ...machineRows(cpu, floors['c_total_ms']),
        ['JetStream writes per execution', totalWrites, 'msgs', '(b)/(c) 8', ratio(totalWrites, 8)],
        ['durable consumer deliveries per execution', totalDeliveries, 'msgs', '', ''],
        ['inbound redeliveries (whole run)', redelivered, 'msgs', '', ''],
        ['orchestrator RSS peak @256', rss.peakMb, 'MB', '', ''],
        ['orchestrator VmHWM', hwmMb, 'MB', '', ''],
      ],
      settings: {
        latency: { inFlight: 1, ...settings.latency },
        throughput: { inFlight: 256, ...settings.throughput },
        squads: 4,
        squadConcurrency: 256,
      },
      data: {
        latency: { ...lat, seconds: latency.seconds, samplesMs: rawSamples(latency.latenciesMs) },
        throughput: { completed: tput.completed, seconds: tput.seconds, perSecond: tput.perSecond, latency: summarize(tput.latenciesMs) },
        rss: { ...rss, hwmMb, sampleIntervalMs: 100 },
        cpuPerExecution: cpu,
        inboundRedeliveries: redelivered,
        jetstreamWritesPerExecution: writes,
        consumerDeliveriesPerExecution: deliveries,
      },
    };
  } finally {
    await d.close();
  }
}
