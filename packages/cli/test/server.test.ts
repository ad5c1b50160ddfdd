/**
 * The CLI reaching a running squadflow, as a user does: a real
 * `squadflow start` process (in memory, serving the HTTP API on a free port,
 * with a bearer token), and each command as its own process with
 * SQUADFLOW_URL and SQUADFLOW_TOKEN pointing at it.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDefinition } from '@squadflow/shared';
import { freePort, until } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli, type RunningCli } from './support.ts';

const TOKEN = 'cli-test-token-0123456789';
const CART = '{"customer_phone":"+5511999999999","abandoned_items":[{"id":"prod_1"}]}';

/** A workflow that only waits for `approval_{order_id}`: it stays `waiting` until signalled. */
const APPROVAL_YAML = `name: cli_approval
steps:
  - name: approval
    type: wait
    signal: approval_{order_id}
`;
const SECOND_YAML = `name: cli_second
steps:
  - name: hold
    type: wait
    signal: hold_{id}
`;
/** A human task for `ops`: it waits until someone decides. */
const REVIEW_YAML = `name: cli_review
steps:
  - name: review
    type: human
    assignee: ops
    title: Approve the refund
`;
/** Its second step misses its action. */
const BAD_YAML = `name: cli_broken
steps:
  - name: first
    type: wait
    signal: first_{id}
  - name: second
    squad: agency
    dependsOn: [first]
`;

let server: RunningCli | undefined;
let url: string;
let env: Record<string, string>;
let dir: string;

interface Execution {
  executionId: string;
  status: string;
  steps: Array<{ name: string; status: string; output?: unknown }>;
}

/** A GET on the server's API, with the token; the body as the test expects it. */
const api = async <T = unknown>(path: string): Promise<{ status: number; body: T }> => {
  const res = await fetch(url + path, { headers: { authorization: `Bearer ${TOKEN}` } });
  return { status: res.status, body: (await res.json().catch(() => undefined)) as T };
};
const reaches = (id: string, status: string) =>
  until(
    `${id} ${status}`,
    async () => (await api<Execution>(`/v1/executions/${id}`)).body,
    (e) => e.status === status,
  );

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squadflow-cli-server-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  server = await startCli(['start'], { SQUADFLOW_PORT: String(port), SQUADFLOW_API_TOKENS: `cli:${TOKEN}:read+trigger+admin` });
  env = { SQUADFLOW_URL: url, SQUADFLOW_TOKEN: TOKEN };
});

afterAll(async () => {
  await server?.stop('SIGTERM');
  server = undefined;
  await rm(dir, { recursive: true, force: true });
});

