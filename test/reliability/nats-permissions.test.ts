/**
 * Matrix G6: least-privilege NATS users. A test-owned nats-server 2.9.10
 * runs with the authorization config scripts/nats-authorization.ts renders
 * (the one deploy/nats/authorization.conf holds, for this test's squads).
 * The orchestrator, the gateway and two squads run as OS processes, each
 * connecting as its own user; a workflow over both squads completes through
 * the gateway's HTTP API. Then, connecting with a squad's and the gateway's
 * credentials, every action outside their job is tried and each must end in
 * a permissions violation from the server, with no effect: a squad cannot
 * publish signals, controls or triggers it was not granted, read another squad's commands (by
 * subscription, by pulling from its consumer or by a consumer of its own),
 * create streams or consumers, touch the executions KV, or read another
 * service's inbox; the gateway cannot publish commands or replies, manage
 * streams and consumers, or write timers. A connection without credentials,
 * or with a wrong password, is refused.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { triggerCodec, workflow } from '@squadflow/shared';
import { connectNatsTransport } from '@squadflow/transport';
import { signHmacSha256 } from '@squadflow/gateway';
import { freePort, spawnTsProcess, startNatsServer, until, type ChildHandle, type NatsServerProcess } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEPLOY_SQUADS, inboxOf, passwordVariable, renderAuthorization, squadUser } from '../../scripts/nats-authorization.ts';
import { connectProbe, expectViolation, publishes, requests, subscribes, type Probe } from './permission-probe.ts';

const PREFIX = 'sqf';
const SQUADS = ['alpha', 'beta'];
/** The one workflow beta is granted to trigger (never registered: its trigger ends as a failed execution of its own). */
const HANDED_ON = 'relay_next';
const USERS = ['orchestrator', 'gateway', 'operator', 'notifier', ...SQUADS.map(squadUser)];
/** Alerts on (a rule that looks every 200 ms, never true here) and routed to WhatsApp: the evaluator and the notifier at work. */
const ALERTS = JSON.stringify({
  evaluateEvery: '200ms',
  rules: [{ id: 'stuck', kind: 'stuck', limit: '1h' }],
  notify: { alerts: ['ops'], recipients: { ops: { whatsapp: '+55 11 90000-0009' } } },
});
const APP_SECRET = 'permissions-app-secret';
/** Each starts with a letter: nats-server parses the variable's value as config, and `0a1b...` is a parse error. */
const PASSWORDS = Object.fromEntries(USERS.map((u) => [u, `p${randomBytes(12).toString('hex')}`]));

const JSON_TYPE = { 'content-type': 'application/json' };

