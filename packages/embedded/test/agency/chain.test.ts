import { compileExpression, evaluateCondition } from '@squadflow/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HANDOFF_CHAIN, handoffNextInput, handoffNextWhen, type HandoffName } from '@squadflow/squads/catalog';
import { sampleInput, startAgency, type AgencyEnvironment } from './environment.ts';

let env: AgencyEnvironment;
beforeAll(async () => {
  env = await startAgency();
});
afterAll(() => env?.close());

const nextOf = (name: HandoffName): HandoffName => HANDOFF_CHAIN[(HANDOFF_CHAIN.indexOf(name) + 1) % HANDOFF_CHAIN.length]!;

/** Evaluates a handoff's next-input expression and condition over an output, as a chain would. */
async function handOn(name: HandoffName, output: unknown): Promise<{ when: boolean; input: unknown }> {
  const scope = { context: {}, steps: {}, execution: { id: 'ex_test', workflow: name }, output };
  const input = await compileExpression(handoffNextInput[name]).evaluate(scope);
  return { when: await evaluateCondition(handoffNextWhen[name], scope), input };
}

describe('the agency handoff chain', () => {
  it('lists the five handoffs in the order the work flows', () => {
    expect(HANDOFF_CHAIN).toEqual([
      'offer_to_marketing',
      'marketing_to_sales',
      'sales_to_fulfillment',
      'fulfillment_to_feedback',
      'feedback_to_offer',
    ]);
    expect(Object.keys(handoffNextInput).sort()).toEqual([...HANDOFF_CHAIN].sort());
  });

  it.each(HANDOFF_CHAIN.map((name) => [name, nextOf(name)]))(
    "maps %s's sample output to an input that %s accepts and completes",
    async (name, next) => {
      const first = await env.run(name, sampleInput(name));
      expect(first.status).toBe('completed');
      const { when, input } = await handOn(name, first.output);
      expect(when).toBe(true);
      expect(input).toBeTypeOf('object');
      const second = await env.run(next, input);
      expect(second.error).toBeUndefined();
      expect(second.status).toBe('completed');
    },
  );

  it('hands a planned campaign to sales with one simulated lead, which qualifies', async () => {
    const offer = await env.run('offer_to_marketing', sampleInput('offer_to_marketing'));
    const campaign = await handOn('offer_to_marketing', offer.output);
    expect(campaign.input).toMatchObject({
      leads_generated: [{ contact_info: { company: 'Simulated prospect', email: 'prospect@example.com' }, score: 65 }],
    });
    const sales = await env.run('marketing_to_sales', campaign.input);
    expect(sales.status).toBe('completed');
    expect(await handOn('marketing_to_sales', sales.output)).toMatchObject({ when: true });
  });

  it('stops after marketing_to_sales when no lead qualified: no deal to hand to fulfillment', async () => {
    const campaign = sampleInput('marketing_to_sales') as { leads_generated: Array<{ score: number }> };
    for (const lead of campaign.leads_generated) lead.score = 10;
    const sales = await env.run('marketing_to_sales', campaign);
    expect(sales.status).toBe('completed');
    const deal = await handOn('marketing_to_sales', sales.output);
    expect(deal).toEqual({ when: false, input: undefined });
  });

  it('runs marketing → sales → fulfillment → feedback → offer back to back and stops where client answers are needed', async () => {
    const ran: string[] = [];
    let name: HandoffName = 'marketing_to_sales';
    let input: unknown = sampleInput(name);
    for (let hop = 0; hop < HANDOFF_CHAIN.length; hop++) {
      const view = await env.run(name, input);
      expect(view.status).toBe('completed');
      ran.push(name);
      const handed = await handOn(name, view.output);
      if (!handed.when) break;
      name = nextOf(name);
      input = handed.input;
    }
    // feedback_to_offer got no answers (only the client has them), so it found no new service to offer.
    expect(ran).toEqual(['marketing_to_sales', 'sales_to_fulfillment', 'fulfillment_to_feedback', 'feedback_to_offer']);
  });
});
