import { createMemoryTransport, subjectMatches, type Clock, type KvStore, type Transport } from '@squadflow/transport';
import {
  heartbeatCodec,
  names,
  silentLogger,
  stepCommandCodec,
  stepReplyCodec,
  type HeartbeatMessage,
  type Names,
  type StepCommand,
  type StepReply,
} from '@squadflow/shared';
import {
  defineSquad,
  startSquad,
  type ActionDefinition,
  type ActionHandler,
  type RunningSquad,
  type SquadDefinition,
} from '../src/index.ts';

/** Values pushed as they arrive; `next()` awaits the next one not yet returned. */
export class Inbox<T> {
  readonly items: T[] = [];
  private readonly waiters = new Map<number, (value: T) => void>();
  private read = 0;

  push(item: T): void {
    const index = this.items.push(item) - 1;
    this.waiters.get(index)?.(item);
    this.waiters.delete(index);
  }

  /** Fails after `ms` so a missing item fails the test fast, showing what did arrive. */
  next(ms = 5_000): Promise<T> {
    const index = this.read++;
    if (index < this.items.length) return Promise.resolve(this.items[index] as T);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(index);
        reject(new Error(`item #${index + 1} did not arrive within ${ms} ms; got ${JSON.stringify(this.items)}`));
      }, ms);
      this.waiters.set(index, (item) => {
        clearTimeout(timer);
        resolve(item);
      });
    });
  }
}

/** What a test may pass to `start`: the actions of the harness squad (`billing`) or a whole definition. */
export interface StartOptions {
  actions?: Record<string, ActionDefinition | ActionHandler>;
  definition?: SquadDefinition;
  concurrency?: number;
  shutdownGraceMs?: number;
}

export interface Harness {
  transport: Transport;
  n: Names;
  squad: string;
  /** Replies as stored on the inbound stream (after msgId dedup). */
  replies: Inbox<StepReply>;
  /** Every reply publish the runtime attempted, with its msgId (before dedup). */
  publishedReplies: Inbox<{ reply: StepReply; msgId: string | undefined }>;
  /** Heartbeats as stored on the inbound stream. */
  heartbeats: Inbox<HeartbeatMessage>;
  start(options: StartOptions): Promise<RunningSquad>;
  command(overrides: Partial<StepCommand> & { action: string }): StepCommand;
  send(command: StepCommand, msgId?: string): Promise<void>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** The transport's clock (default: the system clock). */
  clock?: Clock;
  /** Wraps every KV bucket the squad opens (to hold or fail its writes). */
  wrapKv?: (kv: KvStore) => KvStore;
}

/** A memory transport with a unique prefix, a reply collector and a publish spy. */
export async function createHarness(options: HarnessOptions = {}): Promise<Harness> {
  const base = createMemoryTransport(options.clock ? { clock: options.clock } : {});
  const wrapKv = options.wrapKv ?? ((kv: KvStore) => kv);
  const n = names(`t_${Math.random().toString(36).slice(2, 10)}`);
  const squad = 'billing';
  const replies = new Inbox<StepReply>();
  const publishedReplies = new Inbox<{ reply: StepReply; msgId: string | undefined }>();
  const heartbeats = new Inbox<HeartbeatMessage>();

  // A spying wrapper rather than a patched adapter: records every reply publish with its msgId.
  const transport: Transport = {
    kind: base.kind,
    bus: base.bus,
    clock: base.clock,
    maxPayload: base.maxPayload,
    streams: {
      ensure: (config) => base.streams.ensure(config),
      consume: (stream, options, handler) => base.streams.consume(stream, options, handler),
      remove: (name) => base.streams.remove(name),
      last: (stream, subject) => base.streams.last(stream, subject),
      read: (stream, filter, fromSeq) => base.streams.read(stream, filter, fromSeq),
      publish: async (subject, data, options) => {
        await base.streams.publish(subject, data, options);
        if (subjectMatches(n.inboundFilter('reply'), subject))
          publishedReplies.push({ reply: stepReplyCodec.decode(data), msgId: options?.msgId });
      },
    },
    kv: async (bucket, kvOptions) => wrapKv(await base.kv(bucket, kvOptions)),
    removeKv: (bucket) => base.removeKv(bucket),
    close: () => base.close(),
  };

  const running: RunningSquad[] = [];
  let collecting = false;
  let sequence = 0;
  const executionId = `exec-${Math.random().toString(36).slice(2, 10)}`;
  return {
    transport,
    n,
    squad,
    replies,
    publishedReplies,
    heartbeats,
    async start({ actions, definition, ...rest }) {
      const common = { transport, prefix: n.prefix, logger: silentLogger(), ...rest };
      const squadRuntime = await startSquad({ ...common, definition: definition ?? defineSquad({ name: squad, actions: actions ?? {} }) });
      running.push(squadRuntime);
      if (!collecting) {
        collecting = true;
        await transport.streams.consume(n.streams.inbound, { durable: 'test_replies', filterSubject: n.inboundAll }, async (msg) => {
          if (subjectMatches(n.inboundFilter('heartbeat'), msg.subject)) heartbeats.push(heartbeatCodec.decode(msg.data));
          else replies.push(stepReplyCodec.decode(msg.data));
          msg.ack();
        });
      }
      return squadRuntime;
    },
    command(overrides) {
      const attempt = overrides.attempt ?? 1;
      const step = overrides.step ?? `step${++sequence}`;
      return {
        id: `${executionId}.${step}.${attempt}`,
        executionId,
        workflow: 'invoice',
        step,
        attempt,
        squad,
        compensation: false,
        input: {},
        deadline: base.clock.now() + 60_000,
        ...overrides,
      };
    },
    async send(command, msgId = command.id) {
      await transport.streams.publish(n.command(squad, command.action), stepCommandCodec.encode(command), { msgId });
    },
    async close() {
      await Promise.all(running.map((r) => r.stop()));
      await transport.close();
    },
  };
}
