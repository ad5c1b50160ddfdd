/**
 * Matrix G1 and G2: the signature matrix for every signed webhook (Meta's
 * `X-Hub-Signature-256: sha256=<hex>`, a generic route with a `sha256=` hex
 * signature, a generic route with a bare base64 one), over real HTTP and real
 * NATS. Every forged, malformed or mismatched delivery is refused with a 4xx
 * (never a 5xx), publishes nothing under the prefix's inbound subjects and
 * writes nothing to the delivery ledger; the raw bytes are what is signed,
 * so Meta's escaped-unicode body is accepted and its re-serialisation is
 * not. Every log line of the run, at every level, is searched for the
 * secrets.
 */
import { createHmac } from 'node:crypto';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseServers } from '@squadflow/transport';
import { natsUrl, until } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { parseApiTokens } from '../src/http/auth.ts';
import { compileWebhookRoutes } from '../src/webhooks/generic-config.ts';
import { captureLog } from './log-capture.ts';
import { rawRequest } from './raw-http.ts';
import { echoWorkflow, startStack, type Stack } from './support.ts';

const APP_SECRET = 'meta-app-s3cret-0a1b2c3d4e';
const VERIFY_TOKEN = 'meta-verify-t0ken-5f6a7b8c';
const SHOP_SECRET = 'shop-hex-s3cret-9d8c7b6a';
const PAY_SECRET = 'pay-b64-s3cret-1f2e3d4c';
const API_TOKEN = 'api-t0ken-for-the-security-run';
const SECRETS = { APP_SECRET, VERIFY_TOKEN, SHOP_SECRET, PAY_SECRET, API_TOKEN };

const ROUTES = [
  {
    name: 'shop',
    secret: 'SHOP_SECRET',
    signature: { header: 'X-Shop-Signature', prefix: 'sha256=' },
    action: 'trigger',
    workflow: 'echo',
    idempotencyKey: 'event_id',
  },
  {
    name: 'pay',
    secret: 'PAY_SECRET',
    signature: { header: 'X-Pay-Signature', encoding: 'base64' },
    action: 'trigger',
    workflow: 'echo',
  },
];

/** One signed webhook: where it is, how it signs, and a body it accepts. */
interface Signer {
  name: string;
  url: string;
  header: string;
  prefix: string;
  encoding: 'hex' | 'base64';
  secret: string;
  body: string;
}

/** Meta's payload with escaped unicode, as Meta sends it (`\u00e4`, surrogate pairs for emoji). */
const metaBody = (id: string, text = '\\u00e4\\u00f6\\u00e5 \\ud83d\\ude00', from = '5511999990000'): string =>
  `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{"messaging_product":"whatsapp",` +
  `"contacts":[{"wa_id":"${from}","profile":{"name":"J\\u00f6rg"}}],` +
  `"messages":[{"from":"${from}","id":"${id}","timestamp":"1700000000","type":"text","text":{"body":"${text}"}}]}}]}]}`;

const G2_PHONE = '5511999990002';

const SIGNERS: Signer[] = [
  {
    name: 'whatsapp',
    url: '/webhooks/whatsapp',
    header: 'X-Hub-Signature-256',
    prefix: 'sha256=',
    encoding: 'hex',
    secret: APP_SECRET,
    body: metaBody('wamid.G1'),
  },
  {
    name: 'generic hex',
    url: '/webhooks/shop',
    header: 'X-Shop-Signature',
    prefix: 'sha256=',
    encoding: 'hex',
    secret: SHOP_SECRET,
    body: '{"event_id":"evt_g1","order":{"id":"S-1"}}',
  },
  {
    name: 'generic base64',
    url: '/webhooks/pay',
    header: 'X-Pay-Signature',
    prefix: '',
    encoding: 'base64',
    secret: PAY_SECRET,
    body: '{"payment":{"id":"P-1"}}',
  },
];

const digest = (s: Signer, body: string | Buffer, secret = s.secret): string =>
  createHmac('sha256', secret).update(body).digest(s.encoding);
