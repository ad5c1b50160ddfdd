/**
 * The workflow language beyond the DAG basics, in the time-skipping
 * environment: outcome branches, pause on error, continue on error,
 * validation between pipeline stages, human tasks with escalation chains.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FlowBuilder, workflow } from '@squadflow/shared';
import type { ExecutionView } from '@squadflow/engine';
import { defineSquad } from '@squadflow/squads';
import { TestEnvironment } from '@squadflow/embedded';

const calls: string[] = [];
let broken = true;
const tools = defineSquad({
  name: 'tools',
  actions: {
    ok: { input: z.unknown(), output: z.unknown(), handler: (input: unknown, ctx) => (calls.push(ctx.step), { step: ctx.step, input }) },
    fragile: {
      input: z.unknown(),
      output: z.unknown(),
      handler: (_: unknown, ctx) => {
        calls.push(ctx.step);
        if (broken) throw new Error('supplier API down');
        return { fixed: true };
      },
    },
    emit: { input: z.unknown(), output: z.unknown(), handler: (input: unknown) => input },
  },
});

let env: TestEnvironment | undefined;
afterEach(async () => {
  await env?.close();
  env = undefined;
  calls.length = 0;
  broken = true;
});

const start = async (definition: unknown) => {
  env = await TestEnvironment.create({ squads: [tools], workflows: [definition] });
  return env;
};
const statuses = (view: ExecutionView) => Object.fromEntries(view.steps.map((s) => [s.name, s.status]));

describe('workflow language', () => {
  it('runs the true branch of a condition and skips the whole false branch, then joins', async () => {
    const e = await start(
      workflow('branches')
        .task('decide', { squad: 'tools', action: 'ok', condition: 'approved' })
        .task('implement', { squad: 'tools', action: 'ok', dependsOn: [{ step: 'decide', on: 'completed' }] })
        .task('deploy', { squad: 'tools', action: 'ok', dependsOn: [{ step: 'implement', on: 'completed' }] })
        .task('reject', { squad: 'tools', action: 'ok', dependsOn: [{ step: 'decide', on: 'skipped' }] })
        .task('report', { squad: 'tools', action: 'ok', dependsOn: ['deploy', 'reject'] })
        .build(),
    );
    const yes = await e.runUntil(await e.client.trigger('branches', { approved: true }));
    expect(statuses(yes)).toEqual({
      decide: 'completed',
      implement: 'completed',
      deploy: 'completed',
      reject: 'skipped',
      report: 'completed',
    });
    const no = await e.runUntil(await e.client.trigger('branches', { approved: false }));
    expect(statuses(no)).toEqual({ decide: 'skipped', implement: 'skipped', deploy: 'skipped', reject: 'completed', report: 'completed' });
  });

  it('pauses the execution when retries run out (onError: pause), and runs the step again on resume', async () => {
    const e = await start(
      workflow('pausing')
        .task('sync', { squad: 'tools', action: 'fragile', onError: 'pause', retry: { retries: 1, initialInterval: '1m' } })
        .task('after', { squad: 'tools', action: 'ok', dependsOn: ['sync'] })
        .build(),
    );
    const id = await e.client.trigger('pausing', {});
    const paused = await e.runUntil(id, ['paused']);
    expect(paused.steps[0]!.attempts.map((a) => a.status)).toEqual(['failed', 'failed']);
    await e.advance('1d');
    expect(calls).toEqual(['sync', 'sync']); // nothing runs while paused
    broken = false; // the operator fixes the cause
    await e.client.resume(id);
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(calls).toEqual(['sync', 'sync', 'sync', 'after']);
  });

  it('continues past failed steps when the workflow says continueOnError', async () => {
    const e = await start(
      workflow('tolerant')
        .continueOnError()
        .task('optional', { squad: 'tools', action: 'fragile' })
        .task('critical', { squad: 'tools', action: 'fragile', onError: 'fail', dependsOn: ['optional'] })
        .build(),
    );
    const view = await e.runUntil(await e.client.trigger('tolerant', {}));
    expect(statuses(view)).toEqual({ optional: 'skipped', critical: 'failed' });
    expect(view.status).toBe('failed');
  });

  it('feeds each pipeline stage the previous output and stops at a stage whose output is invalid', async () => {
    const e = await start(
      workflow('pipeline')
        .task('extract', {
          squad: 'tools',
          action: 'emit',
          input: '{ "rows": [1, 2, 3] }',
          outputSchema: { type: 'object', required: ['rows'] },
        })
        .task('transform', {
          squad: 'tools',
          action: 'emit',
          dependsOn: ['extract'],
          input: '{ "total": $sum($steps.extract.rows) }',
          outputSchema: { type: 'object', required: ['total'], properties: { total: { type: 'string' } } },
          retry: { retries: 3 },
        })
        .task('load', { squad: 'tools', action: 'ok', dependsOn: ['transform'] })
        .build(),
    );
    const view = await e.runUntil(await e.client.trigger('pipeline', {}));
    expect(statuses(view)).toEqual({ extract: 'completed', transform: 'failed', load: 'halted' });
    const transform = view.steps[1]!;
    expect(transform.attempts).toHaveLength(1); // invalid output is not retried
    expect(transform.error).toMatchObject({ code: 'INVALID_OUTPUT' });
    expect(transform.error!.message).toContain('output.total');
  });

  it('escalates an undecided human task after 24 h and 48 h, and later branches read the decision', async () => {
    const e = await start(
      workflow('approval')
        .task('analyze_request', { squad: 'tools', action: 'ok' })
        .human('review_analysis', {
          assignee: 'manager@company.com',
          dependsOn: ['analyze_request'],
          escalations: [
            { after: '24h', to: 'manager@company.com' },
            { after: '48h', to: 'director@company.com' },
          ],
          timeout: '72h',
        })
        .task('implement_solution', {
          squad: 'tools',
          action: 'ok',
          dependsOn: ['review_analysis'],
          condition: '$steps.review_analysis.approved = true',
        })
        .task('notify_rejection', {
          squad: 'tools',
          action: 'ok',
          dependsOn: ['review_analysis'],
          condition: '$steps.review_analysis.approved = false',
        })
        .build(),
    );
    const id = await e.client.trigger('approval', {});
    const task = async () => (await e.client.getExecution(id))!.steps[1]!;
    await e.runUntil(id, ['waiting']);
    expect(await task()).toMatchObject({
      status: 'waiting',
      assignee: 'manager@company.com',
      escalationLevel: 0,
      key: `human_${id}_review_analysis`,
    });
    await e.advance('23h59m');
    expect((await task()).escalationLevel).toBe(0);
    await e.advance('1m');
    expect(await task()).toMatchObject({ assignee: 'manager@company.com', escalationLevel: 1 });
    await e.advance('24h');
    expect(await task()).toMatchObject({ status: 'waiting', assignee: 'director@company.com', escalationLevel: 2 });
    // The chain is part of the record: everyone asked so far, in order.
    expect((await task()).escalationChain).toEqual(['manager@company.com', 'manager@company.com', 'director@company.com']);
    await e.client.signal((await task()).key!, { approved: false, by: 'director@company.com' });
    const view = await e.runUntil(id);
    expect(statuses(view)).toEqual({
      analyze_request: 'completed',
      review_analysis: 'completed',
      implement_solution: 'skipped',
      notify_rejection: 'completed',
    });
    expect(view.steps[1]!.output).toEqual({ approved: false, by: 'director@company.com' });
  });

  it('starts a workflow from a matching NATS event once, and resumes it on a further event (seed 003 event-driven)', async () => {
    const e = await start(
      new FlowBuilder('zendesk_clickup')
        .addEventTrigger('zendesk.ticket.created', {
          condition: 'priority = "high"',
          context: '{ "ticketId": id, "priority": priority }',
          idempotencyKey: 'id',
        })
        .addStep('analyze_ticket', { squad: 'tools', action: 'ok' })
        .addStep('create_clickup_task', { squad: 'tools', action: 'ok' })
        .addWait('task_completed', { signal: 'task_done_{ticketId}' })
        .addEventTrigger('clickup.task.completed', { signal: '"task_done_" & ticket' })
        .addStep('update_zendesk_ticket', { squad: 'tools', action: 'ok' })
        .build(),
    );
    const publish = (subject: string, event: unknown) =>
      e.transport.streams.publish(subject, new TextEncoder().encode(JSON.stringify(event)));
    await publish('zendesk.ticket.created', { id: 'ZD-1', priority: 'low' });
    await publish('zendesk.ticket.created', { id: 'ZD-2', priority: 'high' });
    await publish('zendesk.ticket.created', { id: 'ZD-2', priority: 'high' }); // redelivered by the source
    await e.settle();
    const started = await e.client.listExecutions({ workflow: 'zendesk_clickup' });
    expect(started.map((x) => x.context)).toEqual([{ ticketId: 'ZD-2', priority: 'high' }]);
    await e.runUntil(started[0]!.executionId, ['waiting']);
    await publish('clickup.task.completed', { ticket: 'ZD-2' });
    const view = await e.runUntil(started[0]!.executionId);
    expect(view.status).toBe('completed');
    expect(view.steps.find((s) => s.name === 'task_completed')!.output).toEqual({ ticket: 'ZD-2' });
  });

  it('does not miss a signal sent shortly before the wait began (lookback), but ignores one older than the window', async () => {
    const e = await start(
      workflow('early')
        .task('prepare', { squad: 'tools', action: 'ok', delay: '30s' })
        .wait('reply', { signal: 'reply_{order}', timeout: '1h', lookback: '1m', dependsOn: ['prepare'] })
        .build(),
    );
    const id = await e.client.trigger('early', { order: 'A' });
    await e.client.signal('reply_A', { ok: true }); // arrives while `prepare` is still delayed: nothing waits yet
    const view = await e.runUntil(id);
    expect(view.steps[1]).toMatchObject({ status: 'completed', outcome: 'signal', output: { ok: true } });

    await e.client.signal('reply_B', { ok: 'too early' });
    await e.advance('5m');
    const late = await e.runUntil(await e.client.trigger('early', { order: 'B' }));
    expect(late.steps[1]).toMatchObject({ status: 'completed', outcome: 'timeout' });
  });

  it('opens a circuit breaker shared by executions after consecutive failures, fails fast while open, and closes after a good half-open probe', async () => {
    const breaker = { failureThreshold: 3, resetAfter: '1m', whileOpen: 'fail' as const };
    const e = await start(workflow('guarded').task('sync', { squad: 'tools', action: 'fragile', circuitBreaker: breaker }).build());
    for (let i = 0; i < 3; i++) expect((await e.runUntil(await e.client.trigger('guarded', {}))).status).toBe('failed');
    expect(calls).toHaveLength(3);
    const breakers = async () => (await e.client.metrics()).breakers;
    expect(await breakers()).toMatchObject([{ squad: 'tools', action: 'fragile', state: 'open', failures: 3 }]);

    const fast = await e.runUntil(await e.client.trigger('guarded', {}));
    expect(fast.steps[0]!.error).toMatchObject({ code: 'CIRCUIT_OPEN' });
    expect(calls).toHaveLength(3); // failed fast: the squad was not called

    broken = false;
    await e.advance('1m');
    expect((await e.runUntil(await e.client.trigger('guarded', {}))).status).toBe('completed'); // the half-open probe
    expect(await breakers()).toMatchObject([{ state: 'closed', failures: 0 }]);
  });

  it('holds attempts while the breaker is open when its policy waits, without using up retries', async () => {
    const breaker = { failureThreshold: 1, resetAfter: '10m', whileOpen: 'wait' as const };
    const e = await start(
      workflow('patient')
        .task('sync', { squad: 'tools', action: 'fragile', circuitBreaker: breaker, retry: { retries: 1, initialInterval: '1s' } })
        .build(),
    );
    expect((await e.runUntil(await e.client.trigger('patient', {}))).status).toBe('failed'); // opens the breaker
    const id = await e.client.trigger('patient', {});
    await e.advance('5m');
    expect(calls).toHaveLength(2); // still waiting for the breaker: no call
    broken = false;
    const view = await e.runUntil(id);
    expect(view.status).toBe('completed');
    expect(view.steps[0]!.attempts.at(-1)!.startedAt - view.createdAt).toBeGreaterThanOrEqual(9 * 60_000);
  });

  it('runs at most `limit` executions of a workflow at once and starts the queued ones by priority', async () => {
    const e = await start(workflow('limited').concurrency(2).task('work', { squad: 'tools', action: 'ok', delay: '1h' }).build());
    const trigger = (priority: number) => e.client.trigger('limited', { priority }, { priority });
    const ids = [await trigger(5), await trigger(5), await trigger(5), await trigger(1), await trigger(9)];
    await e.settle();
    const statusOf = async () => Promise.all(ids.map(async (id) => (await e.client.getExecution(id))!.status));
    expect(await statusOf()).toEqual(['running', 'running', 'pending', 'pending', 'pending']);
    await e.advance('1h');
    // Two places free up: the priority-9 execution and the oldest priority-5 one take them; priority 1 still waits.
    expect(await statusOf()).toEqual(['completed', 'completed', 'running', 'pending', 'running']);
    await e.advance('1h');
    expect(await statusOf()).toEqual(['completed', 'completed', 'completed', 'running', 'completed']);
    await e.runUntil(ids[3]!);
    expect(await statusOf()).toEqual(['completed', 'completed', 'completed', 'completed', 'completed']);
  });

  it('takes the first matching case of a multi-way branch (FlowBuilder.addSwitch) and feeds a pipeline stage by stage', async () => {
    const e = await start(
      new FlowBuilder('routing')
        .addStep('intake', { squad: 'tools', action: 'ok' })
        .addSwitch({
          cases: [
            { when: 'amount > 1000', steps: [{ name: 'manual_review', squad: 'tools', action: 'ok' }] },
            { when: 'amount > 100', steps: [{ name: 'auto_review', squad: 'tools', action: 'ok' }] },
          ],
          otherwise: [{ name: 'fast_track', squad: 'tools', action: 'ok' }],
        })
        .addPipeline([
          { name: 'extract', squad: 'tools', action: 'emit', input: '{ "amount": amount }' },
          { name: 'enrich', squad: 'tools', action: 'emit', input: '$merge([$steps.extract, { "fee": $steps.extract.amount * 0.1 }])' },
          { name: 'load', squad: 'tools', action: 'emit', outputSchema: { type: 'object', required: ['fee'] } },
        ])
        .build(),
    );
    const big = await e.runUntil(await e.client.trigger('routing', { amount: 5000 }));
    expect(statuses(big)).toMatchObject({ manual_review: 'completed', auto_review: 'skipped', fast_track: 'skipped' });
    const mid = await e.runUntil(await e.client.trigger('routing', { amount: 500 }));
    expect(statuses(mid)).toMatchObject({ manual_review: 'skipped', auto_review: 'completed', fast_track: 'skipped' });
    const small = await e.runUntil(await e.client.trigger('routing', { amount: 5 }));
    expect(statuses(small)).toMatchObject({ manual_review: 'skipped', auto_review: 'skipped', fast_track: 'completed', load: 'completed' });
    // Each stage got the previous stage's output.
    expect(small.steps.find((s) => s.name === 'load')!.output).toEqual({ amount: 5, fee: 0.5 });
  });
});
