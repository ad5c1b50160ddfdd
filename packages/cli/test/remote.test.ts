/**
 * How `HttpRemote` turns the gateway's answers into the CLI's errors, against
 * a real HTTP server that answers what each case needs (status, headers and
 * the gateway's error body), and the "did you mean" matcher.
 */
import { createServer, type Server } from 'node:http';
import { SquadflowError } from '@squadflow/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError, ExitCode, toCliError } from '../src/exit-codes.ts';
import { HttpRemote } from '../src/remote/http-remote.ts';
import { nearest } from '../src/suggest.ts';

interface Canned {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

const envelope = (code: string, message: string, issues: unknown[] = []) => ({ error: { code, message, issues }, requestId: 'req-1' });

/** Path → the answer; the last request's headers are kept for inspection. */
const answers: Record<string, Canned> = {
  '/v1/executions/ex_busy': {
    status: 503,
    headers: { 'retry-after': '5' },
    body: envelope('UNAVAILABLE', 'NATS is not reachable; retry later'),
  },
  '/v1/executions/ex_gone': { status: 404, body: envelope('EXECUTION_NOT_FOUND', 'execution ex_gone not found') },
  '/v1/workflows': {
    status: 429,
    headers: { 'retry-after': '12' },
    body: envelope('RATE_LIMITED', 'rate limit of 600 requests per minute exceeded'),
  },
  '/v1/schedules': {
    status: 400,
    body: envelope('INVALID_ARGUMENT', 'invalid schedule: cron: bad', [{ path: 'cron', message: 'bad' }]),
  },
  '/v1/schedules/nope': { status: 404, body: envelope('SCHEDULE_NOT_FOUND', 'schedule "nope" not found') },
  '/v1/executions/ex_forbidden/cancel': { status: 403, body: envelope('FORBIDDEN', 'token "ops" lacks the "admin" scope') },
  '/v1/signals/k': { status: 502, body: '<html>bad gateway</html>', headers: { 'content-type': 'text/html' } },
};
let lastAuthorization: string | undefined;

let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => {
    lastAuthorization = req.headers.authorization;
    const canned = answers[req.url ?? ''] ?? { status: 404, body: envelope('ROUTE_NOT_FOUND', `no route ${req.method} ${req.url}`) };
    const text = typeof canned.body === 'string' ? canned.body : JSON.stringify(canned.body);
    res.writeHead(canned.status, { 'content-type': 'application/json', ...canned.headers }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const failure = async (call: Promise<unknown>): Promise<CliError> =>
  toCliError(
    await call.then(
      () => new Error('expected a failure'),
      (e: unknown) => e,
    ),
  );

describe('HttpRemote error mapping', () => {
  const remote = () => new HttpRemote(url, 'secret-token-0123456789');

  it('sends the bearer token', async () => {
    await remote()
      .listSchedules()
      .catch(() => undefined);
    expect(lastAuthorization).toBe('Bearer secret-token-0123456789');
  });

  it('503 UNAVAILABLE is exit 5 with the Retry-After', async () => {
    const err = await failure(remote().getExecution('ex_busy'));
    expect([err.exitCode, err.code]).toEqual([ExitCode.UNAVAILABLE, 'UNAVAILABLE']);
    expect(err.message).toContain('retry after 5s');
  });

  it('429 is exit 5 with the Retry-After', async () => {
    const err = await failure(remote().listWorkflows());
    expect([err.exitCode, err.code]).toEqual([ExitCode.UNAVAILABLE, 'RATE_LIMITED']);
    expect(err.message).toContain('retry after 12s');
  });

  it('engine codes come back as the engine error: 400 with its field issues, 404 not found', async () => {
    const raw = await remote()
      .createSchedule({ workflow: 'w', cron: 'x' })
      .catch((e: unknown) => e);
    expect(raw).toBeInstanceOf(SquadflowError);
    expect(raw).toMatchObject({
      code: 'INVALID_ARGUMENT',
      issues: [{ path: 'cron', message: 'bad' }],
      message: 'invalid schedule: cron: bad',
    });
    expect(toCliError(raw).exitCode).toBe(ExitCode.USAGE);
    expect((await failure(remote().deleteSchedule('nope'))).exitCode).toBe(ExitCode.NOT_FOUND);
  });

  it('a not-found read is null, not an error', async () => {
    expect(await remote().getExecution('ex_gone')).toBeNull();
    expect(await remote().getSchedule('nope')).toBeNull();
  });

  it('403 names SQUADFLOW_TOKEN; an unknown route asks whether SQUADFLOW_URL is a squadflow gateway', async () => {
    const forbidden = await failure(remote().cancel('ex_forbidden'));
    expect([forbidden.exitCode, forbidden.code]).toEqual([ExitCode.USAGE, 'FORBIDDEN']);
    expect(forbidden.message).toContain('SQUADFLOW_TOKEN');
    const route = await failure(remote().pause('ex_x'));
    expect(route.exitCode).toBe(ExitCode.NOT_FOUND);
    expect(route.message).toContain('SQUADFLOW_URL');
  });

  it('a 502 without the error body (a proxy) is exit 5', async () => {
    const err = await failure(remote().signal('k', {}));
    expect([err.exitCode, err.message]).toEqual([ExitCode.UNAVAILABLE, `${url} answered HTTP 502`]);
  });
});

describe('nearest name', () => {
  it('suggests within 3 edits or by prefix, and nothing for a stranger', () => {
    const names = ['abandoned_cart_recovery', 'offer_to_marketing', 'status', 'schedules'];
    expect(nearest('abandoned_cart_recovry', names)).toBe('abandoned_cart_recovery');
    expect(nearest('statsu', names)).toBe('status');
    expect(nearest('sched', names)).toBe('schedules');
    expect(nearest('xyz', names)).toBeUndefined();
    expect(nearest('status', names)).toBeUndefined();
  });
});
