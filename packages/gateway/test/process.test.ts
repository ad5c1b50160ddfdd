/**
 * The gateway as a real process (src/bin/gateway.ts): killed with SIGKILL
 * while executions it started are running, then restarted. Nothing is lost
 * (the work lives in NATS, not in the gateway), retried triggers with the
 * same Idempotency-Key find the same executions, and the API answers as soon
 * as the new process says `ready`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { natsUrl, spawnTsProcess, type ChildHandle, until, freePort } from '@squadflow/transport/testing';
import { sleepyWorkflow, startStack, type Stack } from './support.ts';

const SCRIPT = 'packages/gateway/src/bin/gateway.ts';

describe('gateway process', () => {
  let stack: Stack;
  let gateway: ChildHandle | undefined;
  beforeAll(async () => {
    stack = await startStack({ kind: 'nats', workflows: [sleepyWorkflow('slow', 1_500)] });
  });
  afterAll(async () => {
    await gateway?.stop();
    await stack?.close();
  });

  it('loses nothing when killed mid-flight and answers again as soon as it is back', async () => {
    const port = await freePort();
    const env = {
      SQUADFLOW_NATS_URL: natsUrl(),
      SQUADFLOW_PREFIX: stack.prefix,
      SQUADFLOW_HOST: '127.0.0.1',
      SQUADFLOW_PORT: String(port),
      SQUADFLOW_LOG_LEVEL: 'error',
    };
    const base = `http://127.0.0.1:${port}`;
    const trigger = async (key: string): Promise<string> => {
      const res = await fetch(`${base}/v1/workflows/slow/executions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': key },
        body: JSON.stringify({ key }),
      });
      expect(res.status).toBe(202);
      return ((await res.json()) as { executionId: string }).executionId;
    };

    gateway = await spawnTsProcess(SCRIPT, env, { label: 'gateway-1' });
    const keys = ['order-1', 'order-2', 'order-3', 'order-4', 'order-5'];
    const ids = await Promise.all(keys.map(trigger));
    const inFlight = await Promise.all(ids.map((id) => stack.client.getExecution(id)));
    expect(inFlight.filter((e) => e?.status !== 'completed')).not.toHaveLength(0);

    gateway.kill('SIGKILL');
    expect(await gateway.exited).toBeNull();
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();

    gateway = await spawnTsProcess(SCRIPT, env, { label: 'gateway-2' });
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);

    expect(await Promise.all(keys.map(trigger))).toEqual(ids);
    for (const id of ids) {
      const view = await until(
        `${id} completed`,
        async () => (await fetch(`${base}/v1/executions/${id}`)).json() as Promise<{ status: string }>,
        (v) => v.status === 'completed',
        20_000,
      );
      expect(view.status).toBe('completed');
    }
    const listed = (await (await fetch(`${base}/v1/executions?workflow=slow`)).json()) as { executions: Array<{ executionId: string }> };
    expect(listed.executions.map((e) => e.executionId).sort()).toEqual([...ids].sort());

    await gateway.stop();
    expect(await gateway.exited).toBe(0);
    gateway = undefined;
  });
  it('a port in use exits 2 with one line naming SQUADFLOW_PORT (no stack trace)', async () => {
    const port = await freePort();
    const env = {
      SQUADFLOW_NATS_URL: natsUrl(),
      SQUADFLOW_PREFIX: stack.prefix,
      SQUADFLOW_PORT: String(port),
      SQUADFLOW_LOG_LEVEL: 'error',
    };
    const first = await spawnTsProcess(SCRIPT, env, { label: 'gateway-port-holder' });
    try {
      const second = await spawnTsProcess(SCRIPT, env, { label: 'gateway-port-taken' }).then(
        () => new Error('the second gateway started on a port in use'),
        (err: Error) => err,
      );
      expect(second.message).toContain('exited with 2 before printing "ready"');
      expect(second.message).toContain(`gateway: cannot listen on 127.0.0.1:${port}: the address is already in use: SQUADFLOW_PORT`);
      expect(second.message).not.toMatch(/\n\s+at /);
    } finally {
      await first.stop();
    }
  });
});
