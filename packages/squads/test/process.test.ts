import { fileURLToPath } from 'node:url';
import { connectNatsTransport, subjectMatches, type Transport } from '@squadflow/transport';
import {
  heartbeatCodec,
  names,
  stepCommandCodec,
  stepReplyCodec,
  type HeartbeatMessage,
  type StepCommand,
  type StepReply,
} from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { Collector, cleanupPrefix, natsUrl, uniquePrefix, spawnTsProcess, type ChildHandle } from '@squadflow/transport/testing';
import { defineSquad, runSquadProcess } from '../src/index.ts';
import { loadSquadProcessConfig } from '../src/process.ts';

const SCRIPT = fileURLToPath(new URL('./fixtures/echo-squad-process.ts', import.meta.url));

let child: ChildHandle | undefined;
let transport: Transport | undefined;
let prefix: string | undefined;
afterEach(async () => {
  await child?.stop();
  await transport?.close();
  if (prefix) await cleanupPrefix(prefix);
  child = transport = prefix = undefined;
});

function command(step: string, action: string, input: unknown): StepCommand {
  return {
    id: `ex_proc.${step}.1`,
    executionId: 'ex_proc',
    workflow: 'proc',
    step,
    attempt: 1,
    squad: 'echo',
    action,
    compensation: false,
    input,
    deadline: Date.now() + 30_000,
  };
}

describe('squad process entry', () => {
  it('refuses to start without SQUADFLOW_NATS_URL or with a bad concurrency, naming each variable', async () => {
    const squad = defineSquad({ name: 'echo', actions: { say: { handler: () => ({}) } } });
    await expect(runSquadProcess(squad, { env: { SQUADFLOW_SQUAD_CONCURRENCY: 'many' }, handleSignals: false })).rejects.toMatchObject({
      code: 'INVALID_CONFIG',
      issues: [expect.objectContaining({ path: 'SQUADFLOW_NATS_URL' }), expect.objectContaining({ path: 'SQUADFLOW_SQUAD_CONCURRENCY' })],
    });
  });

  it('reads defaults for everything but the NATS URL', () => {
    expect(loadSquadProcessConfig({ SQUADFLOW_NATS_URL: 'nats://127.0.0.1:4222', SQUADFLOW_PREFIX: '' })).toEqual({
      natsUrl: 'nats://127.0.0.1:4222',
      prefix: 'sqf',
      logLevel: 'info',
      concurrency: 32,
      shutdownGraceMs: 10_000,
      replicas: 1,
    });
  });

  it('runs as its own OS process from the environment, answers commands, and on SIGTERM finishes its work and exits 0', async () => {
    prefix = uniquePrefix('proc');
    const n = names(prefix);
    child = await spawnTsProcess(
      SCRIPT,
      { SQUADFLOW_NATS_URL: natsUrl(), SQUADFLOW_PREFIX: prefix, SQUADFLOW_LOG_LEVEL: 'warn' },
      { label: 'echo' },
    );
    transport = await connectNatsTransport({ servers: natsUrl() });
    const replies = new Collector<StepReply>();
    const heartbeats = new Collector<HeartbeatMessage>();
    await transport.streams.consume(n.streams.inbound, { durable: 'test_inbound', filterSubject: n.inboundAll }, async (msg) => {
      if (subjectMatches(n.inboundFilter('heartbeat'), msg.subject)) heartbeats.push(heartbeatCodec.decode(msg.data));
      else replies.push(stepReplyCodec.decode(msg.data));
      msg.ack();
    });

    const say = command('hello', 'say', { text: 'hi' });
    await transport.streams.publish(n.command('echo', 'say'), stepCommandCodec.encode(say), { msgId: say.id });
    await transport.streams.publish(n.command('echo', 'say'), stepCommandCodec.encode(command('bad', 'say', { text: 1 })));
    await replies.count(2);
    const linger = command('slowly', 'linger', { ms: 500 });
    await transport.streams.publish(n.command('echo', 'linger'), stepCommandCodec.encode(linger), { msgId: linger.id });
    await heartbeats.count(1);
    expect(replies.items).toHaveLength(2);
    child.kill('SIGTERM');

    expect(await child.exited).toBe(0);
    await replies.count(3);
    // The linger handler was running when SIGTERM came: the graceful stop let it finish and reply.
    const byId = new Map(replies.items.map((r) => [r.commandId, r]));
    expect(byId.get(say.id)).toMatchObject({ ok: true, output: { said: 'hi' } });
    expect(byId.get(linger.id)).toMatchObject({ ok: true, output: { lingered: true } });
    expect(byId.get('ex_proc.bad.1')).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', retryable: false } });
  });
});
