import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { names, type Names, stepCommandCodec, stepReplyCodec, type StepCommand, type StepReply } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { connectNatsTransport, type Transport } from '@squadflow/transport';
import {
  Collector,
  cleanupPrefix,
  natsUrl,
  uniquePrefix,
  readInvocations,
  spawnTsProcess,
  type ChildHandle,
} from '@squadflow/transport/testing';

const SQUAD_SCRIPT = fileURLToPath(new URL('./fixtures/squad-process.ts', import.meta.url));
const SQUAD = 'fixture';

let child: ChildHandle | undefined;
let transport: Transport | undefined;
let prefix: string | undefined;

afterEach(async () => {
  await child?.stop();
  await transport?.close();
  if (prefix) await cleanupPrefix(prefix);
  child = transport = prefix = undefined;
});

/** A test-side NATS transport collecting every reply of the prefix from the inbound stream. */
async function replyCollector(n: Names): Promise<{ client: Transport; replies: Collector<StepReply> }> {
  const client = await connectNatsTransport({ servers: natsUrl() });
  transport = client;
  const replies = new Collector<StepReply>();
  await client.streams.consume(n.streams.inbound, { durable: 'test_replies', filterSubject: n.inboundAll }, async (msg) => {
    replies.push(stepReplyCodec.decode(msg.data));
    msg.ack();
  });
  return { client, replies };
}

function startFixtureSquad(p: string): Promise<{ child: ChildHandle; log: string }> {
  const log = join(mkdtempSync(join(tmpdir(), 'squadflow-fixture-')), 'invocations.jsonl');
  const env = { SQUADFLOW_NATS_URL: natsUrl(), SQUADFLOW_PREFIX: p, SQUAD_NAME: SQUAD, INVOCATION_LOG: log };
  return spawnTsProcess(SQUAD_SCRIPT, env, { label: 'squad' }).then((c) => ({ child: c, log }));
}

describe('squad-process fixture', () => {
  it('answers a noop command over NATS from its own OS process, logs the invocation, and dies on SIGKILL', async () => {
    prefix = uniquePrefix('fixture');
    const n = names(prefix);
    const started = await startFixtureSquad(prefix);
    child = started.child;
    const { client, replies } = await replyCollector(n);

    const command: StepCommand = {
      id: 'ex_fixture.greet.1',
      executionId: 'ex_fixture',
      workflow: 'fixture',
      step: 'greet',
      attempt: 1,
      squad: SQUAD,
      action: 'noop',
      compensation: false,
      input: { hello: 'world' },
      deadline: Date.now() + 30_000,
    };
    await client.streams.publish(n.command(SQUAD, 'noop'), stepCommandCodec.encode(command), { msgId: command.id });

    const [reply] = await replies.count(1);
    expect(reply).toMatchObject({ commandId: command.id, ok: true, output: { ok: true, step: 'greet', echo: { hello: 'world' } } });
    expect(readInvocations(started.log)).toMatchObject([
      { executionId: 'ex_fixture', step: 'greet', attempt: 1, action: 'noop', compensation: false, pid: child.pid },
    ]);

    child.kill('SIGKILL');
    expect(await child.exited).toBeNull();
  });

  it('offers sleep, flaky, fail and compensate actions that answer as the engine tests expect', async () => {
    prefix = uniquePrefix('fixture');
    const n = names(prefix);
    const started = await startFixtureSquad(prefix);
    child = started.child;
    const { client, replies } = await replyCollector(n);
    const send = async (step: string, action: string, input: unknown, extra: Partial<StepCommand> = {}): Promise<void> => {
      const attempt = extra.attempt ?? 1;
      const command: StepCommand = {
        id: `ex_actions.${step}.${attempt}${extra.compensation ? '.c' : ''}`,
        executionId: 'ex_actions',
        workflow: 'fixture',
        step,
        attempt,
        squad: SQUAD,
        action,
        compensation: false,
        input,
        deadline: Date.now() + 30_000,
        ...extra,
      };
      await client.streams.publish(n.command(SQUAD, action), stepCommandCodec.encode(command), { msgId: command.id });
    };

    await send('nap', 'sleep', { ms: 10 });
    await send('stuck', 'sleep', { ms: 60_000 }, { deadline: Date.now() + 300 });
    await send('wobbly', 'flaky', { failAttempts: 1 });
    await send('wobbly', 'flaky', { failAttempts: 1 }, { attempt: 2 });
    await send('broken', 'fail', {});
    await send('shaky', 'fail', { retryable: true, message: 'try again' });
    await send('undo', 'compensate', {}, { compensation: true });

    const byId = new Map((await replies.count(7)).map((r) => [r.commandId, r]));
    expect(byId.get('ex_actions.nap.1')).toMatchObject({ ok: true, output: { slept: 10 } });
    expect(byId.get('ex_actions.stuck.1')).toMatchObject({ ok: false, error: { code: 'TIMEOUT', retryable: true } });
    expect(byId.get('ex_actions.wobbly.1')).toMatchObject({ ok: false, error: { retryable: true } });
    expect(byId.get('ex_actions.wobbly.2')).toMatchObject({ ok: true, output: { attempt: 2 } });
    expect(byId.get('ex_actions.broken.1')).toMatchObject({ ok: false, error: { retryable: false } });
    expect(byId.get('ex_actions.shaky.1')).toMatchObject({ ok: false, error: { message: 'try again', retryable: true } });
    expect(byId.get('ex_actions.undo.1.c')).toMatchObject({ ok: true, compensation: true, output: { compensated: 'undo' } });
    expect(readInvocations(started.log)).toHaveLength(7);
  });

  it('stops gracefully on SIGTERM and exits with code 0', async () => {
    prefix = uniquePrefix('fixture');
    child = (await startFixtureSquad(prefix)).child;

    await child.stop();
    expect(await child.exited).toBe(0);
  });
});
