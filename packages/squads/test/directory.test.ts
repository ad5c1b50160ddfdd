import { createMemoryTransport, type Transport } from '@squadflow/transport';
import { silentLogger } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineSquad, listSquads, startSquad, type ActionContext, type RunningSquad } from '../src/index.ts';

const billing = defineSquad({
  name: 'billing',
  description: 'Charges and refunds',
  version: '1.4.0',
  actions: {
    charge: {
      description: 'Charges a customer',
      compensate: 'refund',
      timeout: '30s',
      input: z.object({ customerId: z.string(), cents: z.number().int().default(100) }),
      output: z.object({ chargeId: z.string() }),
      handler: () => ({ chargeId: 'ch_1' }),
    },
    refund: { handler: () => ({}) },
  },
});

let transport: Transport | undefined;
const running: RunningSquad[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((s) => s.stop()));
  await transport?.close();
  transport = undefined;
});

describe('squad directory', () => {
  it('lists every started squad with its actions, defaults and JSON Schemas, without the NATS services API', async () => {
    transport = createMemoryTransport();
    const logger = silentLogger();
    running.push(await startSquad({ definition: billing, transport, prefix: 'dir', logger }));
    running.push(
      await startSquad({ definition: defineSquad({ name: 'alerts', actions: { page: () => ({}) } }), transport, prefix: 'dir', logger }),
    );

    const squads = await listSquads(transport, 'dir');

    expect(squads.map((s) => s.name)).toEqual(['alerts', 'billing']);
    expect(squads[0]).toMatchObject({ version: '0.1.0', actions: { page: {} } });
    expect(squads[1]).toMatchObject({
      name: 'billing',
      description: 'Charges and refunds',
      version: '1.4.0',
      actions: {
        charge: {
          description: 'Charges a customer',
          compensate: 'refund',
          timeoutMs: 30_000,
          // The input side: `cents` has a default, so callers may omit it.
          input: { type: 'object', required: ['customerId'], properties: { cents: { type: 'integer', default: 100 } } },
          output: { type: 'object', required: ['chargeId'], properties: { chargeId: { type: 'string' } } },
        },
        refund: {},
      },
    });
    expect(squads[1]!.actions['refund']).not.toHaveProperty('input');
    expect(await listSquads(transport, 'other')).toEqual([]);
  });
});

describe('defineSquad', () => {
  it('rejects an unparseable action timeout and a non-semver version, naming each field', () => {
    expect(() => defineSquad({ name: 'bad', version: 'v1', actions: { go: { timeout: 'soon', handler: () => ({}) } } })).toThrow(
      expect.objectContaining({
        code: 'INVALID_DEFINITION',
        issues: [expect.objectContaining({ path: 'version' }), expect.objectContaining({ path: 'actions.go.timeout' })],
      }),
    );
  });

  it('takes a bare function as an action without schemas', async () => {
    const squad = defineSquad({ name: 'plain', actions: { ping: () => 'pong', typed: { handler: () => 1 } } });
    expect(squad.actions.ping).toEqual({ handler: expect.any(Function) });
    expect(await squad.actions.ping.handler(undefined, {} as ActionContext)).toBe('pong');
    expect(squad.actions.typed.handler).toBeTypeOf('function');
  });
});
