/**
 * Seed 001's chain as the agency squad runs it: `execute_handoff` publishes
 * the next handoff's trigger, keyed by execution and step. On the in-memory
 * adapters and on NATS: the five handoffs chain from one offer, a retried
 * attempt starts the next handoff once, chaining off starts nothing, and the
 * hop limit ends a chain.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionView } from '@squadflow/engine';
import {
  HANDOFF_CHAIN,
  handOnKey,
  handoffWorkflows,
  NextHandoffSchema,
  type HandoffName,
  type HandoffStarter,
  type NextHandoff,
} from '@squadflow/squads/catalog';
import type { Transport } from '@squadflow/transport';
import { names, type WorkflowDefinition } from '@squadflow/shared';
import { sampleInput, startAgency, type AgencyEnvironment, type AgencyOptions } from './environment.ts';

let env: AgencyEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const nextOf = (view: ExecutionView): NextHandoff => NextHandoffSchema.parse((view.output as { next_handoff: unknown }).next_handoff);

/** Runs `first` on its sample input and waits for every execution the chain starts; returns them in order. */
async function runChain(e: AgencyEnvironment, first: HandoffName, input: unknown = sampleInput(first)): Promise<ExecutionView[]> {
  const chain = [await e.run(first, input)];
  for (;;) {
    const last = chain.at(-1)!;
    expect(last.status).toBe('completed');
    const next = nextOf(last);
    if (next.status !== 'started') return chain;
    chain.push(await e.client.waitFor(next.execution_id, undefined, 10_000));
  }
}

/** How many executions each workflow has: a handoff started twice shows as 2. */
async function executionsPerWorkflow(e: AgencyEnvironment): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const name of HANDOFF_CHAIN) counts[name] = (await e.client.listExecutions({ workflow: name })).length;
  return counts;
}

/** A publisher whose first start publishes, then fails: the attempt's reply says it failed, though the trigger went out. */
function failingAfterPublish(calls: string[]): AgencyOptions['starter'] {
  return (publisher: HandoffStarter): HandoffStarter => ({
    async start(workflow, context, key) {
      const id = await publisher.start(workflow, context, key);
      calls.push(id);
      if (calls.length === 1) throw new Error('connection lost after the trigger was published');
      return id;
    },
  });
}

