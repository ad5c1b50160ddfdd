/**
 * `pnpm bench [--scenario <name>[,<name>]] [--peers] [--quick] [--full] [--profile] [--rounds N] [--duration 10m] [--rate 20]`
 *
 * Runs squadflow's scenarios against real NATS with every squad (and the
 * orchestrator) as its own process, beside floors measured in the same run
 * on the same server; prints tables with ratios to the floors and PASS/MISS
 * per target; writes bench/results/<timestamp>-<scenario>.json. With
 * `--rounds N` the selected scenarios (floors included) run N times in a row,
 * and a last table gives each target per round, with the median: absolute
 * figures on this kind of machine move ±15–30% between runs. `--peers` adds
 * chain4 and fan16 (and their floors) and then BullMQ flows on the same
 * shapes (bench/peers/bullmq/), with a table of squadflow ÷ BullMQ beside
 * squadflow ÷ floor. `BENCH_SQUAD_DELIVERY=at-least-once` runs the bench squads
 * without idempotency records (BullMQ's jobs are at least once: the
 * like-for-like comparison); the default is squads' default, at most once.
 * `SQUADFLOW_STEP_PROGRESS_EVENTS=off` reaches the orchestrator process: no
 * step.completed / step.skipped lifecycle events (4 of chain4's 6).
 */
import { parseArgs } from 'node:util';
import { installCleanupHandlers, runCleanup } from './lib/cleanup.ts';
import { environment, stampNow, writeResult, writeText } from './lib/results.ts';
import { ROW_HEAD, settingsFor, type Figures, type RunContext, type ScenarioResult } from './lib/scenario.ts';
import { checkTargets, medianMeasured, type TargetCheck } from './lib/targets.ts';
import { formatTable, markdownTable } from './lib/table.ts';
import { chain4 } from './scenarios/chain4.ts';
import { compile } from './scenarios/compile.ts';
import { fan16 } from './scenarios/fan16.ts';
import { floors } from './scenarios/floors.ts';
import { machine } from './scenarios/machine.ts';
import { parked } from './scenarios/parked.ts';
import { peers } from './scenarios/peers.ts';
import { profile } from './scenarios/profile.ts';
import { readscale } from './scenarios/readscale.ts';
import { recovery } from './scenarios/recovery.ts';
import { soak } from './scenarios/soak.ts';
import { replicas } from './scenarios/replicas.ts';
import { hops } from './scenarios/hops.ts';
import { parseDuration } from '@squadflow/shared';
import { buildBundles } from '../scripts/build.ts';

const SCENARIOS: Record<string, (ctx: RunContext) => Promise<ScenarioResult>> = {
  floors,
  chain4,
  fan16,
  parked,
  recovery,
  machine,
  profile,
  compile,
  soak,
  readscale,
  peers,
  replicas,
  hops,
};
const DEFAULT = ['floors', 'chain4', 'fan16', 'parked', 'recovery', 'machine'];
/** Scenarios whose figures are printed as ratios to the floors: the floors run first. */
const NEEDS_FLOORS = new Set(['chain4', 'fan16', 'peers']);
/** Scenarios the peers compare to, run before them. */
const PEERS_COMPARE = ['chain4', 'fan16'];

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', multiple: true },
    quick: { type: 'boolean', default: false },
    full: { type: 'boolean', default: false },
    profile: { type: 'boolean', default: false },
    peers: { type: 'boolean', default: false },
    rounds: { type: 'string', default: '1' },
    help: { type: 'boolean', default: false },
    // The soak (not in the default set): how long and how many executions per second.
    duration: { type: 'string', default: '10m' },
    rate: { type: 'string', default: '20' },
  },
});
const soakDurationMs = parseDuration(values.duration);
const soakRate = Number(values.rate);
if (soakDurationMs === undefined || soakDurationMs < 10_000 || !(soakRate > 0 && soakRate <= 1000)) {
  process.stderr.write(
    `--duration must be a duration of at least 10s (e.g. 90s, 10m), --rate a number from 1 to 1000; got "${values.duration}", "${values.rate}"\n`,
  );
  process.exit(2);
}
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) {
  process.stderr.write(`--rounds must be an integer from 1 to 10, got "${values.rounds}"\n`);
  process.exit(2);
}
if (values.help) {
  process.stdout.write(
    `usage: pnpm bench [--scenario ${Object.keys(SCENARIOS).join('|')}] [--peers] [--quick] [--full] [--profile] [--rounds N] [--duration 10m] [--rate 20]\n`,
  );
  process.exit(0);
}
const asked = (values.scenario ?? []).flatMap((s) => s.split(',')).filter(Boolean);
for (const s of asked) {
  if (SCENARIOS[s]) continue;
  process.stderr.write(`unknown scenario "${s}"; known: ${Object.keys(SCENARIOS).join(', ')}\n`);
  process.exit(2);
}
const wanted = new Set(asked.length ? asked : values.profile || values.peers ? [] : DEFAULT);
if (values.profile) wanted.add('profile');
if (values.peers) wanted.add('peers');
if (wanted.has('peers')) for (const s of PEERS_COMPARE) wanted.add(s);
// Floors first: the scenarios after them print ratios to their figures.
if ([...wanted].some((s) => NEEDS_FLOORS.has(s))) wanted.add('floors');
// Floors first, the peers last (they compare to squadflow's figures of this run).
const rank = (s: string): number => (s === 'floors' ? 0 : s === 'peers' ? 2 : 1);
const selected = [...wanted].sort((a, b) => rank(a) - rank(b));

