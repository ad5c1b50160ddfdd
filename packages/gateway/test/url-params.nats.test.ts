/**
 * Matrix G5: hostile names and ids in URLs (`.`, `*`, `>`, spaces, non-ASCII,
 * 10 KB) on the trigger, execution-read, control, signal and webhook routes.
 * Each is refused with the error envelope naming the parameter (and, when
 * over length, the limit), or encoded; every subject published meanwhile is
 * a valid NATS subject of ours, every KV key a valid key, and no call fails
 * on NATS (no 5xx). Real HTTP, real NATS.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { encodeToken } from '@squadflow/shared';
import { parseServers } from '@squadflow/transport';
import { natsUrl } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { echoWorkflow, startStack, type Stack } from './support.ts';

const SUBJECT = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_=-]+)*$/;
const KV_KEY = /^[A-Za-z0-9_=-]+(\.[A-Za-z0-9_=-]+)*$/;

const HOSTILE: Record<string, string> = {
  dot: 'order.1',
  star: 'order*',
  gt: 'order>',
  space: 'order 1',
  nonAscii: 'pedido-ção',
  emoji: '😀',
  /** 510 bytes: the longest signal key class there is, 1,530 characters once encoded into the subject. */
  widest: '€'.repeat(170),
  long: 'a'.repeat(10 * 1024),
};

interface Row {
  route: string;
  method: 'GET' | 'POST';
  url: (value: string) => string;
  /** The issue path naming the parameter, and the limit an over-long value is told. */
  param: string;
  limit: string;
  /** Values the route accepts (encoded on the way to NATS) rather than refuses. */
  accepts?: (name: string) => boolean;
}

const ROWS: Row[] = [
  { route: 'trigger', method: 'POST', url: (v) => `/v1/workflows/${v}/executions`, param: 'params.name', limit: 'max 64' },
  { route: 'execution read', method: 'GET', url: (v) => `/v1/executions/${v}`, param: 'params.id', limit: '128' },
  { route: 'control', method: 'POST', url: (v) => `/v1/executions/${v}/cancel`, param: 'params.id', limit: '128' },
  { route: 'webhook', method: 'POST', url: (v) => `/webhooks/${v}`, param: 'params.name', limit: 'max 64' },
  {
    route: 'signal',
    method: 'POST',
    url: (v) => `/v1/signals/${v}`,
    param: 'params.key',
    limit: '512 bytes',
    accepts: (name) => name !== 'long',
  },
];

describe('hostile URL parameters (matrix G5)', () => {
  let stack: Stack;
  let nc: NatsConnection;
  const subjects: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ kind: 'nats', listen: true, workflows: [echoWorkflow()] });
    const { servers, user, pass } = parseServers(natsUrl());
    nc = await connect({ servers, ...(user !== undefined ? { user, pass } : {}) });
    // Everything published under the prefix, and every KV write to its buckets.
    const ours = `$KV.${stack.prefix}_`;
    nc.subscribe(`${stack.prefix}.>`, { callback: (_err, msg) => void subjects.push(msg.subject) });
    nc.subscribe('$KV.>', { callback: (_err, msg) => void (msg.subject.startsWith(ours) && subjects.push(msg.subject)) });
    await nc.flush();
  });
  afterAll(async () => {
    await nc?.close();
    await stack?.close();
  });

  const call = async (method: string, path: string) => {
    const res = await fetch(stack.url + path, {
      method,
      ...(method === 'POST' ? { headers: { 'content-type': 'application/json' }, body: '{}' } : {}),
    });
    return {
      status: res.status,
      body: (await res.json()) as { error?: { code: string; issues: Array<{ path: string; message: string }> } },
    };
  };

  for (const row of ROWS) {
    it(`${row.route}: refuses each hostile value with the envelope naming ${row.param}, or encodes it; publishes only valid subjects`, async () => {
      subjects.length = 0;
      const accepted: string[] = [];
      for (const [name, value] of Object.entries(HOSTILE)) {
        const res = await call(row.method, row.url(encodeURIComponent(value)));
        const what = `${row.route} ${name}`;
        if (row.accepts?.(name)) {
          expect(res.status, what).toBe(202);
          accepted.push(value);
          continue;
        }
        expect(res.status, what).toBe(400);
        expect(res.body.error?.code, what).toBe('INVALID_ARGUMENT');
        expect(res.body.error?.issues[0]?.path, what).toBe(row.param);
        if (name === 'long') expect(res.body.error?.issues[0]?.message, what).toContain(row.limit);
      }
      await nc.flush();
      // The accepted values travel encoded (signals: `order.1` → `order=2E1`).
      for (const value of accepted) expect(subjects).toContain(`${stack.prefix}.in.signal.${encodeToken(value)}`);
      for (const subject of subjects) {
        if (subject.startsWith('$KV.')) expect(subject.split('.').slice(2).join('.'), subject).toMatch(KV_KEY);
        else expect(subject).toMatch(SUBJECT);
      }
    });
  }
});