describe('least-privilege NATS users (matrix G6)', () => {
  let server: NatsServerProcess;
  let dir: string;
  const children: ChildHandle[] = [];
  let gatewayUrl: string;

  const urlFor = (user: string) => `nats://${user}:${PASSWORDS[user]}@127.0.0.1:${server.port}`;
  /** A connection as `user` (the transport's, so with that user's inbox), recording every error the server reports to it. */
  const connectAs = (user: string): Promise<Probe> => connectProbe(urlFor(user), `probe-${user}`);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'squadflow-authz-'));
    const config = join(dir, 'authorization.conf');
    // beta may start one workflow, as the agency squad starts the next handoff (docs/handoffs.md).
    const grants = SQUADS.map((name) => ({ name, ...(name === 'beta' ? { triggers: [HANDED_ON] } : {}) }));
    writeFileSync(config, renderAuthorization({ prefix: PREFIX, squads: grants }));
    // nats-server reads each password from its environment (the config names the variables).
    for (const user of USERS) process.env[passwordVariable(user)] = PASSWORDS[user];
    server = await startNatsServer({ args: ['-c', config] });

    const common = { SQUADFLOW_PREFIX: PREFIX, SQUADFLOW_LOG_LEVEL: 'warn' };
    children.push(
      await spawnTsProcess(
        'packages/engine/src/bin/orchestrator.ts',
        { ...common, SQUADFLOW_NATS_URL: urlFor('orchestrator'), SQUADFLOW_ALERTS: ALERTS },
        {
          label: 'orchestrator',
        },
      ),
    );
    for (const squad of SQUADS) {
      children.push(
        await spawnTsProcess(
          'test/process/fixtures/squad-process.ts',
          { ...common, SQUADFLOW_NATS_URL: urlFor(squadUser(squad)), SQUAD_NAME: squad, INVOCATION_LOG: join(dir, 'invocations.jsonl') },
          { label: `squad ${squad}` },
        ),
      );
    }
    const port = await freePort();
    children.push(
      await spawnTsProcess(
        'packages/gateway/src/bin/gateway.ts',
        { ...common, SQUADFLOW_NATS_URL: urlFor('gateway'), SQUADFLOW_PORT: String(port), WHATSAPP_APP_SECRET: APP_SECRET },
        { label: 'gateway' },
      ),
    );
    gatewayUrl = `http://127.0.0.1:${port}`;
    children.push(
      await spawnTsProcess(
        'packages/cli/src/main.ts',
        { ...common, SQUADFLOW_NATS_URL: urlFor('notifier'), SQUADFLOW_ALERTS: ALERTS },
        { label: 'notifier', args: ['notifier'] },
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    await server?.remove();
    for (const user of USERS) delete process.env[passwordVariable(user)];
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs a workflow over two squads end to end with every service on its own user', async () => {
    const definition = workflow('relay')
      .task('first', { squad: 'alpha', action: 'noop' })
      .task('second', { squad: 'beta', action: 'noop', dependsOn: ['first'] })
      .build();
    const put = await fetch(`${gatewayUrl}/v1/workflows/relay`, {
      method: 'PUT',
      headers: JSON_TYPE,
      body: JSON.stringify(definition),
    });
    expect(put.status, await put.clone().text()).toBeLessThan(300);
    for (let i = 0; i < 3; i++) {
      const run = await fetch(`${gatewayUrl}/v1/workflows/relay/executions?wait=30s`, {
        method: 'POST',
        headers: JSON_TYPE,
        body: JSON.stringify({ n: i }),
      });
      const body = (await run.json()) as { status?: string; steps?: Array<{ status: string }> };
      expect([run.status, body.status], JSON.stringify(body)).toEqual([200, 'completed']);
      expect(body.steps?.map((s) => s.status)).toEqual(['completed', 'completed']);
    }
    // The rest of the gateway's job: reads, a signal, a cancel, a WhatsApp delivery (ledger, statuses, a trigger).
    for (const path of [
      '/v1/executions?workflow=relay',
      '/v1/workflows',
      '/v1/metrics',
      '/v1/workflows/relay/statechart',
      '/v1/workflows/relay/graph',
      '/v1/workflows/relay/versions',
      '/v1/squads',
      '/v1/human-tasks',
      '/readyz',
    ]) {
      expect((await fetch(`${gatewayUrl}${path}`)).status, path).toBe(200);
    }
    const signal = await fetch(`${gatewayUrl}/v1/signals/order_1`, { method: 'POST', headers: JSON_TYPE, body: '{"paid":true}' });
    expect(signal.status).toBe(202);
    const napper = workflow('napper').task('nap', { squad: 'alpha', action: 'sleep', input: '{ "ms": 3000 }' }).build();
    expect(
      (await fetch(`${gatewayUrl}/v1/workflows/napper`, { method: 'PUT', headers: JSON_TYPE, body: JSON.stringify(napper) })).status,
    ).toBeLessThan(300);
    const nap = (await (
      await fetch(`${gatewayUrl}/v1/workflows/napper/executions`, { method: 'POST', headers: JSON_TYPE, body: '{}' })
    ).json()) as {
      executionId: string;
    };
    const cancel = await fetch(`${gatewayUrl}/v1/executions/${nap.executionId}/cancel`, { method: 'POST', headers: JSON_TYPE, body: '{}' });
    expect(cancel.status).toBe(202);
    const conversation = workflow('lead_conversation').task('greet', { squad: 'beta', action: 'noop' }).build();
    expect(
      (
        await fetch(`${gatewayUrl}/v1/workflows/lead_conversation`, {
          method: 'PUT',
          headers: JSON_TYPE,
          body: JSON.stringify(conversation),
        })
      ).status,
    ).toBeLessThan(300);
    const delivery = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          changes: [
            {
              value: {
                messages: [{ from: '5511900000001', id: 'wamid.P1', timestamp: '1700000000', type: 'text', text: { body: 'oi' } }],
                statuses: [{ id: 'wamid.OUT1', status: 'delivered', timestamp: '1700000001', recipient_id: '5511900000001' }],
              },
            },
          ],
        },
      ],
    });
    const hook = await fetch(`${gatewayUrl}/webhooks/whatsapp`, {
      method: 'POST',
      headers: { ...JSON_TYPE, 'x-hub-signature-256': signHmacSha256(delivery, APP_SECRET) },
      body: delivery,
    });
    expect([hook.status, await hook.json()]).toEqual([200, expect.objectContaining({ triggered: 1, statuses: 1 })]);
    expect((await fetch(`${gatewayUrl}/v1/whatsapp/statuses/wamid.OUT1`)).status).toBe(200);
    const cancelled = await until(
      'the nap cancelled',
      async () => (await (await fetch(`${gatewayUrl}/v1/executions/${nap.executionId}`)).json()) as { status: string },
      (e) => e.status === 'cancelled',
    );
    expect(cancelled.status).toBe('cancelled');
    // Not one action of the services' jobs was refused.
    expect(server.log()).not.toMatch(/Violation/);
  });

  it('lets the evaluator, the notifier and /metrics do their job on their own users (docs/alerts.md)', async () => {
    const operator = await connectAs('operator');
    try {
      const at = Date.now();
      const event = {
        ...{ id: 'probe.alpha.1.firing', type: 'alert.firing', alert: 'probe.alpha', rule: 'probe', kind: 'breaker_open' },
        ...{ severity: 'warning', summary: 'probe alert', value: 1, threshold: 0, since: at, at },
      };
      await operator.transport.streams.publish(`${PREFIX}.alert.probe.firing`, new TextEncoder().encode(JSON.stringify(event)));
      // The notifier consumed it, sent it through the WhatsApp outbox and recorded the delivery in its ledger.
      const outbox = await operator.transport.kv(`${PREFIX}_whatsapp_outbox`);
      await until(
        'the alert in the outbox',
        () => outbox.keys('5511900000009.*'),
        (keys) => keys.length === 1,
        20_000,
      );
      const ledger = await operator.transport.kv(`${PREFIX}_notify`);
      await until(
        'the delivery in the ledger',
        () => ledger.keys('d.>'),
        (keys) => keys.length === 1,
        20_000,
      );
      // The evaluator holds its lease in the alerts bucket; the gateway reads both buckets for /metrics.
      expect((await (await operator.transport.kv(`${PREFIX}_alerts`)).keys('lease.*')).length).toBe(1);
      const metrics = await (await fetch(`${gatewayUrl}/metrics`)).text();
      expect(metrics).toContain('squadflow_notifications_total{channel="whatsapp",outcome="sent"} 1');
      expect(server.log()).not.toMatch(/Violation/);
    } finally {
      await operator.transport.close();
    }
  });

  it('denies a squad everything outside its job, each with a permissions violation', async () => {
    const alpha = await connectAs(squadUser('alpha'));
    try {
      const U = PREFIX.toUpperCase();
      const denied: Array<[string, (p: Probe, s: string) => () => unknown]> = [
        // Publishing triggers, signals and controls.
        [`${PREFIX}.in.trigger.relay`, publishes],
        [`${PREFIX}.in.signal.order_1`, publishes],
        [`${PREFIX}.in.control.ex_1`, publishes],
        [`${PREFIX}.cmd.beta.noop`, publishes],
        [`${PREFIX}.lc.relay.execution.completed`, publishes],
        // Reading another squad's commands: by subscription, through its durable, by a consumer of its own.
        [`${PREFIX}.cmd.beta.>`, subscribes],
        [`${PREFIX}.>`, subscribes],
        [`$JS.API.CONSUMER.MSG.NEXT.${U}_CMD.${U}_squad_beta`, requests],
        [`$JS.API.CONSUMER.CREATE.${U}_CMD.snoop.${PREFIX}.cmd.beta.>`, requests],
        [`$JS.API.CONSUMER.CREATE.${U}_CMD`, requests],
        [`$JS.API.CONSUMER.DURABLE.CREATE.${U}_CMD.${U}_squad_beta`, requests],
        [`$JS.API.STREAM.MSG.GET.${U}_CMD`, requests],
        [`$JS.API.DIRECT.GET.${U}_CMD`, requests],
        // Consumers and streams of the engine.
        [`$JS.API.CONSUMER.CREATE.${U}_IN.x.${PREFIX}.in.>`, requests],
        [`$JS.API.CONSUMER.DELETE.${U}_CMD.${U}_squad_beta`, requests],
        [`$JS.API.STREAM.CREATE.EVIL`, requests],
        [`$JS.API.STREAM.DELETE.${U}_IN`, requests],
        [`$JS.API.STREAM.PURGE.${U}_CMD`, requests],
        // The executions KV, and the timers.
        [`$KV.${PREFIX}_exec.ex_1`, publishes],
        [`$JS.API.STREAM.INFO.KV_${PREFIX}_exec`, requests],
        [`$JS.API.DIRECT.GET.KV_${PREFIX}_exec.$KV.${PREFIX}_exec.ex_1`, requests],
        [`$JS.API.STREAM.PURGE.KV_${PREFIX}_exec`, requests],
        [`$KV.${PREFIX}_timers.t_1`, publishes],
        // Another squad's directory entry, and other services' inboxes (their replies: KV reads of execution state).
        [`$KV.${PREFIX}_squads.beta`, publishes],
        ['_INBOX.>', subscribes],
        [`${inboxOf('gateway')}.>`, subscribes],
        [`${inboxOf('orchestrator')}.>`, subscribes],
      ];
      for (const [subject, how] of denied) await expectViolation(alpha, subject, how(alpha, subject));
      expect(alpha.errors.filter((e) => /permissions violation/i.test(e)).length).toBeGreaterThanOrEqual(denied.length);
    } finally {
      await alpha.transport.close();
    }
  });

  it("lets a squad publish the triggers it is granted, and no other workflow's", async () => {
    const beta = await connectAs(squadUser('beta'));
    try {
      // A JetStream publish: the stream's ack comes back only if the server let the message in.
      const trigger = triggerCodec.encode({ kind: 'trigger', workflow: HANDED_ON, idempotencyKey: 'granted', context: {} });
      await beta.transport.streams.publish(`${PREFIX}.in.trigger.${HANDED_ON}`, trigger);
      expect(beta.errors).toEqual([]);
      await expectViolation(beta, `${PREFIX}.in.trigger.relay`, publishes(beta, `${PREFIX}.in.trigger.relay`));
    } finally {
      await beta.transport.close();
    }
  });

  it('denies the gateway commands, replies, stream and consumer management and timer writes', async () => {
    const gateway = await connectAs('gateway');
    try {
      const U = PREFIX.toUpperCase();
      const denied: Array<[string, (p: Probe, s: string) => () => unknown]> = [
        [`${PREFIX}.cmd.alpha.noop`, publishes],
        [`${PREFIX}.in.reply.ex_1`, publishes],
        [`${PREFIX}.in.heartbeat.ex_1`, publishes],
        [`${PREFIX}.cmd.>`, subscribes],
        [`${PREFIX}.in.>`, subscribes],
        [`$JS.API.STREAM.DELETE.${U}_IN`, requests],
        [`$JS.API.STREAM.CREATE.EVIL`, requests],
        [`$JS.API.CONSUMER.CREATE.${U}_CMD.x.${PREFIX}.cmd.>`, requests],
        [`$JS.API.CONSUMER.MSG.NEXT.${U}_IN.${U}_orchestrator`, requests],
        [`$KV.${PREFIX}_timers.t_1`, publishes],
        [`$KV.${PREFIX}_idem.k`, publishes],
        [`${inboxOf('orchestrator')}.>`, subscribes],
      ];
      for (const [subject, how] of denied) await expectViolation(gateway, subject, how(gateway, subject));
    } finally {
      await gateway.transport.close();
    }
  });

  it('nothing a probe tried had an effect: no trigger, command or executions KV write beyond the workflow runs', async () => {
    const operator = await connectAs('operator');
    try {
      const info = async (stream: string) =>
        JSON.parse(new TextDecoder().decode((await operator.nc.request(`$JS.API.STREAM.INFO.${stream}`, '')).data)) as {
          state?: { messages: number };
          error?: unknown;
        };
      const U = PREFIX.toUpperCase();
      // Work queues: everything the three runs put there was consumed; a forged trigger or command would still sit there or have run.
      for (const stream of [`${U}_IN`, `${U}_CMD`]) {
        const drained = await until(
          `${stream} drained`,
          () => info(stream),
          (i) => i.state?.messages === 0,
        );
        expect(drained.state?.messages).toBe(0);
      }
      expect((await info('EVIL')).error).toBeDefined();
      const list = (await (await fetch(`${gatewayUrl}/v1/executions?workflow=relay`)).json()) as { executions: unknown[] };
      expect(list.executions).toHaveLength(3); // the three relay runs, nothing forged
    } finally {
      await operator.transport.close();
    }
  });

  it('ships deploy/nats/authorization.conf as the rendering for the catalog squads', () => {
    expect(readFileSync('deploy/nats/authorization.conf', 'utf8')).toBe(renderAuthorization({ prefix: PREFIX, squads: DEPLOY_SQUADS }));
  });

  it('refuses a connection without credentials and one with a wrong password', async () => {
    await expect(connectNatsTransport({ servers: `nats://127.0.0.1:${server.port}` })).rejects.toThrow(/authorization/i);
    await expect(connectNatsTransport({ servers: `nats://gateway:wrong-password@127.0.0.1:${server.port}` })).rejects.toThrow(
      /authorization/i,
    );
  });
});
