/** Seed 003's examples (examples/seed-003), written with the FlowBuilder DSL, run end to end in simulated time. */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutionView } from '@squadflow/engine';
import { TestEnvironment } from '@squadflow/embedded';
import { agentsSquad } from '../../examples/seed-003/agents-squad.ts';
import { seed003Workflows } from '../../examples/seed-003/workflows.ts';

let env: TestEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
});

const statuses = (view: ExecutionView) => Object.fromEntries(view.steps.map((s) => [s.name, s.status]));
const run = async (workflow: string, context: Record<string, unknown> = {}) => {
  env ??= await TestEnvironment.create({ squads: [agentsSquad], workflows: seed003Workflows });
  return env.runUntil(await env.client.trigger(workflow, context));
};
const started = (view: ExecutionView, step: string) => view.steps.find((s) => s.name === step)!.attempts[0]!.startedAt;
const ended = (view: ExecutionView, step: string) => view.steps.find((s) => s.name === step)!.endedAt!;

describe('seed 003 examples', () => {
  it('sequential: each step starts after the previous one ends', async () => {
    const view = await run('sequential_delivery');
    expect(view.status).toBe('completed');
    const names = view.steps.map((s) => s.name);
    for (let i = 1; i < names.length; i++) expect(started(view, names[i]!)).toBeGreaterThanOrEqual(ended(view, names[i - 1]!));
  });

  it('parallel: the frontend and backend branches fork after the analysis and join before integration testing', async () => {
    const view = await run('parallel_delivery');
    expect(view.status).toBe('completed');
    expect(view.steps.find((s) => s.name === 'integration-testing')!.status).toBe('completed');
    expect(started(view, 'integration-testing')).toBeGreaterThanOrEqual(
      Math.max(ended(view, 'implement-frontend'), ended(view, 'implement-backend')),
    );
    expect(started(view, 'implement-frontend')).toBeGreaterThanOrEqual(ended(view, 'design-ui'));
  });

  it('conditional: security issues run the fix branch, none runs the deployment', async () => {
    expect(statuses(await run('security_gate', { securityIssuesFound: true }))).toEqual({
      'security-scan': 'completed',
      'fix-security-issues': 'completed',
      'rerun-security-scan': 'completed',
      'proceed-to-deployment': 'skipped',
    });
    expect(statuses(await run('security_gate', { securityIssuesFound: false }))).toEqual({
      'security-scan': 'completed',
      'fix-security-issues': 'skipped',
      'rerun-security-scan': 'skipped',
      'proceed-to-deployment': 'completed',
    });
  });

  it('event-driven: a high-priority ticket event starts the integration and the ClickUp event finishes it', async () => {
    env = await TestEnvironment.create({ squads: [agentsSquad], workflows: seed003Workflows });
    const publish = (subject: string, event: unknown) =>
      env!.transport.streams.publish(subject, new TextEncoder().encode(JSON.stringify(event)));
    await publish('zendesk.ticket.created', { id: 'ZD-12345', priority: 'high', assignee: 'john.doe@company.com' });
    await env.settle();
    const [execution] = await env.client.listExecutions({ workflow: 'zendesk_clickup_integration' });
    await env.runUntil(execution!.executionId, ['waiting']);
    await publish('clickup.task.completed', { zendesk_ticket: 'ZD-12345', task: 'CU-1' });
    const view = await env.runUntil(execution!.executionId);
    expect(view.status).toBe('completed');
    expect(view.steps.find((s) => s.name === 'analyze-ticket')!.attempts).toHaveLength(1);
  });

  it('human approval: the manager is reminded at 24 h, the director asked at 48 h, and a rejection takes the rejection branch', async () => {
    env = await TestEnvironment.create({ squads: [agentsSquad], workflows: seed003Workflows });
    const id = await env.client.trigger('human_approval', {});
    await env.runUntil(id, ['waiting']);
    await env.advance('48h');
    const task = (await env.client.getExecution(id))!.steps.find((s) => s.name === 'review-analysis')!;
    expect(task).toMatchObject({ assignee: 'director@company.com', escalationLevel: 2 });
    await env.client.signal(task.key!, { approved: false, comment: 'not this quarter' });
    expect(statuses(await env.runUntil(id))).toEqual({
      'analyze-request': 'completed',
      'review-analysis': 'completed',
      'implement-solution': 'skipped',
      'deploy-solution': 'skipped',
      'notify-rejection': 'completed',
    });
  });

  it('advanced error handling: a failing sync escalates to the human operator, who retries from the last good step, then skips it', async () => {
    const ok = await run('complex_integration_workflow', { validationFails: false, syncFails: false });
    expect(ok.status).toBe('completed');

    const id = await env!.client.trigger('complex_integration_workflow', { validationFails: false, syncFails: true });
    const escalated = await env!.runUntil(id, ['escalated']);
    expect(statuses(escalated)).toMatchObject({ 'data-transformation': 'completed', 'data-sync': 'escalated' });
    expect(escalated.steps.find((s) => s.name === 'data-sync')).toMatchObject({ escalationTarget: 'human-operator' });
    const detail = (await env!.client.describeExecution(id))!;
    expect(detail.escalation).toMatchObject({ step: 'data-sync', target: 'human-operator', actions: ['retry', 'skip', 'abort'] });

    // "Restore the last good state": the operator runs it again from the transformation; the sync fails again and
    // escalates again, each step with a new attempt and the first ones kept.
    const accepted = await env!.client.retryFromStep(id, 'data-transformation');
    expect(accepted.steps).toEqual(['data-transformation', 'data-sync']);
    await env!.settle();
    const again = await env!.runUntil(id, ['escalated']);
    const attempts = (step: string) => again.steps.find((s) => s.name === step)!.attempts.map((a) => [a.attempt, a.status]);
    expect(attempts('data-transformation')).toEqual([
      [1, 'completed'],
      [2, 'completed'],
    ]);
    expect(attempts('data-sync')).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    expect(again.rewinds).toMatchObject([{ fromStep: 'data-transformation', previousStatus: 'escalated' }]);

    await env!.client.resolveEscalation(id, 'skip');
    expect(statuses(await env!.runUntil(id))).toMatchObject({ 'data-transformation': 'completed', 'data-sync': 'skipped' });
  });
});
