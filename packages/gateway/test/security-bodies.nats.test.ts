/**
 * Matrix G4: oversize and slow bodies against a listening gateway over real
 * NATS. Bodies at 0.99× the cap pass and at 1.01× get 413; a 3 MB body is
 * refused on its Content-Length before it is read, and a 3 MB chunked one
 * as soon as it crosses the cap (the server had read no more than the cap
 * and one socket read when it answered). A body trickled a byte at a time,
 * a chunked body that never ends and headers that never end get 408 within
 * the configured request timeout, and their connections close. Nothing is
 * published for any refused request.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { parseServers } from '@squadflow/transport';
import { natsUrl } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signHmacSha256 } from '../src/index.ts';
import { compileWebhookRoutes } from '../src/webhooks/generic-config.ts';
import { openRaw, rawRequest, type RawAnswer } from './raw-http.ts';
import { echoWorkflow, startStack, type Stack } from './support.ts';

const CAP = 128 * 1024;
const REQUEST_TIMEOUT_MS = 1_500;
/** Node checks request timeouts every quarter of the timeout (connection-limits.ts), plus scheduling slack on a busy machine. */
const LATEST_408_MS = REQUEST_TIMEOUT_MS * 1.25 + 2_000;
const SECRET = 'bodies-route-s3cret';
const ROUTES = [
  {
    name: 'orders',
    secret: 'ROUTE_SECRET',
    signature: { header: 'X-Signature', prefix: 'sha256=' },
    action: 'trigger',
    workflow: 'echo',
  },
];

/** A JSON object of exactly `bytes` bytes. */
const jsonOf = (bytes: number): string => `{"blob":"${'x'.repeat(bytes - 11)}"}`;
const errorCode = (answer: RawAnswer): string => (JSON.parse(answer.body) as { error: { code: string } }).error.code;

