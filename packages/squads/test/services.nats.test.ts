import { connect, type NatsConnection } from '@nats-io/transport-node';
import { Svcm, type ServiceClient } from '@nats-io/services';
import { connectNatsTransport, parseServers, type Transport } from '@squadflow/transport';
import { names, silentLogger, stepCommandCodec, stepReplyCodec, type StepCommand, type StepReply } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cleanupPrefix, natsUrl, uniquePrefix } from '@squadflow/transport/testing';
import { defineSquad, listSquads, startSquad, type RunningSquad } from '../src/index.ts';

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
      output: z.object({ chargeId: z.string() }),
      handler: (input: { cents: number }) => ({ chargeId: `ch_${input.cents}` }),
    },
    refund: { description: 'Refunds a charge', handler: () => ({ refunded: true }) },
  },
});

let transport: Transport | undefined;
let squad: RunningSquad | undefined;
let nc: NatsConnection | undefined;
let prefix: string | undefined;
afterEach(async () => {
  await squad?.stop();
  await transport?.close();
  await nc?.close();
  if (prefix) await cleanupPrefix(prefix);
  transport = squad = nc = prefix = undefined;
});

/** Everything a services client query returns (it ends once responders go quiet). */
async function all<T>(query: Promise<AsyncIterable<T>>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of await query) out.push(item);
  return out;
}

async function operatorClient(): Promise<ServiceClient> {
  const { servers, user, pass } = parseServers(natsUrl());
  nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}) });
  return new Svcm(nc as unknown as ConstructorParameters<typeof Svcm>[0]).client();
}

describe('NATS services API', () => {
  it('lets an operator ping, describe and read stats of a running squad, with one endpoint per action', async () => {
    prefix = uniquePrefix('svc');
    transport = await connectNatsTransport({ servers: natsUrl() });
    squad = await startSquad({ definition: billing, transport, prefix, logger: silentLogger() });
    const client = await operatorClient();
    const name = names(prefix).services.name('billing');

    const pings = await all(client.ping(name));
    expect(pings).toEqual([
      expect.objectContaining({ name, version: '1.2.3', metadata: expect.objectContaining({ prefix, squad: 'billing' }) }),
    ]);

    const [info] = await all(client.info(name));
    expect(info).toMatchObject({ name, description: 'Charges and refunds' });
    expect(info!.endpoints.map((e) => [e.name, e.subject]).sort()).toEqual([
      ['charge', names(prefix).services.describe('billing', 'charge')],
      ['refund', names(prefix).services.describe('billing', 'refund')],
    ]);
    expect(info!.endpoints.find((e) => e.name === 'charge')!.metadata).toMatchObject({
      command_subject: names(prefix).command('billing', 'charge'),
      compensate: 'refund',
      timeout_ms: '5000',
    });

    const answer = await nc!.request(names(prefix).services.describe('billing', 'charge'), '', { timeout: 5_000 });
    expect(answer.json()).toMatchObject({
      squad: 'billing',
      action: 'charge',
      description: 'Charges a customer',
      input: { type: 'object', properties: { cents: { type: 'integer' } } },
    });

    const command: StepCommand = {
      id: 'ex_svc.pay.1',
      executionId: 'ex_svc',
      workflow: 'svc',
      step: 'pay',
      attempt: 1,
      squad: 'billing',
      action: 'charge',
      compensation: false,
      input: { cents: 250 },
      deadline: Date.now() + 30_000,
    };
    await transport.streams.publish(names(prefix).command('billing', 'charge'), stepCommandCodec.encode(command), { msgId: command.id });
    const replied = new Promise<StepReply>((resolve) => {
      void transport!.streams.consume(
        names(prefix!).streams.inbound,
        { durable: 'test_replies', filterSubject: names(prefix!).inboundAll },
        async (msg) => {
          msg.ack();
          resolve(stepReplyCodec.decode(msg.data));
        },
      );
    });
    expect(await replied).toMatchObject({ commandId: command.id, ok: true, output: { chargeId: 'ch_250' } });

    const [stats] = await all(client.stats(name));
    const charge = stats!.endpoints!.find((e) => e.name === 'charge');
    expect(charge!.data).toMatchObject({ handled: 1, failed: 0, inFlight: 0, runs: 1 });
    expect((await listSquads(transport, prefix)).map((s) => s.name)).toEqual(['billing']);

    await squad.stop();
    await expect(all(client.ping(name))).rejects.toThrow(/no responders/);
  });
});