describe('squadflow CLI against a running `squadflow start` (HTTP)', () => {
  it('serves the HTTP API the banner names', () => {
    expect(server!.banner.join('\n')).toContain(`gateway       ${url}`);
    expect(server!.banner.join('\n')).toContain(`ui            ${url}/ui/`);
  });

  it('trigger returns the id at once; ls and status --json show it; GET /v1/executions/<id> answers for the same id', async () => {
    const trigger = await runCli(['trigger', 'abandoned_cart_recovery', '--data', CART], env);
    expect(trigger.code).toBe(0);
    const id = trigger.stdout.trim();
    expect(id).toMatch(/^ex_[0-9a-f]+$/);
    expect(trigger.stderr).toContain(`squadflow status ${id}`);
    // It returned while the execution goes on: its reminder waits 5 minutes.
    const view = (await api<Execution>(`/v1/executions/${id}`)).body;
    expect(view).toMatchObject({ executionId: id });
    expect(['pending', 'running']).toContain(view.status);

    const ls = await runCli(['ls'], env);
    expect(ls.code).toBe(0);
    expect(ls.stdout).toMatch(new RegExp(`${id} +abandoned_cart_recovery`));
    const found = await runCli(['ls', '--search', id.slice(3, 15), '--json'], env);
    expect((JSON.parse(found.stdout) as Execution[]).map((e) => e.executionId)).toEqual([id]);

    const status = await runCli(['status', id, '--json'], env);
    expect(status.code).toBe(0);
    expect(status.stderr).toBe('');
    expect(JSON.parse(status.stdout)).toMatchObject({ executionId: id, workflow: 'abandoned_cart_recovery' });
  });

  it('pause, resume and cancel reach the execution', async () => {
    const id = (await runCli(['trigger', 'abandoned_cart_recovery', '--data', CART, '--json'], env)).stdout;
    const { executionId } = JSON.parse(id) as { executionId: string };
    await reaches(executionId, 'running');

    expect((await runCli(['pause', executionId, '--reason', 'holiday'], env)).code).toBe(0);
    await reaches(executionId, 'paused');
    expect((await runCli(['resume', executionId], env)).code).toBe(0);
    await reaches(executionId, 'running');

    const cancelled = await runCli(['cancel', executionId, '--reason', 'customer left', '--wait'], env);
    expect(cancelled.code).toBe(0);
    expect(cancelled.stdout).toContain(`execution ${executionId} cancelled`);
    expect((await api(`/v1/executions/${executionId}`)).body).toMatchObject({ status: 'cancelled', cancelReason: 'customer left' });
    expect((await runCli(['pause', executionId], env)).code).toBe(2);
  });

  it('workflows apply registers a good folder and prints name and version; --dry-run registers nothing', async () => {
    const good = join(dir, 'good');
    await mkdir(good);
    await writeFile(join(good, 'approval.yaml'), APPROVAL_YAML);
    await writeFile(join(good, 'second.yml'), SECOND_YAML);

    const dry = await runCli(['workflows', 'apply', good, '--dry-run'], env);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toContain('dry run: nothing registered');
    expect((await api('/v1/workflows/cli_approval')).status).toBe(404);

    const applied = await runCli(['workflows', 'apply', good], env);
    expect(applied.code).toBe(0);
    expect(applied.stdout.trim().split('\n')).toEqual(['cli_approval v1 (created)', 'cli_second v1 (created)']);
    expect((await api('/v1/workflows/cli_approval')).body).toMatchObject({ name: 'cli_approval', version: 1 });

    const again = await runCli(['workflows', 'apply', join(good, 'approval.yaml')], env);
    expect(again.stdout.trim()).toBe('cli_approval v1 (unchanged)');
  });

  it('tasks lists an open human task; tasks approve completes it with the decision, who decided and the comment as its output', async () => {
    const file = join(dir, 'review.yaml');
    await writeFile(file, REVIEW_YAML);
    expect((await runCli(['workflows', 'apply', file], env)).code).toBe(0);
    const { executionId } = JSON.parse((await runCli(['trigger', 'cli_review', '--data', '{}', '--json'], env)).stdout) as {
      executionId: string;
    };
    await reaches(executionId, 'waiting');
    const listed = await runCli(['tasks', '--assignee', 'ops', '--json'], env);
    expect(listed.code).toBe(0);
    expect(JSON.parse(listed.stdout)).toContainEqual(
      expect.objectContaining({ executionId, step: 'review', assignee: 'ops', title: 'Approve the refund' }),
    );
    expect((await runCli(['tasks'], env)).stdout).toMatch(new RegExp(`${executionId} +cli_review +review +ops`));

    const approved = await runCli(['tasks', 'approve', executionId, 'review', '--comment', 'looks fine'], env);
    expect([approved.code, approved.stdout.trim()]).toEqual([0, `approved review of ${executionId}`]);
    const done = await reaches(executionId, 'completed');
    expect(done.steps[0]!.output).toEqual({ approved: true, decision: 'approve', comment: 'looks fine', by: 'cli' });
    const again = await runCli(['tasks', 'reject', executionId, 'review'], env);
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('already decided');
    expect((await runCli(['tasks', 'maybe', executionId, 'review'], env)).code).toBe(2);
  });

  it('workflows apply of a folder with a bad file exits 2 naming the file, the step and the field, and registers nothing', async () => {
    const mixed = join(dir, 'mixed');
    await mkdir(mixed);
    await writeFile(join(mixed, 'a_fine.yaml'), APPROVAL_YAML.replace('cli_approval', 'cli_fine'));
    await writeFile(join(mixed, 'broken.yaml'), BAD_YAML);
    const before = (await api('/v1/workflows')).body;

    const result = await runCli(['workflows', 'apply', mixed], env);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(join(mixed, 'broken.yaml'));
    expect(result.stderr).toContain('step "second"');
    expect(result.stderr).toContain('steps.1.action');
    expect((await api('/v1/workflows')).body).toEqual(before);
    expect((await api('/v1/workflows/cli_fine')).status).toBe(404);
  });

  it('trigger --wait returns once the execution waits; signal resumes it to completion', async () => {
    await runCli(['workflows', 'apply', join(dir, 'good', 'approval.yaml')], env);
    const waited = await runCli(['trigger', 'cli_approval', '--data', '{"order_id":"o1"}', '--wait', '--timeout', '30s', '--json'], env);
    expect(waited.code).toBe(0);
    const view = JSON.parse(waited.stdout) as Execution;
    expect(view.status).toBe('waiting');

    const sent = await runCli(['signal', 'approval_o1', '--data', '{"approved":true}', '--json'], env);
    expect(sent.code).toBe(0);
    expect(JSON.parse(sent.stdout)).toMatchObject({ key: 'approval_o1' });
    const done = await reaches(view.executionId, 'completed');
    expect(done.steps[0]).toMatchObject({ name: 'approval', output: { approved: true } });
  });

  it('workflows export round-trips: YAML and JSON parse to the registered definition, and applying it changes nothing', async () => {
    const registered = (await api('/v1/workflows/offer_to_marketing')).body;
    const yaml = await runCli(['workflows', 'export', 'offer_to_marketing'], env);
    expect(yaml.code).toBe(0);
    expect(parseDefinition(yaml.stdout, 'yaml')).toEqual(parseDefinition(JSON.stringify(registered), 'json'));
    const json = await runCli(['workflows', 'export', 'offer_to_marketing', '--format', 'json', '--version', '1'], env);
    expect(JSON.parse(json.stdout)).toEqual(registered);

    const file = join(dir, 'exported.yaml');
    await writeFile(file, yaml.stdout);
    const reapplied = await runCli(['workflows', 'apply', file], env);
    expect(reapplied.stdout.trim()).toBe('offer_to_marketing v1 (unchanged)');
  });

  it('schedules create, list, pause and delete; a bad spec exits 2 naming the option', async () => {
    const created = await runCli(
      [
        'schedules',
        'create',
        '--id',
        'cli_hourly',
        '--workflow',
        'offer_to_marketing',
        '--every',
        '1h',
        '--input',
        'examples/handoffs/offer_to_marketing.json',
      ],
      env,
    );
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('schedule cli_hourly created');
    expect((await api('/v1/schedules/cli_hourly')).body).toMatchObject({ workflow: 'offer_to_marketing', every: '1h', state: 'active' });

    const listed = await runCli(['schedules', 'list', '--json'], env);
    expect((JSON.parse(listed.stdout) as Array<{ id: string }>).map((s) => s.id)).toContain('cli_hourly');
    expect((await runCli(['schedules'], env)).stdout).toMatch(/cli_hourly +offer_to_marketing +every 1h +active/);

    expect((await runCli(['schedules', 'pause', 'cli_hourly'], env)).code).toBe(0);
    expect((await api<{ state: string }>('/v1/schedules/cli_hourly')).body.state).toBe('paused');

    expect((await runCli(['schedules', 'delete', 'cli_hourly'], env)).code).toBe(0);
    expect((await api('/v1/schedules/cli_hourly')).status).toBe(404);
    expect((await runCli(['schedules', 'delete', 'cli_hourly'], env)).code).toBe(3);

    const bad = await runCli(['schedules', 'create', '--workflow', 'offer_to_marketing', '--cron', 'often'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('cron (--cron): invalid cron expression');
    expect((await api('/v1/schedules')).body).toEqual({ schedules: [] });
  });

  it('an unknown workflow, option or command suggests the nearest name', async () => {
    const workflow = await runCli(['trigger', 'abandoned_cart_recovry', '--data', CART], env);
    expect(workflow.code).toBe(3);
    expect(workflow.stderr).toContain('did you mean "abandoned_cart_recovery"?');
    expect(workflow.stderr).toMatch(/registered workflows: .*offer_to_marketing/);

    const option = await runCli(['trigger', 'abandoned_cart_recovery', '--dat', CART], env);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('unknown option --dat (did you mean --data?)');

    const command = await runCli(['statsu', 'ex_1'], env);
    expect(command.code).toBe(2);
    expect(command.stderr).toContain('did you mean "status"?');
  });

  it('a missing or wrong token names SQUADFLOW_TOKEN', async () => {
    const wrong = await runCli(['ls'], { SQUADFLOW_URL: url, SQUADFLOW_TOKEN: 'not-the-token-0123456789' });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('SQUADFLOW_TOKEN');
    const none = await runCli(['ls', '--json'], { SQUADFLOW_URL: url });
    expect(none.code).toBe(2);
    expect(none.stdout).toBe('');
    expect(JSON.parse(none.stderr)).toMatchObject({
      error: { code: 'UNAUTHENTICATED', message: expect.stringContaining('SQUADFLOW_TOKEN') },
    });
  });

  it('run uses the server SQUADFLOW_URL names, not a one-shot squadflow of its own', async () => {
    const run = await runCli(['run', 'feedback_to_offer', '--input', 'examples/handoffs/feedback_to_offer.json', '--json'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toContain('one-shot');
    const { executionId } = JSON.parse(run.stdout) as Execution;
    expect((await api<Execution>(`/v1/executions/${executionId}`)).body.status).toBe('completed');
  });

  it('chains the agency handoffs by default: run --wait over HTTP follows one offer to feedback → offer', async () => {
    const run = await runCli(['run', 'offer_to_marketing', '--input', 'examples/handoffs/offer_to_marketing.json', '--wait'], env);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('chain of 5 handoffs:');
    expect(run.stdout).toMatch(/fulfillment_to_feedback handed on to feedback_to_offer \(execution (ex_\w+), hop 4\)/);
    const id = /handed on to feedback_to_offer \(execution (ex_\w+)/.exec(run.stdout)![1]!;
    expect((await api<Execution & { workflow: string }>(`/v1/executions/${id}`)).body).toMatchObject({
      status: 'completed',
      workflow: 'feedback_to_offer',
    });
  });

  it('start --no-chain-handoffs delivers each handoff and starts nothing after it', async () => {
    const port = await freePort();
    const other = await startCli(['start', '--no-chain-handoffs'], { SQUADFLOW_PORT: String(port) });
    try {
      const otherEnv = { SQUADFLOW_URL: `http://127.0.0.1:${port}` };
      const run = await runCli(['run', 'offer_to_marketing', '--input', 'examples/handoffs/offer_to_marketing.json', '--json'], otherEnv);
      expect(run.code).toBe(0);
      expect((JSON.parse(run.stdout) as { output: unknown }).output).toMatchObject({
        next_handoff: { status: 'not_started', workflow: 'marketing_to_sales', reason: 'chaining_disabled' },
      });
      const ls = await runCli(['ls', '--workflow', 'marketing_to_sales', '--json'], otherEnv);
      expect(JSON.parse(ls.stdout)).toEqual([]);
    } finally {
      expect((await other.stop('SIGTERM')).code).toBe(0);
    }
  });

  it('workflows lists the seed workflows start registered', async () => {
    const result = await runCli(['workflows', '--json'], env);
    expect(result.code).toBe(0);
    const names = (JSON.parse(result.stdout) as Array<{ name: string }>).map((w) => w.name);
    expect(names).toEqual(expect.arrayContaining(['abandoned_cart_recovery', 'offer_to_marketing', 'feedback_to_offer']));
  });

  it('leads lists the leads lead_activation saved and shows one with its history; an unknown phone exits 3', async () => {
    const trigger = await runCli(['trigger', 'lead_activation', '--data', '{"lead_data":{"phone":"+55 11 97777-0000","name":"Bia"}}'], env);
    expect(trigger.code).toBe(0);
    await reaches(trigger.stdout.trim(), 'completed');
    const listed = await runCli(['leads', '--status', 'template_sent'], env);
    expect([listed.code, listed.stdout]).toEqual([0, expect.stringMatching(/5511977770000 +template_sent +Bia/)]);
    const one = await runCli(['leads', '5511977770000', '--json'], env);
    expect(JSON.parse(one.stdout)).toMatchObject({ phone: '5511977770000', status: 'template_sent' });
    expect((JSON.parse(one.stdout) as { history: Array<{ status: string }> }).history.map((h) => h.status)).toEqual([
      'new',
      expect.stringMatching(/qualified$/),
      'template_sent',
    ]);
    const unknown = await runCli(['leads', '5511000000000'], env);
    expect([unknown.code, unknown.stderr]).toEqual([3, expect.stringContaining('5511000000000')]);
  });

  it('exits 3 for an unknown execution', async () => {
    const result = await runCli(['status', 'ex_doesnotexist'], env);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('ex_doesnotexist');
  });
});

describe('squadflow start', () => {
  it('stops on SIGINT with exit 0, and then nothing answers at its URL', async () => {
    const { code } = await server!.stop('SIGINT');
    server = undefined;
    expect(code).toBe(0);
    const after = await runCli(['ls'], env);
    expect(after.code).toBe(5);
  });
});

describe('squadflow CLI with no squadflow to reach', () => {
  it('exits 5 saying nothing answers at the URL and how to start one', async () => {
    const closed = await freePort();
    const result = await runCli(['ls'], { SQUADFLOW_URL: `http://127.0.0.1:${closed}` });
    expect(result.code).toBe(5);
    expect(result.stderr).toContain(`no squadflow answers at http://127.0.0.1:${closed}`);
    expect(result.stderr).toContain('pnpm squadflow start');
    expect(result.stderr).toContain('SQUADFLOW_URL');
  });

  it('exits 2 naming SQUADFLOW_URL when it is not an http(s) URL', async () => {
    const result = await runCli(['ls'], { SQUADFLOW_URL: 'localhost:8080' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('SQUADFLOW_URL');
  });
});
