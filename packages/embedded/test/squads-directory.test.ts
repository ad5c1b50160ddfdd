/**
 * `GET /v1/squads` on memory and on NATS with real squads (two replicas of
 * one): instances, actions with their metadata, and counters that move when
 * commands run. It lives here because only embedded wires gateway and
 * squads together; the gateway discovers squads through the transport.
 */
import { createGateway, type Gateway } from '@squadflow/gateway';
import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { silentLogger, workflow } from '@squadflow/shared';
import { defineSquad, startSquad, type RunningSquad } from '@squadflow/squads';
import { withNatsTransport } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { wireInProcess, type Wired } from '../src/index.ts';

const billing = defineSquad({
  name: 'billing',
  description: 'Charges and refunds',
  version: '1.2.3',
  actions: {
    charge: {
      description: 'Charges a customer',
      compensate: 'refund',
      timeout: '5s',
      input: z.object({ cents: z.number().int() }),
      handler: (input: { cents: number }) => ({ chargeId: `ch_${input.cents}` }),
    },
    refund: { description: 'Refunds a charge', handler: () => ({ refunded: true }) },
  },
});
const charge = workflow('charge_once').task('charge', { squad: 'billing', action: 'charge', input: '{ "cents": cents }' }).build();

interface SquadBody {
  squads: Array<{
    name: string;
    description?: string;
    instances: Array<{ id: string; version?: string; startedAt?: number }>;
    actions: Array<{ name: string; description?: string; compensate?: string; timeoutMs?: number; stats: { requests: number } }>;
    stats: { requests: number; errors: number; averageProcessingMs?: number };
  }>;
}

describe.each(['memory', 'nats'] as const)('squads over HTTP (%s)', (kind) => {
  let transport: Transport;
  let cleanup: () => Promise<void>;
  let wired: Wired;
  let replica: RunningSquad;
  let gateway: Gateway;
  let prefix: string;
  const startedAround = Date.now();
  beforeAll(async () => {
    if (kind === 'nats') ({ transport, prefix, cleanup } = await withNatsTransport('sq'));
    else {
      transport = createMemoryTransport();
      prefix = 'sqf';
      cleanup = () => transport.close();
    }
    const logger = silentLogger();
    wired = await wireInProcess({ transport, prefix, logger, squads: [billing], workflows: [charge] });
    replica = await startSquad({ transport, prefix, definition: billing, logger });
    gateway = createGateway({ client: wired.client, transport, prefix, logger, config: { port: 0 } });
  });
  afterAll(async () => {
    await gateway?.close();
    await replica?.stop();
    await wired?.stop();
    await cleanup?.();
  });

  const squads = async (): Promise<SquadBody['squads']> => {
    const res = await gateway.app.inject({ method: 'GET', url: '/v1/squads' });
    expect(res.statusCode).toBe(200);
    return (res.json() as SquadBody).squads;
  };

  it('lists both replicas of the squad with its actions and their metadata', async () => {
    const [billingView, ...others] = await squads();
    expect(others).toEqual([]);
    expect(billingView).toMatchObject({ name: 'billing', description: 'Charges and refunds' });
    expect(billingView!.instances).toHaveLength(2);
    for (const i of billingView!.instances) {
      expect(i.version).toBe('1.2.3');
      expect(Math.abs(i.startedAt! - startedAround)).toBeLessThan(60_000);
    }
    expect(billingView!.actions.map((a) => [a.name, a.description, a.compensate, a.timeoutMs])).toEqual([
      ['charge', 'Charges a customer', 'refund', 5_000],
      ['refund', 'Refunds a charge', undefined, undefined],
    ]);
  });

  it('counts the commands the replicas answered, per action and per squad, with their mean handler time', async () => {
    const ids = await Promise.all([1, 2, 3].map((cents) => wired.client.trigger('charge_once', { cents })));
    for (const id of ids) expect((await wired.client.waitFor(id, undefined, 20_000)).status).toBe('completed');
    const [billingView] = await squads();
    expect(billingView!.stats).toMatchObject({ requests: 3, errors: 0 });
    expect(billingView!.stats.averageProcessingMs).toBeGreaterThanOrEqual(0);
    expect(billingView!.actions.find((a) => a.name === 'charge')!.stats.requests).toBe(3);
    expect(billingView!.actions.find((a) => a.name === 'refund')!.stats.requests).toBe(0);
  });

  it('drops a replica that stopped', async () => {
    await replica.stop();
    expect((await squads())[0]!.instances).toHaveLength(1);
  });
});
