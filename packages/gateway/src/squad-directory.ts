/**
 * The squads of this deployment as the services API sees them: instances
 * (one per replica), actions (one endpoint each) and counters, grouped by
 * squad. Discovery goes through the transport (`transport.services`), never
 * through the squads package: the gateway knows squads only by what they
 * publish (`metadata.squad`, `metadata.prefix`, each endpoint's metadata
 * and STATS `data`, see packages/squads/src/services.ts).
 */
import type { DiscoveredService } from '@squadflow/transport';
import { z } from 'zod';

/** What a squad replica reports per action in its STATS `data`; unknown fields are ignored, missing ones count 0. */
const ActionCountersSchema = z
  .object({
    handled: z.number().default(0),
    failed: z.number().default(0),
    inFlight: z.number().default(0),
    runs: z.number().default(0),
    handlerMs: z.number().default(0),
  })
  .loose();

export interface SquadStatsView {
  /** Commands answered (handler runs and refused inputs) by every instance since it started. */
  requests: number;
  errors: number;
  inFlight: number;
  /** Mean handler time over every instance's runs; absent before the first run. */
  averageProcessingMs?: number;
}

export interface SquadView {
  name: string;
  description?: string;
  instances: Array<{ id: string; version?: string; startedAt?: number }>;
  actions: Array<{
    name: string;
    description?: string;
    compensate?: string;
    timeoutMs?: number;
    commandSubject?: string;
    stats: SquadStatsView;
  }>;
  stats: SquadStatsView;
}

interface Totals {
  handled: number;
  failed: number;
  inFlight: number;
  runs: number;
  handlerMs: number;
}

const zero = (): Totals => ({ handled: 0, failed: 0, inFlight: 0, runs: 0, handlerMs: 0 });

function add(into: Totals, data: unknown): void {
  const parsed = ActionCountersSchema.safeParse(data);
  if (!parsed.success) return;
  into.handled += parsed.data.handled;
  into.failed += parsed.data.failed;
  into.inFlight += parsed.data.inFlight;
  into.runs += parsed.data.runs;
  into.handlerMs += parsed.data.handlerMs;
}

function view(t: Totals): SquadStatsView {
  return {
    requests: t.handled,
    errors: t.failed,
    inFlight: t.inFlight,
    ...(t.runs ? { averageProcessingMs: Math.round((t.handlerMs / t.runs) * 100) / 100 } : {}),
  };
}

/** Groups the discovered services of deployment `prefix` by squad, sorted by name. */
export function squadsOf(services: DiscoveredService[], prefix: string): SquadView[] {
  const bySquad = new Map<string, DiscoveredService[]>();
  for (const s of services) {
    const squad = s.metadata['squad'];
    if (s.metadata['runtime'] !== 'squadflow' || s.metadata['prefix'] !== prefix || !squad) continue;
    bySquad.set(squad, [...(bySquad.get(squad) ?? []), s]);
  }
  return [...bySquad.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, instances]) => {
      const total = zero();
      const actions = new Map<string, { meta: Record<string, string>; totals: Totals }>();
      for (const instance of instances) {
        for (const e of instance.endpoints) {
          const entry = actions.get(e.name) ?? { meta: e.metadata, totals: zero() };
          add(entry.totals, e.data);
          add(total, e.data);
          actions.set(e.name, entry);
        }
      }
      const newest = instances.reduce((a, b) => ((b.startedAt ?? 0) > (a.startedAt ?? 0) ? b : a));
      return {
        name,
        ...(newest.description ? { description: newest.description } : {}),
        instances: instances.map((i) => ({
          id: i.id,
          version: i.version,
          ...(i.startedAt === undefined ? {} : { startedAt: i.startedAt }),
        })),
        actions: [...actions.entries()]
          .sort(([a], [b]) => a.localeCompare(b))
          .map(([action, { meta, totals }]) => ({
            name: action,
            ...(meta['description'] ? { description: meta['description'] } : {}),
            ...(meta['compensate'] ? { compensate: meta['compensate'] } : {}),
            ...(meta['timeout_ms'] ? { timeoutMs: Number(meta['timeout_ms']) } : {}),
            ...(meta['command_subject'] ? { commandSubject: meta['command_subject'] } : {}),
            stats: view(totals),
          })),
        stats: view(total),
      };
    });
}