const signed = (s: Signer, body: string | Buffer, secret = s.secret): string => s.prefix + digest(s, body, secret);
const swapCase = (text: string): string => [...text].map((c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join('');

interface Case {
  name: string;
  body: (s: Signer) => string;
  /** Header lines to send (none: the header is missing). */
  headers: (s: Signer) => string[];
  contentType?: string;
  status: number;
  code: string;
}

const sig = (s: Signer, value: string): string[] => [`${s.header}: ${value}`];

/** The table: every way a delivery can be forged or malformed. */
const CASES: Case[] = [
  { name: 'missing header', body: (s) => s.body, headers: () => [], status: 401, code: 'INVALID_SIGNATURE' },
  { name: 'empty header', body: (s) => s.body, headers: (s) => [`${s.header}:`], status: 401, code: 'INVALID_SIGNATURE' },
  {
    name: 'wrong prefix',
    body: (s) => s.body,
    headers: (s) => sig(s, `sha1=${digest(s, s.body)}`),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'prefix in other case',
    body: (s) => s.body,
    headers: (s) => sig(s, `${s.prefix ? s.prefix.toUpperCase() : 'SHA256='}${digest(s, s.body)}`),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'digest without its prefix',
    body: (s) => s.body,
    headers: (s) => sig(s, s.prefix ? digest(s, s.body) : `sha256=${digest(s, s.body)}`),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'one byte too long',
    body: (s) => s.body,
    headers: (s) => sig(s, s.prefix + (s.encoding === 'hex' ? `${digest(s, s.body)}00` : digest(s, s.body).replace(/=$/, 'AA='))),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'one byte too short',
    body: (s) => s.body,
    headers: (s) => sig(s, s.prefix + digest(s, s.body).slice(0, -4) + (s.encoding === 'hex' ? '' : '==')),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'truncated to half',
    body: (s) => s.body,
    headers: (s) => sig(s, s.prefix + digest(s, s.body).slice(0, 32)),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'wrong secret',
    body: (s) => s.body,
    headers: (s) => sig(s, signed(s, s.body, 'not-the-secret')),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'digest in other case',
    body: (s) => s.body,
    headers: (s) => sig(s, s.prefix + swapCase(digest(s, s.body))),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'body changed after signing',
    body: (s) => s.body.replace('1', '2'),
    headers: (s) => sig(s, signed(s, s.body)),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'body with a trailing newline added',
    body: (s) => `${s.body}\n`,
    headers: (s) => sig(s, signed(s, s.body)),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'empty body, signature of another',
    body: () => '',
    headers: (s) => sig(s, signed(s, 'x')),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  { name: 'empty body, unsigned', body: () => '', headers: () => [], status: 401, code: 'INVALID_SIGNATURE' },
  {
    name: 'empty body, correctly signed',
    body: () => '',
    headers: (s) => sig(s, signed(s, '')),
    status: 400,
    code: 'INVALID_PAYLOAD',
  },
  {
    name: 'duplicated header (twice the right value)',
    body: (s) => s.body,
    headers: (s) => [...sig(s, signed(s, s.body)), ...sig(s, signed(s, s.body))],
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'duplicated header (a wrong value, then the right one)',
    body: (s) => s.body,
    headers: (s) => [...sig(s, signed(s, s.body, 'x')), ...sig(s, signed(s, s.body))],
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'signature with trailing text',
    body: (s) => s.body,
    headers: (s) => sig(s, `${signed(s, s.body)};t=1`),
    status: 401,
    code: 'INVALID_SIGNATURE',
  },
  {
    name: 'correctly signed, not JSON',
    body: () => 'not json',
    headers: (s) => sig(s, signed(s, 'not json')),
    status: 400,
    code: 'INVALID_JSON',
  },
  {
    name: 'correctly signed, wrong media type',
    body: (s) => s.body,
    headers: (s) => sig(s, signed(s, s.body)),
    contentType: 'text/plain',
    status: 415,
    code: 'UNSUPPORTED_MEDIA_TYPE',
  },
];

describe('webhook signatures (matrix G1, G2)', () => {
  let stack: Stack;
  let nc: NatsConnection;
  const log = captureLog();
  /** Every trigger, signal and control published under the prefix, and every write to the delivery ledger. */
  const published: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      kind: 'nats',
      listen: true,
      logger: log.logger,
      // The conversation waits after its first step: the G2 test's second message must find it running, whatever the timing.
      workflows: [
        echoWorkflow(),
        workflow('lead_conversation')
          .task('echo', { squad: 'alpha', action: 'noop' })
          .wait('await_reply', { signal: 'conv_{phone_number}', timeout: '1h', dependsOn: ['echo'] })
          .build(),
      ],
      config: {
        tokens: parseApiTokens(`ops:${API_TOKEN}:read+trigger`),
        whatsapp: { appSecret: APP_SECRET, verifyToken: VERIFY_TOKEN, conversationWorkflow: 'lead_conversation' },
        webhookRoutes: compileWebhookRoutes(ROUTES, { SHOP_SECRET, PAY_SECRET }),
      },
    });
    const { servers, user, pass } = parseServers(natsUrl());
    nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}) });
    // Triggers, signals and controls: what a webhook could cause (squads' replies to earlier executions are not).
    for (const kind of ['trigger', 'signal', 'control']) {
      nc.subscribe(`${stack.prefix}.in.${kind}.>`, { callback: (_err, msg) => void published.push(msg.subject) });
    }
    nc.subscribe(`$KV.${stack.prefix}_webhooks.>`, { callback: (_err, msg) => void published.push(msg.subject) });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.close();
  });

  const post = (s: Signer, body: string, headers: string[], contentType = 'application/json') =>
    rawRequest(stack.url, [`POST ${s.url} HTTP/1.1`, 'Host: 127.0.0.1', `Content-Type: ${contentType}`, ...headers], body);

  for (const signer of SIGNERS) {
    it(`${signer.name}: refuses every forged or malformed delivery with a 4xx and publishes nothing`, async () => {
      published.length = 0;
      const outcomes: string[] = [];
      for (const c of CASES) {
        const res = await post(signer, c.body(signer), c.headers(signer), c.contentType);
        const code = res.status ? (JSON.parse(res.body) as { error: { code: string } }).error.code : 'no answer';
        outcomes.push(`${c.name}: ${res.status} ${code}`);
      }
      expect(outcomes).toEqual(CASES.map((c) => `${c.name}: ${c.status} ${c.code}`));
      await nc.flush();
      expect(published).toEqual([]);

      // The control: the same route accepts the genuine delivery, so the refusals above are the signature's doing.
      const ok = await post(signer, signer.body, sig(signer, signed(signer, signer.body)));
      expect(ok.status, ok.body).toBe(signer.name === 'whatsapp' ? 200 : 202);
      await nc.flush();
      expect(published.some((subject) => subject.startsWith(`${stack.prefix}.in.trigger.`))).toBe(true);
    });
  }

  it("accepts Meta's escaped-unicode body signed over its raw bytes, and refuses the same JSON re-serialised (G2)", async () => {
    const meta = SIGNERS[0]!;
    // A phone of its own: G1's conversations (same fixture phone) are still running, waiting for a reply.
    const raw = metaBody('wamid.G2', undefined, G2_PHONE);
    const reserialised = JSON.stringify(JSON.parse(raw));
    expect(reserialised).not.toBe(raw); // `äöå 😀` written out as UTF-8: other bytes, same JSON
    expect(JSON.parse(reserialised)).toEqual(JSON.parse(raw));

    published.length = 0;
    const forged = await post(meta, reserialised, sig(meta, signed(meta, raw)));
    expect([forged.status, JSON.parse(forged.body).error.code]).toEqual([401, 'INVALID_SIGNATURE']);
    await nc.flush();
    expect(published).toEqual([]);

    const accepted = await post(meta, raw, sig(meta, signed(meta, raw)));
    expect([accepted.status, JSON.parse(accepted.body)]).toEqual([200, expect.objectContaining({ received: 1, triggered: 1 })]);
    const executions = await until(
      'the conversation started',
      () => stack.client.listExecutions({ workflow: 'lead_conversation' }),
      (list) => list.some((e) => (e.context['message'] as { id: string }).id === 'wamid.G2'),
    );
    const started = executions.find((e) => (e.context['message'] as { id: string }).id === 'wamid.G2')!;
    expect(started.context).toMatchObject({ name: 'Jörg', message: { text: 'äöå 😀' } });

    // A sender that writes UTF-8 and signs those bytes is accepted too: the signature covers bytes, whatever they spell.
    const utf8 = metaBody('wamid.G2b', 'äöå 😀', G2_PHONE);
    const plain = await post(meta, utf8, sig(meta, signed(meta, Buffer.from(utf8, 'utf8'))));
    // Same sender while the G2 conversation runs: the message joins it (a signal), it starts no second one.
    expect([plain.status, JSON.parse(plain.body)]).toEqual([200, expect.objectContaining({ received: 1, signalled: 1, triggered: 0 })]);
  });

  it('writes no secret into any log line, at any level, over the whole run', async () => {
    // The verification GET carries the verify token in its query; an API call carries a bearer token.
    const verify = await fetch(`${stack.url}/webhooks/whatsapp?hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=42`);
    expect([verify.status, await verify.text()]).toEqual([200, '42']);
    const api = await fetch(`${stack.url}/v1/workflows`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
    expect(api.status).toBe(200);
    // The requests were logged (trace level: every line fastify and the gateway write), so the search below means something.
    expect(log.lines.filter((l) => l.includes('/webhooks/whatsapp?hub.mode=[redacted]&hub.verify_token=[redacted]'))).toHaveLength(1);
    for (const [name, secret] of Object.entries(SECRETS)) expect(log.containing(secret), name).toEqual([]);
  });
});