installCleanupHandlers();
// The orchestrator runs as deployed: the bundle `pnpm build` makes (see bench/lib/deployment.ts).
await buildBundles();
const settings = settingsFor({ quick: values.quick, full: values.full, profile: values.profile, soakDurationMs, soakRate });
const stamp = stampNow();
const command = `pnpm bench ${process.argv.slice(2).join(' ')}`.trim();
const env = await environment();
process.stdout.write(
  `${command}: ${selected.join(', ')} (${JSON.stringify(env['machine'])}; squads ${String(env['squadDelivery'])}; step events ${String(env['stepProgressEvents'])})\n`,
);

const markdown: string[] = [`# ${command} — ${stamp}\n`];
let failed = 0;
const checksByRound: TargetCheck[][] = [];
for (let round = 1; round <= rounds; round++) {
  const suffix = rounds > 1 ? `-round${round}` : '';
  if (rounds > 1) {
    process.stdout.write(`\n#### round ${round} of ${rounds}\n`);
    markdown.push(`# round ${round} of ${rounds}\n`);
  }
  const figures: Figures = {};
  const floorFigures: Figures = {};
  for (const name of selected) {
    const started = Date.now();
    process.stdout.write(`\n== ${name}\n`);
    try {
      const result = await SCENARIOS[name]!({ settings, floors: floorFigures, figures, stamp });
      if (name === 'floors') Object.assign(floorFigures, result.figures);
      for (const [k, v] of Object.entries(result.figures)) figures[`${name}.${k}`] = v;
      const seconds = Math.round((Date.now() - started) / 1000);
      const head = result.head ?? ROW_HEAD;
      process.stdout.write(formatTable(`${name} (${seconds} s)`, head, result.rows));
      markdown.push(`## ${name}\n\n${markdownTable(head, result.rows)}\n`);
      const file = writeResult(stamp, `${name}${suffix}`, {
        command,
        round,
        startedAt: new Date(started).toISOString(),
        seconds,
        ...env,
        ...result,
      });
      process.stdout.write(`-> ${file}\n`);
    } catch (err) {
      failed++;
      process.stderr.write(`scenario ${name} failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    }
  }

  const checks = checkTargets(figures).filter((c) => c.verdict !== 'not run');
  checksByRound.push(checks);
  if (checks.length) {
    const rows = checks.map((c) => [c.target, c.measured, c.verdict, c.note ?? '']);
    process.stdout.write(formatTable('targets (2-core machine)', ['target', 'measured', 'verdict', 'note'], rows));
    markdown.push(`## targets\n\n${markdownTable(['target', 'measured', 'verdict', 'note'], rows)}\n`);
    writeResult(stamp, `targets${suffix}`, { command, round, ...env, figures, targets: checks });
  }
}

if (rounds > 1 && checksByRound[0]?.length) {
  // Each target per round (every ratio is to a floor of its own round), and the median of the rounds.
  const head = ['target', ...checksByRound.map((_, i) => `round ${i + 1}`), 'median', 'verdict'];
  const rows = checksByRound[0].map((c, i) => {
    const perRound = checksByRound.map((checks) => checks[i]!);
    const median = medianMeasured(perRound.map((r) => r.measured));
    const passes = perRound.filter((r) => r.verdict === 'PASS').length;
    return [
      c.target,
      ...perRound.map((r) => r.measured),
      median,
      passes * 2 > perRound.length ? 'PASS' : passes ? `PASS ${passes}/${rounds}` : 'MISS',
    ];
  });
  process.stdout.write(formatTable(`targets over ${rounds} rounds`, head, rows));
  markdown.push(`## targets over ${rounds} rounds\n\n${markdownTable(head, rows)}\n`);
}
process.stdout.write(`-> ${writeText(stamp, 'summary.md', markdown.join('\n'))}\n`);
await runCleanup();
process.exit(failed ? 1 : 0);
