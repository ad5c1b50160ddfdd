/**
 * Reads the hop traces of one deployment (`SQUADFLOW_HOP_TRACE`, see
 * packages/transport/src/hop-trace.ts) and splits each execution run at
 * 1 in flight into the hops of its steps: how long each leg of a step took,
 * across the orchestrator, the squads and the server.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { percentile } from './stats.ts';

interface Point {
  at: number;
  pid: string;
  label: string;
}

/** The legs of one step, in order; their sum is the step's time from command to next command. */
export const LEGS = [
  ['command: published -> delivered to the squad', 'cmd'],
  ['squad: delivered -> claim sent (decode, checks)', 'squadIn'],
  ['squad: claim (KV create round trip)', 'claim'],
  ['squad: claimed -> reply sent (handler, encode)', 'squadOut'],
  ['reply: published -> delivered to the orchestrator', 'reply'],
  ['orchestrator: delivered -> transition done', 'transition'],
  ['orchestrator: transition done -> record sent', 'record'],
  ['orchestrator: compare-and-set (KV round trip)', 'cas'],
  ['orchestrator: persisted -> next command sent', 'dispatch'],
] as const;

export type Leg = (typeof LEGS)[number][1];

export interface HopReport {
  executions: number;
  /** Per leg: p50 and p90 in ms over every step of every execution. */
  legs: Record<Leg, { p50: number; p90: number; n: number }>;
  /** Trigger published -> first command published, ms (p50). */
  start: number;
  /** Last event's compare-and-set -> the driver saw `execution.completed`, ms (p50). */
  end: number;
  /** Whole execution, ms (p50). */
  total: number;
}

/** Every trace file `<base>.<pid>` of the run, merged in time order. */
export function readHops(base: string): Point[] {
  const dir = dirname(base);
  const prefix = `${basename(base)}.`;
  const points: Point[] = [];
  for (const f of readdirSync(dir).filter((n) => n.startsWith(prefix))) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      const a = line.indexOf(' ');
      const b = line.indexOf(' ', a + 1);
      if (a < 0 || b < 0) continue;
      points.push({ at: Number(line.slice(0, a)), pid: line.slice(a + 1, b), label: line.slice(b + 1) });
    }
  }
  return points.sort((x, y) => x.at - y.at);
}

/** Splits the points inside each run window (`[start, end]` wall-clock ms, one execution each) into legs. */
export function analyzeHops(points: readonly Point[], runs: readonly [number, number][]): HopReport {
  const legs = Object.fromEntries(LEGS.map(([, k]) => [k, [] as number[]])) as Record<Leg, number[]>;
  const starts: number[] = [];
  const ends: number[] = [];
  const totals: number[] = [];
  let from = 0;
  for (const [t0, t1] of runs) {
    while (from < points.length && points[from]!.at < t0) from++;
    let to = from;
    while (to < points.length && points[to]!.at <= t1) to++;
    const ev = points.slice(from, to);
    const find = (i: number, pred: (p: Point) => boolean): number => {
      for (let j = i; j < ev.length; j++) if (pred(ev[j]!)) return j;
      return -1;
    };
    const sent = (p: Point, part: string): boolean => p.label.startsWith('req> ') && p.label.includes(part);
    const answered = (p: Point, part: string): boolean => p.label.startsWith('req< ') && p.label.includes(part);
    let i = find(0, (p) => sent(p, '.cmd.'));
    if (i < 0) continue;
    const orchestrator = ev[i]!.pid;
    const steps: Partial<Record<Leg, number>>[] = [];
    let complete = true;
    while (i >= 0) {
      const at = (j: number): number => ev[j]!.at;
      const dlv = find(i, (p) => p.pid !== orchestrator && p.label.startsWith('dlv ') && p.label.includes('.cmd.'));
      const squad = dlv >= 0 ? ev[dlv]!.pid : '';
      const claim = find(dlv, (p) => p.pid === squad && sent(p, '_idem.'));
      const claimed = find(claim, (p) => p.pid === squad && answered(p, '_idem.'));
      const replied = find(claimed, (p) => p.pid === squad && sent(p, '.in.reply.'));
      const got = find(replied, (p) => p.pid === orchestrator && p.label.startsWith('dlv ') && p.label.includes('.in.reply.'));
      const moved = find(got, (p) => p.pid === orchestrator && p.label === 'transitioned');
      const cas = find(moved, (p) => p.pid === orchestrator && sent(p, '_exec.'));
      const casDone = find(cas, (p) => p.pid === orchestrator && p.label === 'persisted');
      if ([dlv, claim, claimed, replied, got, moved, cas, casDone].some((j) => j < 0)) {
        complete = false;
        break;
      }
      const next = find(casDone, (p) => p.pid === orchestrator && (sent(p, '.cmd.') || sent(p, 'execution.completed')));
      if (next < 0) {
        complete = false;
        break;
      }
      steps.push({
        cmd: at(dlv) - at(i),
        squadIn: at(claim) - at(dlv),
        claim: at(claimed) - at(claim),
        squadOut: at(replied) - at(claimed),
        reply: at(got) - at(replied),
        transition: at(moved) - at(got),
        record: at(cas) - at(moved),
        cas: at(casDone) - at(cas),
        dispatch: at(next) - at(casDone),
      });
      if (ev[next]!.label.includes('execution.completed')) {
        ends.push(t1 - at(casDone));
        break;
      }
      i = next;
    }
    if (!complete) continue;
    starts.push(ev[find(0, (p) => sent(p, '.cmd.'))]!.at - t0);
    totals.push(t1 - t0);
    for (const s of steps) for (const k of Object.keys(s) as Leg[]) legs[k].push(s[k]!);
  }
  const p = (xs: number[], q: number): number =>
    Math.round(
      percentile(
        [...xs].sort((a, b) => a - b),
        q,
      ) * 1000,
    ) / 1000;
  return {
    executions: totals.length,
    legs: Object.fromEntries(
      LEGS.map(([, k]) => [k, { p50: p(legs[k], 50), p90: p(legs[k], 90), n: legs[k].length }]),
    ) as HopReport['legs'],
    start: p(starts, 50),
    end: p(ends, 50),
    total: p(totals, 50),
  };
}