/** The squad's transport, with the first successful reply of `execute_handoff` dropped on the way (a lost reply). */
function losingFirstHandoffReply(transport: Transport, prefix: string, dropped: string[]): Transport {
  // Every reply subject starts so (`p.in.reply.`), whatever its partition and execution.
  const replies = names(prefix).inboundFilter('reply').slice(0, -1);
  const streams = new Proxy(transport.streams, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property !== 'publish' || typeof value !== 'function') return typeof value === 'function' ? value.bind(target) : value;
      return async (subject: string, data: Uint8Array, options?: unknown) => {
        if (subject.startsWith(replies) && dropped.length === 0) {
          const reply = JSON.parse(new TextDecoder().decode(data)) as { step?: string; ok?: boolean; error?: unknown };
          if (reply.step === 'execute_handoff' && reply.error === undefined) {
            dropped.push(subject);
            return;
          }
        }
        return (value as (...args: unknown[]) => Promise<void>).call(target, subject, data, options);
      };
    },
  });
  return new Proxy(transport, {
    get(target, property) {
      if (property === 'streams') return streams;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** offer_to_marketing with a short `execute_handoff` timeout, so a lost reply is retried soon. */
function withShortHandoffTimeout(definition: WorkflowDefinition): WorkflowDefinition {
  const steps = (definition.steps as Array<Record<string, unknown>>).map((s) =>
    s['name'] === 'execute_handoff' ? { ...s, timeout: '1s' } : s,
  );
  return { ...definition, steps } as WorkflowDefinition;
}

describe.each(['memory', 'nats'] as const)('agency handoff chain (%s)', (kind) => {
  it('chains the five handoffs from one offer to feedback → offer, each started once', async () => {
    env = await startAgency({ kind, chain: true });
    const chain = await runChain(env, 'offer_to_marketing');
    expect(chain.map((v) => v.workflow)).toEqual([...HANDOFF_CHAIN]);
    const [first] = chain;
    chain.slice(1).forEach((view, i) => {
      const previous = chain[i]!;
      expect(nextOf(previous)).toEqual({ status: 'started', workflow: view.workflow, execution_id: view.executionId, hop: i + 1 });
      expect(view.idempotencyKey).toBe(handOnKey(previous.executionId, 'execute_handoff'));
      expect(view.context['handoff_chain']).toEqual({ hop: i + 1, origin: first!.executionId, previous: previous.executionId });
    });
    // feedback_to_offer had no client answers to go on: no new service, so no new offer.
    expect(nextOf(chain.at(-1)!)).toMatchObject({ status: 'not_started', workflow: 'offer_to_marketing', reason: 'nothing_to_hand_on' });
    expect(await executionsPerWorkflow(env)).toEqual(Object.fromEntries(HANDOFF_CHAIN.map((name) => [name, 1])));
  });

  it('starts the next handoff once when the attempt that published it failed and was retried', async () => {
    const calls: string[] = [];
    // One hop: the trigger of marketing_to_sales is the only one published.
    env = await startAgency({ kind, chain: true, maxHops: 1, starter: failingAfterPublish(calls) });
    const offer = await env.run('offer_to_marketing', sampleInput('offer_to_marketing'));
    expect(offer.status).toBe('completed');
    const step = offer.steps.find((s) => s.name === 'execute_handoff')!;
    expect(step.attempts.map((a) => a.status)).toEqual(['failed', 'completed']);
    const next = nextOf(offer);
    if (next.status !== 'started') throw new Error(`expected a started handoff, got ${JSON.stringify(next)}`);
    // Both attempts published under one key, so both named the same execution: the one that exists.
    expect(calls).toEqual([next.execution_id, next.execution_id]);
    const sales = await env.client.waitFor(next.execution_id, undefined, 10_000);
    expect(sales.workflow).toBe('marketing_to_sales');
    expect(await env.client.listExecutions({ workflow: 'marketing_to_sales' })).toHaveLength(1);
  });

  it('starts the next handoff once when the reply of the attempt that started it was lost', async () => {
    const dropped: string[] = [];
    env = await startAgency({ kind, chain: true, maxHops: 1, transport: (t, prefix) => losingFirstHandoffReply(t, prefix, dropped) });
    await env.client.registerWorkflow(withShortHandoffTimeout(handoffWorkflows.offer_to_marketing));
    const offer = await env.run('offer_to_marketing', sampleInput('offer_to_marketing'));
    expect(dropped).toHaveLength(1);
    expect(offer.status).toBe('completed');
    expect(offer.steps.find((s) => s.name === 'execute_handoff')!.attempts.length).toBe(2);
    const next = nextOf(offer);
    if (next.status !== 'started') throw new Error(`expected a started handoff, got ${JSON.stringify(next)}`);
    const sales = await env.client.waitFor(next.execution_id, undefined, 10_000);
    expect(sales.workflow).toBe('marketing_to_sales');
    expect(await env.client.listExecutions({ workflow: 'marketing_to_sales' })).toHaveLength(1);
  });

  it('starts nothing with chaining off, and says so in the output', async () => {
    env = await startAgency({ kind, chain: false });
    const offer = await env.run('offer_to_marketing', sampleInput('offer_to_marketing'));
    expect(offer.status).toBe('completed');
    expect(nextOf(offer)).toMatchObject({ status: 'not_started', workflow: 'marketing_to_sales', reason: 'chaining_disabled' });
    expect(await executionsPerWorkflow(env)).toEqual({
      ...Object.fromEntries(HANDOFF_CHAIN.map((name) => [name, 0])),
      offer_to_marketing: 1,
    });
  });

  it('ends a chain at its hop limit', async () => {
    env = await startAgency({ kind, chain: true, maxHops: 2 });
    const chain = await runChain(env, 'offer_to_marketing');
    expect(chain.map((v) => v.workflow)).toEqual(['offer_to_marketing', 'marketing_to_sales', 'sales_to_fulfillment']);
    expect(nextOf(chain[2]!)).toMatchObject({ status: 'not_started', workflow: 'fulfillment_to_feedback', reason: 'max_hops' });
    expect((await env.client.listExecutions({ workflow: 'fulfillment_to_feedback' })).length).toBe(0);
  });
});

describe('the loop guard on the in-memory adapters', () => {
  it('lets feedback with client answers close the cycle once: the refined offer goes round to feedback, then stops', async () => {
    env = await startAgency({ chain: true });
    const chain = await runChain(env, 'feedback_to_offer');
    // The sample feedback asks for ongoing support: a new offer, which runs the whole cycle back to feedback.
    expect(chain.map((v) => v.workflow)).toEqual([
      'feedback_to_offer',
      'offer_to_marketing',
      'marketing_to_sales',
      'sales_to_fulfillment',
      'fulfillment_to_feedback',
      'feedback_to_offer',
    ]);
    expect(nextOf(chain[5]!)).toMatchObject({ status: 'not_started', reason: 'nothing_to_hand_on' });
  });

  it('stops a cycle that its data would keep going, at the default limit of five hops', async () => {
    env = await startAgency({ chain: true });
    // A feedback_to_offer that is already five hops in: its refined offer would be hop 6.
    const input = { ...sampleInput('feedback_to_offer'), handoff_chain: { hop: 5, origin: 'ex_origin', previous: 'ex_previous' } };
    const view = await env.run('feedback_to_offer', input);
    expect(nextOf(view)).toMatchObject({ status: 'not_started', workflow: 'offer_to_marketing', reason: 'max_hops' });
    expect(await env.client.listExecutions({ workflow: 'offer_to_marketing' })).toHaveLength(0);
  });

  it('refuses a malformed chain link at trigger time, naming the field', async () => {
    env = await startAgency({ chain: true });
    const input = { ...sampleInput('feedback_to_offer'), handoff_chain: { hop: 0, origin: 'ex_origin', previous: 'ex_previous' } };
    await expect(env.client.trigger('feedback_to_offer', input)).rejects.toMatchObject({
      code: 'INVALID_CONTEXT',
      issues: [expect.objectContaining({ path: expect.stringContaining('handoff_chain') })],
    });
  });
});
