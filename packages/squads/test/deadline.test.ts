import { afterEach, describe, expect, it } from 'vitest';
import { ensureStreams, ManualClock, type KvStore } from '@squadflow/transport';
import { gate } from '@squadflow/transport/testing';
import { encodeToken } from '@squadflow/shared';
import type { ActionContext } from '../src/index.ts';
import { createHarness, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Holds the idempotency claims (KV creates) of the squad until released, telling when one is waiting. */
function heldClaims() {
  const claiming = gate();
  const release = gate();
  const wrapKv = (kv: KvStore): KvStore =>
    Object.assign(Object.create(kv) as KvStore, {
      create: async (key: string, value: Uint8Array) => {
        claiming.open();
        await release.promise;
        return kv.create(key, value);
      },
    });
  return { claiming: claiming.promise, release: () => release.open(), wrapKv };
}

describe('a command whose attempt deadline has passed', () => {
  it('is not started when the deadline passes while it is being claimed (a stopped squad resuming); it answers TIMEOUT', async () => {
    const clock = new ManualClock();
    const claims = heldClaims();
    h = await createHarness({ clock, wrapKv: claims.wrapKv });
    const ran: string[] = [];
    await h.start({ actions: { charge: (_input: unknown, ctx: ActionContext) => (ran.push(ctx.step), { charged: true }) } });
    const command = h.command({ action: 'charge', deadline: clock.now() + 1_000 });
    await h.send(command);
    await clock.advance(0);
    await claims.claiming; // it passed the first deadline check and is claiming
    await clock.advance(2_000); // the squad is stopped meanwhile; the orchestrator has timed the attempt out
    claims.release();
    const reply = await h.replies.next();

    expect(ran).toEqual([]);
    expect(reply).toMatchObject({ commandId: command.id, ok: false, error: { code: 'TIMEOUT', retryable: true } });
  });

  it('that a handler had started (heartbeats extend its attempt) is not skipped when redelivered: the redelivery answers INTERRUPTED', async () => {
    const clock = new ManualClock();
    h = await createHarness({ clock });
    const { n, squad, transport } = h;
    const command = h.command({ action: 'work', deadline: clock.now() + 1_000 });
    // A replica that died mid-handler: it claimed the command and took its delivery, then went away unacked.
    await ensureStreams(transport, n);
    const idem = await transport.kv(n.buckets.idempotency);
    await idem.create(encodeToken(command.id), new TextEncoder().encode(JSON.stringify({ state: 'started', at: clock.now() })));
    const taken = gate();
    const dead = await transport.streams.consume(
      n.streams.commands,
      { durable: n.consumers.squad(squad), filterSubject: n.squadCommands(squad), ackWaitMs: 30_000 },
      async () => taken.open(),
    );
    await h.send(command);
    await clock.advance(0);
    await taken.promise;
    await dead.stop();
    let calls = 0;
    await h.start({ actions: { work: () => ({ calls: ++calls }) } });
    await clock.advance(31_000); // the dead delivery's ack wait ends, well past the command's deadline

    expect(await h.replies.next()).toMatchObject({ commandId: command.id, ok: false, error: { code: 'INTERRUPTED', retryable: true } });
    expect(calls).toBe(0);
  });
});
