/**
 * Matrix G5, beyond the URL parameters (url-params.nats.test.ts): hostile
 * idempotency keys, signal ids, webhook delivery ids, correlation keys and
 * WhatsApp message ids (`.`, `*`, `>`, space, `+`, non-ASCII, very long, and
 * CR/LF, NUL, tab: header injection into the NATS message headers). Each is
 * refused with the error envelope naming the field, or encoded; never a 5xx.
 * Every message published under the prefix has a subject of our grammar and
 * a `Nats-Msg-Id` without control characters; every KV key written is a
 * valid key. Real NATS.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { workflow } from '@squadflow/shared';
import { parseServers } from '@squadflow/transport';
import { natsUrl, until } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHmacSha256 } from '../src/index.ts';
import { compileWebhookRoutes } from '../src/webhooks/generic-config.ts';
import { echoWorkflow, startStack, waitingWorkflow, type Stack } from './support.ts';

const SECRET = 'injection-route-s3cret';
const APP_SECRET = 'injection-app-s3cret';
const ROUTES = [
  {
    name: 'orders',
    secret: 'ROUTE_SECRET',
    signature: { header: 'X-Signature', prefix: 'sha256=' },
    action: 'trigger',
    workflow: 'echo',
    idempotencyKey: 'event_id',
  },
  {
    name: 'payments',
    secret: 'ROUTE_SECRET',
    signature: { header: 'X-Signature', prefix: 'sha256=' },
    action: 'signal',
    key: 'order_{order_id}',
    idempotencyKey: 'event_id',
  },
];

/** Values an outside caller controls. */
const HOSTILE: Record<string, string> = {
  dot: 'a.b',
  star: 'a*',
  gt: 'a>',
  space: 'a b',
  plus: 'a+b',
  nonAscii: 'pedido-ção',
  emoji: '😀',
  long: 'x'.repeat(300),
  crlf: 'a\r\nNats-Msg-Id: forged',
  lf: 'a\nb',
  nul: 'a\u0000b',
  tab: 'a\tb',
  trailingSpace: 'a ',
};
const CONTROL = new Set(['crlf', 'lf', 'nul', 'tab']);

/** Our subject grammar under the prefix: `p.in.<kind>.<token>`, a token being `[A-Za-z0-9_-]` plus `=XX` escapes. */
const subjectGrammar = (prefix: string) => new RegExp(`^${prefix}\\.in\\.(trigger|signal|control)\\.[A-Za-z0-9_=-]+$`);
const KV_KEY = /^[A-Za-z0-9_=-]+(\.[A-Za-z0-9_=-]+)*$/;
/** A header value NATS can carry as sent: printable ASCII, nothing to trim. */
const MSG_ID = /^[\x21-\x7e]+$/;

interface Answer {
  status: number;
  code?: string;
  path?: string;
}

