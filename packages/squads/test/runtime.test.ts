import { encodeToken } from '@squadflow/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { idempotencyRecordCodec } from '../src/idempotency.ts';
import { defineAction, NonRetryableError, type ActionContext } from '../src/index.ts';
import { createHarness, type Harness } from './harness.ts';

/** A promise plus its resolver, to hold a handler until the test releases it. */
function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open!: (value: T) => void;
  const promise = new Promise<T>((resolve) => (open = resolve));
  return { promise, open };
}

let h: Harness;
afterEach(async () => {
  await h?.close();
});

describe('startSquad', () => {
  it('runs the action for a command and publishes its output as a reply on the execution reply subject', async () => {
    h = await createHarness();
    const seen: ActionContext[] = [];
    await h.start({ actions: { charge: (input, ctx) => (seen.push(ctx), { charged: input }) } });
    const command = h.command({ action: 'charge', input: { amount: 3 } });
    await h.send(command);

    const reply = await h.replies.next();
    expect(reply).toMatchObject({
      kind: 'reply',
      commandId: command.id,
      executionId: command.executionId,
      step: command.step,
      attempt: 1,
      compensation: false,
      ok: true,
      output: { charged: { amount: 3 } },
    });
    expect(reply.startedAt).toBeLessThanOrEqual(reply.finishedAt ?? 0);
    expect((await h.publishedReplies.next()).msgId).toBe(`${command.id}.reply`);
    expect(seen[0]).toMatchObject({
      idempotencyKey: command.id,
      workflow: 'invoice',
      step: command.step,
      attempt: 1,
      deadline: command.deadline,
    });
  });

  it('runs the handler once when the same command is sent again, and the reply stream holds its one real answer', async () => {
    h = await createHarness();
    let calls = 0;
    await h.start({ actions: { charge: () => ({ call: ++calls }), mark: () => ({}) } });
    const command = h.command({ action: 'charge' });

    await h.send(command, 'first');
    const first = await h.publishedReplies.next();
    await h.send(command, 'second'); // another copy (a new message, not a redelivery)
    await h.send(h.command({ action: 'mark', id: 'marker' }), 'marker');

    expect(calls).toBe(1);
    expect(first.reply).toMatchObject({ ok: true, output: { call: 1 } });
    // The copy found the command claimed by no running delivery: it answers a retryable INTERRUPTED under
    // the real reply's message id, which the stream drops as a duplicate of the real answer.
    // The copy and the marker run concurrently: either may publish first.
    const next = [await h.publishedReplies.next(), await h.publishedReplies.next()];
    expect(next.map((p) => p.reply.commandId).sort()).toEqual([command.id, 'marker'].sort());
    const copy = next.find((p) => p.reply.commandId === command.id)!;
    expect(copy.msgId).toBe(first.msgId);
    expect(copy.reply).toMatchObject({ commandId: command.id, ok: false, error: { code: 'INTERRUPTED', retryable: true } });
    expect(await h.replies.next()).toEqual(first.reply);
    expect((await h.replies.next()).commandId).toBe('marker');
  });

  it("answers another copy of a command whose handler still runs with that handler's answer, once it comes", async () => {
    h = await createHarness();
    const started = gate();
    const release = gate();
    let calls = 0;
    await h.start({
      actions: {
        charge: async () => {
          calls++;
          started.open();
          await release.promise;
          return { late: true };
        },
        mark: () => ({}),
      },
    });
    const command = h.command({ action: 'charge' });
    await h.send(command, 'first');
    await started.promise;
    await h.send(command, 'second');
    await h.send(h.command({ action: 'mark', id: 'marker' }), 'marker');
    // The copy waits for the running handler's answer: the marker answers first.
    expect((await h.publishedReplies.next()).reply.commandId).toBe('marker');
    release.open();
    const original = await h.publishedReplies.next();
    const copy = await h.publishedReplies.next();

    expect(calls).toBe(1);
    expect(original.reply).toMatchObject({ commandId: command.id, ok: true, output: { late: true } });
    expect(copy).toEqual(original); // the same answer under the same message id: the stream keeps one
    expect((await h.replies.next()).commandId).toBe('marker');
    expect(await h.replies.next()).toEqual(original.reply);
  });

  it('does not run the handler when a redelivery finds started without an answer (its process died), and replies a retryable INTERRUPTED', async () => {
    h = await createHarness();
    let calls = 0;
    const first = await h.start({ actions: { charge: () => ({ call: ++calls }) } });
    await first.stop();
    const command = h.command({ action: 'charge' });
    const kv = await h.transport.kv(h.n.buckets.idempotency);
    await kv.create(encodeToken(command.id), idempotencyRecordCodec.encode({ state: 'started', at: Date.now() - 1000 }));
    // A delivery that took the command and never settled it (a crashed process): the next one is a redelivery.
    const taken = gate();
    const crashed = await h.transport.streams.consume(
      h.n.streams.commands,
      { durable: h.n.consumers.squad('billing'), filterSubject: h.n.squadCommands('billing') },
      async (msg) => {
        msg.nak(50);
        taken.open();
      },
    );
    await h.send(command);
    await taken.promise;
    await crashed.stop();

    await h.start({ actions: { charge: () => ({ call: ++calls }) } });
    const reply = await h.replies.next();

    expect(calls).toBe(0);
    expect(reply).toMatchObject({ commandId: command.id, ok: false, error: { code: 'INTERRUPTED', retryable: true } });
    const stored = idempotencyRecordCodec.decode((await kv.get(encodeToken(command.id)))!.value);
    expect(stored).toMatchObject({ state: 'done', reply: { error: { code: 'INTERRUPTED' } } });
  });

  it('reports a NonRetryableError as not retryable and any other error as retryable, keeping its code', async () => {
    h = await createHarness();
    await h.start({
      actions: {
        reject: () => {
          throw new NonRetryableError('card declined', { code: 'DECLINED' });
        },
        crash: () => {
          throw new Error('connection reset');
        },
      },
    });
    await h.send(h.command({ action: 'reject' }));
    const rejected = await h.replies.next();
    await h.send(h.command({ action: 'crash' }));
    const crashed = await h.replies.next();

    expect(rejected).toMatchObject({ ok: false, error: { message: 'card declined', code: 'DECLINED', retryable: false } });
    expect(crashed).toMatchObject({ ok: false, error: { message: 'connection reset', retryable: true } });
  });

  it('rejects input that fails the action schema with a non-retryable INVALID_INPUT naming the field, without running the handler', async () => {
    h = await createHarness();
    let calls = 0;
    const charge = defineAction({ input: z.object({ amount: z.number() }), handler: ({ amount }) => (calls++, { amount }) });
    await h.start({ actions: { charge } });
    await h.send(h.command({ action: 'charge', input: { amount: 'ten' } }));
    const reply = await h.replies.next();

    expect(calls).toBe(0);
    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_INPUT', retryable: false } });
    expect(reply.error?.message).toContain('amount');
  });

  it('fails the step with a non-retryable INVALID_OUTPUT when the result does not match the output schema', async () => {
    h = await createHarness();
    const charge = defineAction({ output: z.object({ id: z.string() }), handler: () => ({ id: 42 }) as unknown as { id: string } });
    await h.start({ actions: { charge } });
    await h.send(h.command({ action: 'charge' }));
    const reply = await h.replies.next();

    expect(reply).toMatchObject({ ok: false, error: { code: 'INVALID_OUTPUT', retryable: false } });
    expect(reply.error?.message).toContain('id');
  });

  it('replies a non-retryable UNKNOWN_ACTION for an action the squad does not offer', async () => {
    h = await createHarness();
    await h.start({ actions: { charge: () => ({}) } });
    await h.send(h.command({ action: 'refund' }));

    expect(await h.replies.next()).toMatchObject({ ok: false, error: { code: 'UNKNOWN_ACTION', retryable: false } });
  });

  it('aborts the handler signal at the deadline and replies a retryable TIMEOUT', async () => {
    h = await createHarness();
    let aborted = false;
    const wait = (_input: unknown, ctx: ActionContext): Promise<never> =>
      new Promise((_resolve, reject) => {
        ctx.signal.addEventListener('abort', () => {
          aborted = true;
          reject(new DOMException('aborted', 'AbortError'));
        });
      });
    await h.start({ actions: { wait } });
    await h.send(h.command({ action: 'wait', deadline: Date.now() + 100 }));
    const reply = await h.replies.next();

    expect(aborted).toBe(true);
    expect(reply).toMatchObject({ ok: false, error: { code: 'TIMEOUT', retryable: true } });
  });

  it('skips commands whose deadline has passed and drops malformed commands, without replying', async () => {
    h = await createHarness();
    const ran: string[] = [];
    await h.start({ concurrency: 1, actions: { charge: (_input, ctx) => (ran.push(ctx.step), {}) } });
    await h.send(h.command({ action: 'charge', step: 'expired', deadline: Date.now() - 1 }));
    await h.transport.streams.publish(h.n.command(h.squad, 'charge'), new TextEncoder().encode('{"not":"a command"}'));
    await h.send(h.command({ action: 'charge', step: 'current' }));

    const reply = await h.replies.next();
    expect(reply.step).toBe('current');
    expect(ran).toEqual(['current']);
    expect(h.publishedReplies.items).toHaveLength(1);
  });

  it('passes the compensation flag to the handler and back on the reply', async () => {
    h = await createHarness();
    await h.start({ actions: { undo: (_input, ctx) => ({ compensation: ctx.compensation }) } });
    const command = h.command({ action: 'undo', compensation: true });
    await h.send({ ...command, id: `${command.id}.c` });

    expect(await h.replies.next()).toMatchObject({ compensation: true, output: { compensation: true } });
  });

  it('stop() waits for in-flight handlers to finish and publish their replies', async () => {
    h = await createHarness();
    const started = gate();
    const release = gate();
    const squad = await h.start({
      actions: {
        charge: async () => {
          started.open();
          await release.promise;
          return { done: true };
        },
      },
    });
    await h.send(h.command({ action: 'charge' }));
    await started.promise;

    let stopped = false;
    const stopping = squad.stop().then(() => (stopped = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stopped).toBe(false);

    release.open();
    await stopping;
    expect(h.publishedReplies.items.map((p) => p.reply.output)).toEqual([{ done: true }]);
  });
});

describe('a reply too large to publish', () => {
  it('becomes a non-retryable PAYLOAD_TOO_LARGE failure instead of a publish that fails on every redelivery', async () => {
    h = await createHarness();
    let calls = 0;
    const limit = h.transport.maxPayload;
    await h.start({ actions: { dump: () => (calls++, { blob: 'x'.repeat(limit) }), small: () => ({ ok: true }) } });
    const big = h.command({ action: 'dump' });
    await h.send(big);
    await h.send(h.command({ action: 'small' }));

    const first = await h.replies.next();
    const second = await h.replies.next();
    const byId = new Map([first, second].map((r) => [r.commandId, r]));
    expect(byId.get(big.id)).toMatchObject({ ok: false, error: { code: 'PAYLOAD_TOO_LARGE', retryable: false } });
    expect(byId.get(big.id)?.error?.message).toMatch(/^the reply is \d+ bytes, over the \d+ bytes a message can carry$/);
    expect(calls).toBe(1);
    expect([...byId.values()].filter((r) => r.ok)).toHaveLength(1);
  });
});
