/**
 * The raw NATS client for floors, responders and housekeeping. The root
 * package takes no dependencies, so `@nats-io/transport-node` is resolved
 * from the transport package: the very client (and version) squadflow runs
 * on. Types come from the transport's own signatures for the same reason.
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { names } from '@squadflow/shared';
import { parseServers, type natsConnectionOf } from '@squadflow/transport';

export type NatsConnection = NonNullable<ReturnType<typeof natsConnectionOf>>;
export type Msg = Awaited<ReturnType<NatsConnection['request']>>;
export type MsgHdrs = NonNullable<Msg['headers']>;

interface TransportNode {
  connect(options: { servers: string[]; name?: string; user?: string; pass?: string; noAsyncTraces?: boolean }): Promise<NatsConnection>;
  headers(): MsgHdrs;
}

const transportRequire = createRequire(new URL('../../packages/transport/package.json', import.meta.url));
const client = (await import(pathToFileURL(transportRequire.resolve('@nats-io/transport-node')).href)) as TransportNode;

export const headers = (): MsgHdrs => client.headers();

export function natsUrl(): string {
  return process.env['SQUADFLOW_NATS_URL'] || 'nats://127.0.0.1:4222';
}

/** A plain connection; `noAsyncTraces` because building an Error per request costs ~20% throughput. */
export async function connectRaw(name: string, url = natsUrl()): Promise<NatsConnection> {
  const { servers, user, pass } = parseServers(url);
  return client.connect({ servers, name, noAsyncTraces: true, ...(user !== undefined ? { user, pass } : {}) });
}

let counter = 0;

/** `<label>_<10 random chars>`: matches the prefix rule and never collides with a concurrent run. */
export function uniquePrefix(label: string): string {
  counter = (counter + 1) % 1296;
  const random = (randomBytes(8).readBigUInt64BE() % 36n ** 8n).toString(36).padStart(8, '0') + counter.toString(36).padStart(2, '0');
  return `${label.slice(0, 32 - random.length - 1)}_${random}`;
}

const enc = new TextEncoder();
const dec = new TextDecoder();

interface ApiReply {
  error?: { code: number; err_code?: number; description: string };
  [key: string]: unknown;
}

/** One JetStream API call (`$JS.API.<what>`); throws on an API error. */
export async function jsApi<T extends ApiReply>(nc: NatsConnection, what: string, body?: unknown): Promise<T> {
  const reply = await nc.request(`$JS.API.${what}`, body === undefined ? undefined : enc.encode(JSON.stringify(body)), { timeout: 10_000 });
  const parsed = JSON.parse(dec.decode(reply.data)) as T;
  if (parsed.error) throw new Error(`$JS.API.${what}: ${parsed.error.description} (${parsed.error.err_code ?? parsed.error.code})`);
  return parsed;
}

/** Messages stored in a stream right now (one cheap API call). */
export async function streamMessages(nc: NatsConnection, stream: string): Promise<number> {
  const info = await jsApi<ApiReply & { state: { messages: number } }>(nc, `STREAM.INFO.${stream}`);
  return info.state.messages;
}

/** Every stream name on the server (paged by the API). */
export async function streamNames(nc: NatsConnection): Promise<string[]> {
  const out: string[] = [];
  for (;;) {
    const page = await jsApi<ApiReply & { total: number; streams: string[] | null }>(nc, 'STREAM.NAMES', { offset: out.length });
    out.push(...(page.streams ?? []));
    if (!page.streams?.length || out.length >= page.total) return out;
  }
}

/** Deletes every stream the prefix owns (`<PREFIX>_...`, `KV_<prefix>_...`; consumers and buckets go with them). */
export async function cleanupPrefix(prefix: string): Promise<string[]> {
  const nc = await connectRaw(`bench-cleanup-${prefix}`);
  try {
    const n = names(prefix);
    const owned = (await streamNames(nc)).filter((name) => n.ownsStream(name));
    await Promise.all(owned.map((name) => jsApi(nc, `STREAM.DELETE.${name}`).catch(() => undefined)));
    return owned;
  } finally {
    await nc.close();
  }
}

/** Last sequence of each stream: deltas count the writes (messages, KV puts and deletes) a run made. */
export async function lastSeqs(nc: NatsConnection, streams: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of streams) {
    const info = await jsApi<ApiReply & { state: { last_seq: number } }>(nc, `STREAM.INFO.${s}`).catch(() => undefined);
    out[s] = info?.state.last_seq ?? 0;
  }
  return out;
}

/**
 * Messages delivered so far by each durable consumer of the streams (`<stream>/<consumer>`): deltas count the
 * consumer deliveries a run made (commands to squads, inbound events to the orchestrator, lifecycle to watchers).
 * Ephemeral consumers (KV watches, the driver's own) come and go with their clients, so they are left out.
 */
export async function consumerDeliveries(nc: NatsConnection, streams: string[]): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const s of streams) {
    const page = await jsApi<
      ApiReply & { consumers: { name: string; config: { durable_name?: string }; delivered: { consumer_seq: number } }[] | null }
    >(nc, `CONSUMER.LIST.${s}`, { offset: 0 }).catch(() => undefined);
    for (const c of page?.consumers ?? []) if (c.config.durable_name) out[`${s}/${c.name}`] = c.delivered.consumer_seq;
  }
  return out;
}

/** Messages of a durable consumer redelivered so far (ack wait exceeded, or nak'd). */
export async function redeliveries(nc: NatsConnection, stream: string, durable: string): Promise<number> {
  const info = await jsApi<ApiReply & { num_redelivered: number }>(nc, `CONSUMER.INFO.${stream}.${durable}`).catch(() => undefined);
  return info?.num_redelivered ?? NaN;
}