describe('hostile ids and keys (matrix G5)', () => {
  let stack: Stack;
  let nc: NatsConnection;
  const seen: Array<{ subject: string; msgId?: string }> = [];

  beforeAll(async () => {
    const conversation = workflow('lead_conversation')
      .wait('next_message', { signal: 'ai_conversation_{phone_number}', timeout: '1h' })
      .build();
    stack = await startStack({
      kind: 'nats',
      workflows: [echoWorkflow(), waitingWorkflow(), conversation],
      config: {
        whatsapp: { appSecret: APP_SECRET, conversationWorkflow: 'lead_conversation' },
        webhookRoutes: compileWebhookRoutes(ROUTES, { ROUTE_SECRET: SECRET }),
      },
    });
    const { servers, user, pass } = parseServers(natsUrl());
    nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}) });
    const record = (_err: unknown, msg: { subject: string; headers?: { get(k: string): string } }) =>
      void seen.push({ subject: msg.subject, ...(msg.headers?.get('Nats-Msg-Id') ? { msgId: msg.headers.get('Nats-Msg-Id') } : {}) });
    for (const kind of ['trigger', 'signal', 'control']) nc.subscribe(`${stack.prefix}.in.${kind}.>`, { callback: record });
    nc.subscribe(`$KV.${stack.prefix}_>`, { callback: record });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.close();
  });

  const inject = async (url: string, payload: string, headers: Record<string, string>): Promise<Answer> => {
    const res = await stack.gateway.app.inject({
      method: 'POST',
      url,
      headers: { 'content-type': 'application/json', ...headers },
      payload,
    });
    if (res.statusCode < 400) return { status: res.statusCode };
    const body = res.json() as { error?: { code: string; issues?: Array<{ path: string }> } };
    const path = body.error?.issues?.[0]?.path;
    return { status: res.statusCode, code: body.error?.code ?? res.body, ...(path ? { path } : {}) };
  };
  const signed = (url: string, body: object, secret = SECRET, header = 'x-signature') => {
    const raw = JSON.stringify(body);
    return inject(url, raw, { [header]: signHmacSha256(raw, secret) });
  };

  /** Each hostile value: accepted (2xx) or refused with 400 naming `field`; the control characters always refused. */
  const expectAcceptedOrNamed = (
    answers: Record<string, Answer>,
    field: string,
    maxLength: number,
    alsoRefused: string[] = [],
    code = 'INVALID_ARGUMENT',
  ) => {
    for (const [name, answer] of Object.entries(answers)) {
      const refused = CONTROL.has(name) || alsoRefused.includes(name) || HOSTILE[name]!.length > maxLength;
      if (refused) expect(answer, name).toEqual({ status: 400, code, path: field });
      else expect(answer.status, `${name}: ${JSON.stringify(answer)}`).toBeLessThan(300);
    }
  };

  const sweep = async (send: (value: string) => Promise<Answer>): Promise<Record<string, Answer>> => {
    const answers: Record<string, Answer> = {};
    for (const [name, value] of Object.entries(HOSTILE)) answers[name] = await send(value);
    return answers;
  };

  it('Idempotency-Key of a trigger and of a signal: printable ASCII is carried, anything else refused naming the header', async () => {
    // Echoed in the answer's headers: what cannot be echoed as is (non-ASCII, surrounding space) is refused too.
    const notEchoable = ['nonAscii', 'emoji', 'trailingSpace'];
    const triggers = await sweep((v) => inject('/v1/workflows/echo/executions', '{}', { 'idempotency-key': v }));
    expectAcceptedOrNamed(triggers, 'headers.Idempotency-Key', 256, notEchoable);
    const signals = await sweep((v) => inject('/v1/signals/order_1', '{}', { 'idempotency-key': v }));
    expectAcceptedOrNamed(signals, 'headers.Idempotency-Key', 256, notEchoable);
  });

  it('generic webhook delivery ids and correlation keys from the body: encoded, or refused naming the field', async () => {
    const deliveries = await sweep((v) => signed('/webhooks/orders', { event_id: v }));
    // The delivery id is cut to 180 characters (it becomes part of a 256-character key), so "long" is accepted.
    expectAcceptedOrNamed(deliveries, 'idempotencyKey', Infinity, [], 'INVALID_PAYLOAD');
    // On a signal route the delivery id becomes the signal id, which travels in the Nats-Msg-Id header.
    const signalIds = await sweep((v) => signed('/webhooks/payments', { event_id: v, order_id: 'o-1' }));
    expectAcceptedOrNamed(signalIds, 'idempotencyKey', Infinity, [], 'INVALID_PAYLOAD');
    const keys = await sweep((v) => signed('/webhooks/payments', { event_id: `k-${v.length}-${v.charCodeAt(1)}`, order_id: v }));
    for (const [name, answer] of Object.entries(keys)) expect(answer.status, name).toBe(202); // any text: encoded into the subject
  });

  it('WhatsApp message ids, as signal ids of a waiting conversation: refused naming the field, or carried encoded', async () => {
    const message = (from: string, id: string) => ({
      object: 'whatsapp_business_account',
      entry: [{ changes: [{ value: { messages: [{ from, id, timestamp: '1700000000', type: 'text', text: { body: 'hi' } }] } }] }],
    });
    const whatsapp = (from: string, id: string) => signed('/webhooks/whatsapp', message(from, id), APP_SECRET, 'x-hub-signature-256');
    const answers: Record<string, Answer> = {};
    let n = 0;
    for (const [name, id] of Object.entries(HOSTILE)) {
      // A conversation of its own per case, waiting when the hostile message comes: the message id becomes the signal id.
      const from = `55119888${String(++n).padStart(5, '0')}`;
      expect((await whatsapp(from, `wamid.start.${n}`)).status).toBe(200);
      await until(
        `conversation ${from} waits`,
        () => stack.client.isWaiting(`ai_conversation_${from}`),
        (waiting) => waiting,
      );
      answers[name] = await whatsapp(from, id);
    }
    for (const [name, answer] of Object.entries(answers)) {
      if (CONTROL.has(name) || HOSTILE[name]!.length > 200) {
        expect(answer, name).toEqual({ status: 400, code: 'INVALID_PAYLOAD', path: 'entry.0.changes.0.value.messages.0.id' });
      } else expect(answer.status, `${name}: ${JSON.stringify(answer)}`).toBe(200);
    }
  });

  it('published only subjects of our grammar, Nats-Msg-Ids without control characters, and valid KV keys', async () => {
    await nc.flush();
    expect(seen.length).toBeGreaterThan(30);
    const grammar = subjectGrammar(stack.prefix);
    for (const { subject, msgId } of seen) {
      if (subject.startsWith('$KV.')) expect(subject.split('.').slice(2).join('.'), subject).toMatch(KV_KEY);
      else {
        expect(subject).toMatch(grammar);
        expect(msgId, subject).toMatch(MSG_ID);
      }
    }
  });
});
