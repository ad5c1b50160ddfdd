/**
 * Floors (b) and (c): per step, what a durable engine cannot avoid — a
 * JetStream publish with its ack (~200 B command), a KV put (~1 KB record)
 * with its ack, and a request/reply to a squad-like responder. These are the
 * very messages `js.publish()` and `kv.put()` send, minus the clients' wrappers.
 * (b) awaits every operation with `nc.request()`; (c) sends them through
 * one reply subscription (`Requester`), so 256 executions pipeline.
 */
import { kvStreamName, kvSubjectPrefix } from '@squadflow/shared';
import { headers, jsApi, type NatsConnection } from '../lib/nats.ts';
import type { Requester } from './requester.ts';

export type Shape = 'chain4' | 'fan16';
/** Runs one step on one responder. */
type Step = (exec: string, step: number, responder: number) => Promise<void>;

const enc = new TextEncoder();
const dec = new TextDecoder();
const COMMAND = enc.encode(JSON.stringify({ kind: 'command', input: { payload: 'x'.repeat(160) } }));
const RECORD = enc.encode(JSON.stringify({ status: 'running', snapshot: 'r'.repeat(980) }));
const REQUEST = enc.encode(JSON.stringify({ input: { payload: 'q'.repeat(170) } }));
const TIMEOUT_MS = 10_000;

export interface DurableFloor {
  awaited: Step;
  pipelined: Step;
}

/** Creates the floor's stream and KV bucket (same settings as the engine's: file storage, dedup, history 1). */
export async function setupDurable(nc: NatsConnection, prefix: string, requester: Requester): Promise<DurableFloor> {
  const stream = `${prefix.toUpperCase()}_FLOOR`;
  const bucket = `${prefix}_floor`;
  const kvStream = kvStreamName(bucket);
  const kvKeys = kvSubjectPrefix(bucket);
  await jsApi(nc, `STREAM.CREATE.${stream}`, {
    name: stream,
    subjects: [`${prefix}.floor.js.>`],
    retention: 'limits',
    storage: 'file',
    max_msgs: 200_000,
    duplicate_window: 120e9,
  });
  await jsApi(nc, `STREAM.CREATE.${kvStream}`, {
    name: kvStream,
    subjects: [`${kvKeys}>`],
    retention: 'limits',
    storage: 'file',
    max_msgs_per_subject: 1,
    discard: 'new',
    allow_rollup_hdrs: true,
    deny_delete: true,
    allow_direct: true,
  });
  const msgId = (exec: string, step: number): ReturnType<typeof headers> => {
    const h = headers();
    h.set('Nats-Msg-Id', `${exec}.${step}`);
    return h;
  };
  const cmd = (responder: number): string => `${prefix}.floor.js.${responder}`;
  const svc = (responder: number): string => `${prefix}.floor.svc.${responder}`;
  return {
    awaited: async (exec, step, responder) => {
      checkAck((await nc.request(cmd(responder), COMMAND, { headers: msgId(exec, step), timeout: TIMEOUT_MS })).data);
      checkAck((await nc.request(`${kvKeys}${exec}`, RECORD, { timeout: TIMEOUT_MS })).data);
      await nc.request(svc(responder), REQUEST, { timeout: TIMEOUT_MS });
    },
    pipelined: async (exec, step, responder) => {
      checkAck(await requester.request(cmd(responder), COMMAND, msgId(exec, step)));
      checkAck(await requester.request(`${kvKeys}${exec}`, RECORD));
      await requester.request(svc(responder), REQUEST);
    },
  };
}

/** A publish ack is JSON; an error ack (stream full, wrong sequence) must not count as work done. */
function checkAck(data: Uint8Array): void {
  const ack = JSON.parse(dec.decode(data)) as { error?: { description: string } };
  if (ack.error) throw new Error(`publish rejected: ${ack.error.description}`);
}

/** One execution of a shape: chain4 = 4 steps in a row; fan16 = 1 step, 16 in parallel, then a join. */
export async function runShape(shape: Shape, exec: string, step: Step): Promise<void> {
  if (shape === 'chain4') {
    for (let i = 0; i < 4; i++) await step(exec, i, i);
    return;
  }
  await step(exec, 0, 0);
  await Promise.all(Array.from({ length: 16 }, (_, i) => step(exec, i + 1, i % 4)));
  await step(exec, 17, 3);
}
