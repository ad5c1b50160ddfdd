/**
 * The NATS contract of docs/gateway.md, from a service that does not use HTTP
 * nor the engine client: a plain `@nats-io/transport-node` + `@nats-io/jetstream`
 * client publishes a trigger and follows the workflow's lifecycle events.
 */
import { jetstream } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LifecycleEventSchema, TriggerMessageSchema, type LifecycleEvent } from '@squadflow/shared';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Collector, natsUrl } from '@squadflow/transport/testing';
import { echoWorkflow, startStack, type Stack } from './support.ts';

describe('NATS contract for services without HTTP', () => {
  let stack: Stack;
  let nc: NatsConnection;
  beforeAll(async () => {
    stack = await startStack({ kind: 'nats', workflows: [echoWorkflow('external_order')] });
    nc = await connect({ servers: natsUrl() });
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.close();
  });

  it('starts an execution from a published trigger and reports execution.started and execution.completed on the lifecycle subject', async () => {
    const p = stack.prefix;
    const js = jetstream(nc);
    const events = new Collector<LifecycleEvent>();
    // Lifecycle events are kept in the <P>_LC stream: an ordered consumer filtered to one workflow sees them in order.
    const consumer = await js.consumers.get(`${p.toUpperCase()}_LC`, { filter_subjects: `${p}.lc.external_order.>` });
    const messages = await consumer.consume();
    const subjects: string[] = [];
    void (async () => {
      for await (const m of messages) {
        subjects.push(m.subject);
        events.push(LifecycleEventSchema.parse(m.json()));
      }
    })();

    const executionId = `ex_order_${randomUUID().replace(/-/g, '')}`;
    const trigger = TriggerMessageSchema.parse({
      kind: 'trigger',
      workflow: 'external_order',
      executionId,
      idempotencyKey: 'order-991',
      context: { order_id: 991 },
      requestedAt: Date.now(),
    });
    const data = JSON.stringify(trigger);
    const first = await js.publish(`${p}.in.trigger.external_order`, data, { msgID: `trigger.${executionId}` });
    const replay = await js.publish(`${p}.in.trigger.external_order`, data, { msgID: `trigger.${executionId}` });
    expect(first.duplicate).toBe(false);
    expect(replay.duplicate).toBe(true);

    const seen = await events.until((list) => list.some((e) => e.type === 'execution.completed'), 'execution.completed', 20_000);
    const ours = seen.filter((e) => e.executionId === executionId);
    expect(ours.map((e) => e.type)).toEqual(['execution.started', 'step.completed', 'execution.completed']);
    expect(subjects).toContain(`${p}.lc.external_order.execution.started`);
    expect(ours[1]).toMatchObject({ step: 'echo', workflow: 'external_order', version: 1 });
    await messages.close();

    const view = await stack.client.getExecution(executionId);
    expect(view).toMatchObject({ status: 'completed', idempotencyKey: 'order-991', output: { echo: { echo: { order_id: 991 } } } });
  });
});