describe('oversize and slow bodies (matrix G4)', () => {
  let stack: Stack;
  let nc: NatsConnection;
  const triggers: string[] = [];
  /** Bytes the server had read from each connection when its answer was finished, by status. */
  const readWhenAnswered: Array<{ status: number; bytesRead: number }> = [];

  beforeAll(async () => {
    stack = await startStack({
      kind: 'nats',
      listen: true,
      workflows: [echoWorkflow()],
      config: {
        bodyLimit: CAP,
        requestTimeoutMs: REQUEST_TIMEOUT_MS,
        webhookRoutes: compileWebhookRoutes(ROUTES, { ROUTE_SECRET: SECRET }),
      },
    });
    stack.gateway.app.server.on('request', (req, res) =>
      res.once('finish', () => readWhenAnswered.push({ status: res.statusCode, bytesRead: req.socket.bytesRead })),
    );
    const { servers, user, pass } = parseServers(natsUrl());
    nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}) });
    nc.subscribe(`${stack.prefix}.in.trigger.>`, { callback: (_err, msg) => void triggers.push(msg.subject) });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.close();
  });

  const head = (url: string, extra: string[] = []) => [
    `POST ${url} HTTP/1.1`,
    'Host: 127.0.0.1',
    'Content-Type: application/json',
    ...extra,
  ];
  const connections = () =>
    new Promise<number>((resolve, reject) => stack.gateway.app.server.getConnections((err, n) => (err ? reject(err) : resolve(n))));

  it('passes 0.99× the body cap and refuses 1.01× with 413, on the API and on a signed webhook', async () => {
    triggers.length = 0;
    const under = jsonOf(Math.floor(CAP * 0.99));
    const over = jsonOf(Math.ceil(CAP * 1.01));
    const outcomes = [];
    for (const body of [under, over]) {
      const api = await rawRequest(stack.url, head('/v1/workflows/echo/executions'), body);
      const hook = await rawRequest(stack.url, head('/webhooks/orders', [`X-Signature: ${signHmacSha256(body, SECRET)}`]), body);
      outcomes.push([api.status, hook.status]);
      if (body === over) expect([errorCode(api), errorCode(hook)]).toEqual(['PAYLOAD_TOO_LARGE', 'PAYLOAD_TOO_LARGE']);
    }
    expect(outcomes).toEqual([
      [202, 202],
      [413, 413],
    ]);
    await nc.flush();
    expect(triggers).toHaveLength(2); // the two under the cap
  });

  it('refuses 3 MB on its Content-Length before reading it, and 3 MB chunked once the cap is crossed', async () => {
    triggers.length = 0;
    readWhenAnswered.length = 0;
    // Announced: the answer comes without a byte of the body sent.
    const announced = await openRaw(stack.url, [...head('/v1/workflows/echo/executions'), `Content-Length: ${3 * 1024 * 1024}`]);
    const early = await announced.answer;
    expect([early.status, errorCode(early)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);

    // Chunked: 64 KiB chunks until the server answers (or 3 MB are sent).
    const chunked = await openRaw(stack.url, [...head('/v1/workflows/echo/executions'), 'Transfer-Encoding: chunked']);
    let answered = false;
    void chunked.answer.then(() => (answered = true));
    const chunk = Buffer.alloc(64 * 1024, 'x');
    for (let sent = 0; sent < 3 * 1024 * 1024 && !answered && !chunked.socket.destroyed; sent += chunk.length) {
      if (!chunked.write(Buffer.concat([Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n')]))) {
        await new Promise((resolve) => chunked.socket.once('drain', resolve).once('close', resolve));
      }
    }
    const cut = await chunked.answer;
    expect([cut.status, errorCode(cut)]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    const refusals = readWhenAnswered.filter((r) => r.status === 413);
    expect(refusals).toHaveLength(2);
    // No more than the cap, the headers and one socket read (64 KiB) had been read when each was refused.
    for (const r of refusals) expect(r.bytesRead).toBeLessThan(CAP + 64 * 1024 + 4 * 1024);
    await nc.flush();
    expect(triggers).toEqual([]);
  });

  it('answers 408 with the error envelope to a trickled body, a chunked body without end and unfinished headers, and closes them', async () => {
    triggers.length = 0;
    const before = await connections();
    const trickle = async () => {
      const c = await openRaw(stack.url, [...head('/v1/workflows/echo/executions'), 'Content-Length: 1000']);
      const timer = setInterval(() => !c.socket.destroyed && c.write('x'), 100);
      const answer = await c.answer;
      clearInterval(timer);
      return answer;
    };
    const endless = async () => {
      const c = await openRaw(stack.url, [...head('/v1/workflows/echo/executions'), 'Transfer-Encoding: chunked']);
      c.write('5\r\n{"a":\r\n');
      return c.answer;
    };
    const headless = async () => {
      const c = await openRaw(stack.url, ['POST /v1/workflows/echo/executions HTTP/1.1', 'Host: 127.0.0.1'], { endHead: false });
      return c.answer;
    };
    // Ten of each at once: a slowloris holds many sockets, not one.
    const answers = await Promise.all([...Array(10)].flatMap(() => [trickle(), endless(), headless()]));
    const seen = answers.map((a) => `${a.status} ${a.status ? errorCode(a) : ''}`);
    expect(new Set(seen)).toEqual(new Set(['408 REQUEST_TIMEOUT']));
    const elapsed = answers.map((a) => a.elapsedMs).sort((a, b) => a - b);
    console.log(
      `G4 slow requests: ${answers.length} answered 408 after ${elapsed[0]!.toFixed(0)}–${elapsed.at(-1)!.toFixed(0)} ms (timeout ${REQUEST_TIMEOUT_MS} ms)`,
    );
    for (const a of answers) {
      expect(a.elapsedMs).toBeGreaterThanOrEqual(REQUEST_TIMEOUT_MS - 50);
      expect(a.elapsedMs).toBeLessThan(LATEST_408_MS);
    }
    expect(await connections()).toBe(before);
    await nc.flush();
    expect(triggers).toEqual([]);
    // The gateway still serves.
    const ok = await rawRequest(stack.url, head('/v1/workflows/echo/executions'), '{}');
    expect(ok.status).toBe(202);
  });
});
