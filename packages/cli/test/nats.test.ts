/**
 * The CLI against a NATS deployment: an orchestrator and squads run in this
 * test process on a unique prefix; the CLI runs as a child process with
 * SQUADFLOW_NATS_URL and SQUADFLOW_PREFIX pointing at them.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClient, Orchestrator, type ExecutionView } from '@squadflow/engine';
import { silentLogger, workflow } from '@squadflow/shared';
import { defineSquad, NonRetryableError, startSquad, type RunningSquad } from '@squadflow/squads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withNatsTransport, type NatsTestTransport } from '@squadflow/transport/testing';
import { agencyWorkflows } from '@squadflow/squads/catalog';
import { runCli, startCli } from './support.ts';

let nats: NatsTestTransport;
let orchestrator: Orchestrator;
let client: EngineClient;
const squads: RunningSquad[] = [];
let env: Record<string, string>;

beforeAll(async () => {
  nats = await withNatsTransport('cli');
  const { transport, prefix } = nats;
  const logger = silentLogger();
  orchestrator = await Orchestrator.start({ transport, prefix, logger });
  squads.push(
    await startSquad({
      transport,
      prefix,
      logger,
      definition: defineSquad({
        name: 'clitest',
        actions: {
          noop: () => ({ ok: true }),
          refuse: () => {
            throw new NonRetryableError('refused on purpose');
          },
        },
      }),
    }),
  );
  client = await EngineClient.connect({ transport, prefix });
  for (const definition of agencyWorkflows) await client.registerWorkflow(definition);
  await client.registerWorkflow(
    workflow('await_approval')
      .wait('approval', { signal: 'approval_{order_id}' })
      .task('after', { squad: 'clitest', action: 'noop', dependsOn: ['approval'] })
      .build(),
  );
  await client.registerWorkflow(
    workflow('needs_a_person').task('risky', { squad: 'clitest', action: 'refuse', onError: 'escalate' }).build(),
  );
  await client.registerWorkflow(
    workflow('prepare_then_refuse')
      .task('prepare', { squad: 'clitest', action: 'noop' })
      .task('risky', { squad: 'clitest', action: 'refuse', onError: 'escalate', dependsOn: ['prepare'] })
      .build(),
  );
  env = { SQUADFLOW_NATS_URL: process.env['SQUADFLOW_NATS_URL']!, SQUADFLOW_PREFIX: prefix };
});

afterAll(async () => {
  await Promise.all(squads.map((s) => s.stop()));
  await orchestrator?.stop();
  await nats?.cleanup();
});

describe('squadflow CLI against a NATS deployment', () => {
  it('runs a handoff through the deployment, with the agency squad running as its own `squad agency` process', async () => {
    const squad = await startCli(['squad', 'agency'], env);
    try {
      const run = await runCli(['run', 'marketing_to_sales', '--input', 'examples/handoffs/marketing_to_sales.json', '--json'], env);
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain('one-shot');
      const view = JSON.parse(run.stdout) as ExecutionView;
      expect(view.output).toMatchObject({ success: true, handoff_data: { qualified_leads_count: 1 } });

      // The execution lives in the deployment: the in-test client sees it too.
      expect((await client.getExecution(view.executionId))?.status).toBe('completed');
    } finally {
      expect((await squad.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('chains the five handoffs on the deployment: `squad agency` hands each on, `run --wait` follows them to feedback → offer', async () => {
    const squad = await startCli(['squad', 'agency'], env);
    try {
      const run = await runCli(
        ['run', 'offer_to_marketing', '--input', 'examples/handoffs/offer_to_marketing.json', '--wait', '--json'],
        env,
      );
      expect(run.stderr).not.toContain('squadflow:');
      expect(run.code).toBe(0);
      const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { event: string; chain: ExecutionView[] };
      expect(result.chain.map((v) => [v.workflow, v.status])).toEqual([
        ['offer_to_marketing', 'completed'],
        ['marketing_to_sales', 'completed'],
        ['sales_to_fulfillment', 'completed'],
        ['fulfillment_to_feedback', 'completed'],
        ['feedback_to_offer', 'completed'],
      ]);
      // Each started once, in the deployment's own store: the in-test client sees the one execution each hop named.
      for (const view of result.chain.slice(1)) {
        const stored = await client.getExecution(view.executionId);
        expect(stored?.context['handoff_chain']).toMatchObject({ origin: result.chain[0]!.executionId });
      }
      expect(result.chain.at(-1)!.output).toMatchObject({ next_handoff: { status: 'not_started', reason: 'nothing_to_hand_on' } });
    } finally {
      expect((await squad.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('`squad agency` with SQUADFLOW_CHAIN_HANDOFFS=false delivers and starts nothing; a bad value exits 2 naming it', async () => {
    const squad = await startCli(['squad', 'agency'], { ...env, SQUADFLOW_CHAIN_HANDOFFS: 'false' });
    try {
      const run = await runCli(['run', 'offer_to_marketing', '--input', 'examples/handoffs/offer_to_marketing.json', '--json'], env);
      expect(run.code).toBe(0);
      const view = JSON.parse(run.stdout) as ExecutionView;
      expect(view.output).toMatchObject({
        success: true,
        next_handoff: { status: 'not_started', workflow: 'marketing_to_sales', reason: 'chaining_disabled' },
      });
    } finally {
      expect((await squad.stop('SIGTERM')).code).toBe(0);
    }
    const bad = await runCli(['squad', 'agency'], { ...env, SQUADFLOW_HANDOFF_MAX_HOPS: 'many' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('SQUADFLOW_HANDOFF_MAX_HOPS');
  });

  it('status shows the per-step history of an execution, ls lists it, and both parse with --json', async () => {
    const trigger = await runCli(['trigger', 'await_approval', '--data', '{"order_id":"s1"}'], env);
    expect(trigger.code).toBe(0);
    const id = trigger.stdout.trim();
    await client.waitFor(id, ['waiting']);

    const human = await runCli(['status', id], env);
    expect(human.code).toBe(0);
    expect(human.stdout).toMatch(/status +waiting/);
    expect(human.stdout).toMatch(/approval +waiting/);

    const json = await runCli(['status', id, '--json'], env);
    const view = JSON.parse(json.stdout) as ExecutionView;
    expect(view.steps.map((s) => [s.name, s.status])).toEqual([
      ['approval', 'waiting'],
      ['after', 'blocked'],
    ]);

    const listed = await runCli(['ls', '--workflow', 'await_approval', '--status', 'waiting', '--json'], env);
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as ExecutionView[]).map((v) => v.executionId)).toContain(id);
  });

  it('signal reaches the execution waiting on its key, which then completes with the data', async () => {
    const id = await client.trigger('await_approval', { order_id: 'sig42' });
    await client.waitFor(id, ['waiting']);
    const sent = await runCli(['signal', 'approval_sig42', '--data', '{"approved":true}', '--json'], env);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ key: 'approval_sig42' });
    const view = await client.waitFor(id);
    expect(view.status).toBe('completed');
    expect(view.steps.find((s) => s.name === 'approval')?.output).toEqual({ approved: true });
  });

  it('cancel --wait cancels a running execution with its reason; a second cancel exits 2', async () => {
    const id = await client.trigger('await_approval', { order_id: 'c1' });
    await client.waitFor(id, ['waiting']);
    const cancelled = await runCli(['cancel', id, '--reason', 'customer left', '--wait'], env);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain('cancelled');
    expect(await client.getExecution(id)).toMatchObject({ status: 'cancelled', cancelReason: 'customer left' });

    const again = await runCli(['cancel', id], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already ended');
    expect((await runCli(['status', id], env)).code).toBe(1);
  });

  it('trigger --no-start creates a pending execution that start-execution starts (twice is harmless)', async () => {
    const created = await runCli(['trigger', 'await_approval', '--data', '{"order_id":"held1"}', '--no-start', '--json'], env);
    expect(created.code).toBe(0);
    const { executionId } = JSON.parse(created.stdout) as { executionId: string };
    expect(await client.getExecution(executionId)).toMatchObject({ status: 'pending', held: true });
    expect((await runCli(['start-execution', executionId], env)).code).toBe(0);
    expect((await runCli(['start-execution', executionId], env)).code).toBe(0);
    expect((await client.waitFor(executionId, ['waiting'])).status).toBe('waiting');
    expect((await runCli(['start-execution', 'ex_doesnotexist'], env)).code).toBe(3);
    expect((await runCli(['trigger', 'await_approval', '--no-start', '--wait'], env)).code).toBe(2);
  });

  it('resolve skip lets an escalated execution continue to completion', async () => {
    const id = await client.trigger('needs_a_person', {});
    await client.waitFor(id, ['escalated']);
    const resolved = await runCli(['resolve', id, 'skip'], env);
    expect(resolved.code).toBe(0);
    expect((await client.waitFor(id)).status).toBe('completed');
  });

  it('retry --from runs an escalated execution again from a completed step; a step that did not complete exits 2', async () => {
    const id = await client.trigger('prepare_then_refuse', {});
    await client.waitFor(id, ['escalated']);
    const bad = await runCli(['retry', id, '--from', 'risky'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('fromStep: step "risky" is escalated; only a completed step can be retried from');
    expect((await runCli(['retry', id], env)).code).toBe(2);
    const retried = await runCli(['retry', id, '--from', 'prepare', '--wait', '--json'], env);
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout)).toMatchObject({
      executionId: id,
      fromStep: 'prepare',
      steps: ['prepare', 'risky'],
      status: 'escalated',
    });
    const view = await client.getExecution(id);
    expect(view?.rewinds).toHaveLength(1);
    expect(view?.steps.find((s) => s.name === 'risky')?.attempts.map((a) => a.attempt)).toEqual([1, 2]);
  });

  it('exits 3 for an unknown execution or squad, 2 for a bad resolve action', async () => {
    expect((await runCli(['status', 'ex_doesnotexist'], env)).code).toBe(3);
    expect((await runCli(['cancel', 'ex_doesnotexist'], env)).code).toBe(3);
    expect((await runCli(['squad', 'no_such_squad'], env)).code).toBe(3);
    expect((await runCli(['resolve', 'ex_doesnotexist', 'later'], env)).code).toBe(2);
  });

  it('exits 5 when NATS cannot be reached', async () => {
    const result = await runCli(['ls'], { ...env, SQUADFLOW_NATS_URL: 'nats://127.0.0.1:1' });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain('cannot reach NATS at nats://127.0.0.1:1');
    expect(result.stderr).toContain('pnpm squadflow start');
  });

  it('schedules create, list and delete reach the deployment over NATS', async () => {
    const created = await runCli(
      [
        'schedules',
        'create',
        '--id',
        'nats_sched',
        '--workflow',
        'await_approval',
        '--cron',
        '0 9 * * *',
        '--timezone',
        'America/Sao_Paulo',
      ],
      env,
    );
    expect(created.code).toBe(0);
    expect(await client.getSchedule('nats_sched')).toMatchObject({
      workflow: 'await_approval',
      timezone: 'America/Sao_Paulo',
      state: 'active',
    });
    const listed = await runCli(['schedules', 'list', '--json'], env);
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((s) => s.id)).toEqual(['nats_sched']);
    expect((await runCli(['schedules', 'delete', 'nats_sched'], env)).code).toBe(0);
    expect(await client.getSchedule('nats_sched')).toBeNull();
  });

  it('workflows apply registers over NATS, and export gives the definition back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'squadflow-cli-nats-'));
    try {
      const file = join(dir, 'nats_flow.json');
      await writeFile(file, JSON.stringify({ name: 'nats_flow', steps: [{ name: 'only', squad: 'clitest', action: 'noop' }] }));
      const applied = await runCli(['workflows', 'apply', file], env);
      expect(applied.code).toBe(0);
      expect(applied.stdout.trim()).toBe('nats_flow v1 (created)');
      const exported = await runCli(['workflows', 'export', 'nats_flow', '--format', 'json'], env);
      expect(JSON.parse(exported.stdout)).toEqual(await client.getWorkflow('nats_flow'));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
