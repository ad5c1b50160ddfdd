/**
 * peers (`pnpm bench --peers`): BullMQ flows on chain4 and fan16, measured
 * after squadflow's own chain4 and fan16 in the same run, and one table of
 * squadflow ÷ BullMQ beside squadflow ÷ floor. Skipped, with the reason,
 * when `redis-server` is not installed.
 */
import { readFileSync } from 'node:fs';
import { measureBullmq } from '../peers/bullmq/measure.ts';
import type { RunContext, ScenarioResult } from '../lib/scenario.ts';
import type { Cell } from '../lib/table.ts';
import { ratio } from '../lib/table.ts';

export const PEERS_HEAD = ['measure', 'squadflow', 'BullMQ', 'unit', 'squadflow ÷ BullMQ', 'floor', 'squadflow ÷ floor'];

function bullmqVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../node_modules/bullmq/package.json', import.meta.url), 'utf8')) as { version: string })
      .version;
  } catch {
    return 'unknown';
  }
}

export async function peers({ settings, floors, figures }: RunContext): Promise<ScenarioResult> {
  const outcome = await measureBullmq(settings);
  if (!outcome.ran) {
    process.stdout.write(`  peers: BullMQ skipped: ${outcome.skipped}\n`);
    return {
      scenario: 'peers',
      figures: {},
      head: PEERS_HEAD,
      rows: [['BullMQ skipped', outcome.skipped, '', '', '', '', '']],
      settings: {},
      data: {},
    };
  }
  const b = outcome.figures;
  const sf = (key: string): number => figures[key] ?? NaN;
  // Throughput: higher is better, so a ratio above 1 favours squadflow; latency and CPU: below 1 does.
  const row = (what: string, mine: number, theirs: number, unit: string, floorLabel: string, floor: number | undefined): Cell[] => [
    what,
    mine,
    theirs,
    unit,
    ratio(mine, theirs),
    floor === undefined ? '' : `${floorLabel} ${floor}${unit === 'exec/s' ? '/s' : ` ${unit}`}`,
    floor === undefined ? '' : ratio(mine, floor),
  ];
  const bullmq = {
    chain4_p50: b.chain4Latency.p50,
    chain4_p99: b.chain4Latency.p99,
    chain4_tput: b.chain4Tput.perSecond,
    chain4_cpu_ms: b.chain4CpuMs,
    fan16_tput: b.fan16Tput.perSecond,
    fan16_cpu_ms: b.fan16CpuMs,
  };
  return {
    scenario: 'peers',
    figures: bullmq,
    head: PEERS_HEAD,
    rows: [
      row('chain4 @256', sf('chain4.tput'), bullmq.chain4_tput, 'exec/s', '(c)', floors['c_tput']),
      row('chain4 p50 @1', sf('chain4.p50'), bullmq.chain4_p50, 'ms', '(b)', floors['b_p50']),
      row('chain4 p99 @1', sf('chain4.p99'), bullmq.chain4_p99, 'ms', '(b)', floors['b_p99']),
      row(
        'chain4 all processes CPU per execution @256',
        sf('chain4.cpu_total_ms'),
        bullmq.chain4_cpu_ms,
        'ms',
        '(c)',
        floors['c_total_ms'],
      ),
      row('fan16 @64', sf('fan16.tput'), bullmq.fan16_tput, 'exec/s', '(c)', floors['c_fan16_tput']),
      row(
        'fan16 all processes CPU per execution @64',
        sf('fan16.cpu_total_ms'),
        bullmq.fan16_cpu_ms,
        'ms',
        '(c)',
        floors['c_fan16_total_ms'],
      ),
    ],
    settings: {
      latency: { inFlight: 1, ...settings.latency },
      chain4: { inFlight: 256, ...settings.throughput },
      fan16: { inFlight: 64, ...settings.throughput },
      workers: '4 processes, one queue each, concurrency 256',
      redis: `redis-server ${b.redisVersion}, own port and temp dir, --appendonly yes --appendfsync everysec --save ""`,
      bullmq: bullmqVersion(),
    },
    data: { chain4Latency: b.chain4Latency, chain4Tput: summary(b.chain4Tput), fan16Tput: summary(b.fan16Tput) },
  };
}

const summary = (r: { completed: number; seconds: number; perSecond: number }) => ({
  completed: r.completed,
  seconds: r.seconds,
  perSecond: r.perSecond,
});
