/** Discovered services grouped into this deployment's squads: other deployments and programs left out, counters summed. */
import type { DiscoveredService } from '@squadflow/transport';
import { describe, expect, it } from 'vitest';
import { squadsOf } from '../src/squad-directory.ts';

const instance = (
  id: string,
  prefix: string,
  squad: string,
  handled: number[],
  extra: Partial<DiscoveredService> = {},
): DiscoveredService => ({
  name: `squadflow-${prefix}-${squad}`,
  id,
  version: '1.0.0',
  metadata: { prefix, squad, runtime: 'squadflow' },
  startedAt: 1_000,
  endpoints: ['charge', 'refund'].map((action, i) => ({
    name: action,
    subject: `${prefix}.svc.${squad}.${action}`,
    metadata: {
      command_subject: `${prefix}.cmd.${squad}.${action}`,
      ...(action === 'charge' ? { compensate: 'refund', timeout_ms: '5000' } : {}),
    },
    data: { handled: handled[i], failed: i, inFlight: 0, runs: handled[i], handlerMs: handled[i]! * 10 },
  })),
  ...extra,
});

describe('squadsOf', () => {
  it("groups this prefix's replicas by squad and sums their counters per action and per squad", () => {
    const squads = squadsOf(
      [
        instance('a', 'sqf', 'billing', [3, 1]),
        instance('b', 'sqf', 'billing', [2, 0], { description: 'Charges', startedAt: 2_000 }),
        instance('c', 'other', 'billing', [100, 100]),
        { name: 'not-ours', id: 'd', version: '1', metadata: {}, endpoints: [] },
      ],
      'sqf',
    );
    expect(squads).toHaveLength(1);
    const [billing] = squads;
    expect(billing).toMatchObject({ name: 'billing', description: 'Charges' });
    expect(billing!.instances.map((i) => i.id)).toEqual(['a', 'b']);
    expect(billing!.actions).toEqual([
      {
        name: 'charge',
        compensate: 'refund',
        timeoutMs: 5_000,
        commandSubject: 'sqf.cmd.billing.charge',
        stats: { requests: 5, errors: 0, inFlight: 0, averageProcessingMs: 10 },
      },
      { name: 'refund', commandSubject: 'sqf.cmd.billing.refund', stats: { requests: 1, errors: 2, inFlight: 0, averageProcessingMs: 10 } },
    ]);
    expect(billing!.stats).toEqual({ requests: 6, errors: 2, inFlight: 0, averageProcessingMs: 10 });
  });

  it('counts nothing from STATS data it does not understand, and leaves the mean out before any run', () => {
    const odd = instance('a', 'sqf', 'odd', [0, 0]);
    odd.endpoints[0]!.data = 'not counters';
    const [squad] = squadsOf([odd], 'sqf');
    expect(squad!.stats).toEqual({ requests: 0, errors: 1, inFlight: 0 });
  });
});
