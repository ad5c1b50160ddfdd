import { NotifyConfigSchema, type AlertEvent, type LifecycleEvent } from '@squadflow/shared';
import { describe, expect, it } from 'vitest';
import { composeAlert, composeLifecycle } from '../../src/notifier/compose.ts';
import { addressesOf } from '../../src/notifier/recipients.ts';

const base = { executionId: 'ex_1', workflow: 'checkout', version: 1, at: 1 } as const;
const event = (type: LifecycleEvent['type'], step: string | undefined, data: unknown): LifecycleEvent => ({
  id: `${type}.1`,
  type,
  ...base,
  ...(step === undefined ? {} : { step }),
  data,
});

describe('who is told what', () => {
  const config = NotifyConfigSchema.parse({
    recipients: { ops: { email: 'ops@example.com', webhook: 'https://ops.example.com/hook' }, director: { whatsapp: '+55 11 90000-0003' } },
    escalations: { default: ['ops'], workflows: { checkout: ['director'] } },
  });

  it("routes an escalated execution to its workflow's route, else the default, with the error", () => {
    const escalated = composeLifecycle(event('execution.escalated', 'charge', { code: 'CARD_DECLINED', message: 'card declined' }), config);
    expect(escalated?.to).toEqual(['director']);
    expect(escalated?.notification.text).toContain('stopped at step charge: card declined.');
    const other = composeLifecycle({ ...event('execution.escalated', 'x', { message: 'boom' }), workflow: 'billing' }, config);
    expect(other?.to).toEqual(['ops']);
    const compensation = composeLifecycle(
      event('execution.escalated', 'refund', { compensation: true, error: { message: 'refund refused' } }),
      config,
    );
    expect(compensation?.notification.text).toContain('its compensation failed (refund refused)');
  });

  it("tells an escalated execution's target first, then the route, even when no route is configured", () => {
    const data = { code: 'SYNC_FAILED', message: 'sync refused', target: 'human-operator' };
    const escalated = composeLifecycle(event('execution.escalated', 'data-sync', data), config);
    expect(escalated?.to).toEqual(['human-operator', 'director']);
    expect(escalated?.notification.text).toContain('stopped at step data-sync: sync refused. It is escalated to human-operator.');
    expect(escalated?.notification.text).toContain('--from <step>');
    const unrouted = composeLifecycle(event('execution.escalated', 'data-sync', data), NotifyConfigSchema.parse({}));
    expect(unrouted?.to).toEqual(['human-operator']);
    const compensation = composeLifecycle(
      event('execution.escalated', 'refund', { compensation: true, error: { message: 'refund refused' }, target: 'ops@example.com' }),
      NotifyConfigSchema.parse({}),
    );
    expect(compensation?.to).toEqual(['ops@example.com']);
    expect(compensation?.notification.text).toContain('its compensation failed (refund refused)');
  });

  it("sends an alert to the route and to the recipients it names (an unanswered escalation's targets)", () => {
    const alert = {
      id: 'u.1.firing',
      type: 'alert.firing' as const,
      alert: 'u.cart',
      rule: 'u',
      kind: 'escalation_unanswered',
      severity: 'warning',
      summary: 's',
      value: 1,
      threshold: 1,
      since: 1,
      at: 1,
      recipients: ['billing-lead'],
    } satisfies AlertEvent;
    expect(composeAlert(alert, NotifyConfigSchema.parse({ alerts: ['ops'] }))?.to).toEqual(['ops', 'billing-lead']);
    expect(composeAlert(alert, NotifyConfigSchema.parse({}))?.to).toEqual(['billing-lead']);
  });

  it('tells nobody about events that concern no person, or when no route is configured', () => {
    expect(composeLifecycle(event('step.completed', 'charge', undefined), config)).toBeUndefined();
    expect(composeLifecycle(event('step.waiting', 'w', { kind: 'signal' }), config)).toBeUndefined();
    const alert = { id: 'a.1.firing', type: 'alert.firing', alert: 'a', rule: 'a', kind: 'stuck', severity: 'info', summary: 's' } as const;
    expect(composeAlert({ ...alert, value: 1, threshold: 1, since: 1, at: 1 }, config)).toBeUndefined();
    expect(composeLifecycle(event('execution.escalated', 'x', {}), NotifyConfigSchema.parse({}))).toBeUndefined();
  });

  it('reaches a configured name on each of its channels, and an address given as the name directly', () => {
    expect(addressesOf(config, 'ops')).toEqual([
      { channel: 'email', address: 'ops@example.com' },
      { channel: 'webhook', address: 'https://ops.example.com/hook' },
    ]);
    expect(addressesOf(config, 'ana@example.com')).toEqual([{ channel: 'email', address: 'ana@example.com' }]);
    expect(addressesOf(config, '+55 11 90000-0004')).toEqual([{ channel: 'whatsapp', address: '+55 11 90000-0004' }]);
    expect(addressesOf(config, 'nobody')).toEqual([]);
  });
});
