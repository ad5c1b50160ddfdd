import { describe, expect, it } from 'vitest';
import { SquadflowError } from '@squadflow/shared';
import { readHandoffChainSettings } from '../../src/catalog/agency/chain-settings.ts';
import type { HandoffStarter } from '../../src/catalog/agency/handoff-trigger.ts';
import { handOn, handOnKey, nextHandoffOf, type DeliveredHandoff } from '../../src/catalog/agency/next-handoff.ts';
import { HANDOFFS } from '../../src/catalog/agency/index.ts';
import { sampleInput } from './samples.ts';

/** A starter that records what it was asked to start and names the execution after the key. */
function recordingStarter(): HandoffStarter & { started: Array<{ workflow: string; context: Record<string, unknown>; key: string }> } {
  const started: Array<{ workflow: string; context: Record<string, unknown>; key: string }> = [];
  return {
    started,
    start: (workflow, context, key) => {
      started.push({ workflow, context, key });
      return Promise.resolve(`ex_${started.length}`);
    },
  };
}

/** feedback_to_offer delivered on its sample input (the client asks for ongoing support: a new offer to make). */
function feedbackDelivered(link?: DeliveredHandoff['link']): DeliveredHandoff {
  const spec = HANDOFFS.feedback_to_offer;
  return {
    handoff: 'feedback_to_offer',
    workflowId: 'feedback_to_offer_ex_fb',
    nextStep: spec.nextStep,
    handoffData: spec.transform(spec.input.parse(sampleInput('feedback_to_offer'))) as Record<string, unknown>,
    link,
    executionId: 'ex_fb',
    step: 'execute_handoff',
  };
}

describe('handing a delivered handoff on', () => {
  it('closes the cycle: feedback → offer hands on to offer → marketing', () => {
    expect(nextHandoffOf('feedback_to_offer')).toBe('offer_to_marketing');
    expect(nextHandoffOf('offer_to_marketing')).toBe('marketing_to_sales');
  });

  it('starts the next handoff keyed by execution and step, with the chain link in its context', async () => {
    const starter = recordingStarter();
    const next = await handOn(feedbackDelivered(), { enabled: true, maxHops: 5 }, starter);
    expect(next).toEqual({ status: 'started', workflow: 'offer_to_marketing', execution_id: 'ex_1', hop: 1 });
    expect(starter.started).toHaveLength(1);
    expect(starter.started[0]!.key).toBe(handOnKey('ex_fb', 'execute_handoff'));
    expect(starter.started[0]!.key).not.toMatch(/attempt|\.\d+$/);
    expect(starter.started[0]!.context).toMatchObject({
      product_name: 'Ongoing support packages',
      handoff_chain: { hop: 1, origin: 'ex_fb', previous: 'ex_fb' },
    });
  });

  it('keeps the origin and counts hops along the chain', async () => {
    const starter = recordingStarter();
    const next = await handOn(
      feedbackDelivered({ hop: 3, origin: 'ex_first', previous: 'ex_before' }),
      { enabled: true, maxHops: 5 },
      starter,
    );
    expect(next).toMatchObject({ status: 'started', hop: 4 });
    expect(starter.started[0]!.context['handoff_chain']).toEqual({ hop: 4, origin: 'ex_first', previous: 'ex_fb' });
  });

  it('starts nothing past the hop limit, and says why', async () => {
    const starter = recordingStarter();
    const next = await handOn(
      feedbackDelivered({ hop: 5, origin: 'ex_first', previous: 'ex_before' }),
      { enabled: true, maxHops: 5 },
      starter,
    );
    expect(next).toMatchObject({ status: 'not_started', workflow: 'offer_to_marketing', reason: 'max_hops' });
    expect(next.status === 'not_started' && next.detail).toContain('SQUADFLOW_HANDOFF_MAX_HOPS');
    expect(starter.started).toEqual([]);
  });

  it('starts nothing when chaining is off or there is nothing to hand on', async () => {
    const starter = recordingStarter();
    expect(await handOn(feedbackDelivered(), { enabled: false, maxHops: 5 }, starter)).toMatchObject({ reason: 'chaining_disabled' });
    expect(await handOn(feedbackDelivered(), { enabled: true, maxHops: 5 }, undefined)).toMatchObject({ reason: 'chaining_disabled' });
    const noAnswers = feedbackDelivered();
    const spec = HANDOFFS.feedback_to_offer;
    noAnswers.handoffData = spec.transform(
      spec.input.parse({ feedback_id: 'fb_1', project_id: 'proj_1', responses: [], ratings: {} }),
    ) as Record<string, unknown>;
    expect(await handOn(noAnswers, { enabled: true, maxHops: 5 }, starter)).toMatchObject({ reason: 'nothing_to_hand_on' });
    expect(starter.started).toEqual([]);
  });
});

describe('the agency squad environment', () => {
  it('chains by default, at most five hops', () => {
    expect(readHandoffChainSettings({})).toEqual({ enabled: true, maxHops: 5 });
    expect(readHandoffChainSettings({ SQUADFLOW_CHAIN_HANDOFFS: '', SQUADFLOW_HANDOFF_MAX_HOPS: '' })).toEqual({
      enabled: true,
      maxHops: 5,
    });
  });

  it.each([
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['off', false],
    ['true', true],
    ['yes', true],
  ])('reads SQUADFLOW_CHAIN_HANDOFFS=%s as %s', (value, enabled) => {
    expect(readHandoffChainSettings({ SQUADFLOW_CHAIN_HANDOFFS: value }).enabled).toBe(enabled);
  });

  it('refuses bad values, naming each variable', () => {
    let error: unknown;
    try {
      readHandoffChainSettings({ SQUADFLOW_CHAIN_HANDOFFS: 'maybe', SQUADFLOW_HANDOFF_MAX_HOPS: '-1' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SquadflowError);
    expect((error as SquadflowError).code).toBe('INVALID_CONFIG');
    expect((error as SquadflowError).issues.map((i) => i.path).sort()).toEqual(['SQUADFLOW_CHAIN_HANDOFFS', 'SQUADFLOW_HANDOFF_MAX_HOPS']);
  });
});
