/**
 * One soak sample every few seconds: the orchestrator's RSS (/proc), its heap
 * and event-loop lag (the probe's latest line), the pending and
 * ack-pending counts of the inbound and command consumers, and the size of
 * every stream of the prefix (KV buckets included), as JetStream reports them.
 */
import { names as makeNames, type Names } from '@squadflow/shared';
import { jsApi, streamNames, type NatsConnection } from './nats.ts';
import type { ProbeReader } from './soak-probe.ts';
import { readRss } from './rss.ts';

export interface ConsumerSample {
  /** Delivered, not yet acknowledged. */
  ackPending: number;
  /** Stored, not yet delivered. */
  pending: number;
  redelivered: number;
}

export interface StreamSample {
  messages: number;
  bytes: number;
}

export interface SoakSample {
  /** Seconds since the load started. */
  t: number;
  phase: 'warmup' | 'measured' | 'drain';
  accepted: number;
  ended: number;
  rssMb: number;
  /** From the probe's latest line (NaN before the first). */
  heapUsedMb: number;
  lagP99Ms: number;
  lagMaxMs: number;
  consumers: Record<string, ConsumerSample>;
  /** Every stream of the prefix by name (`KV_…` are the buckets). */
  streams: Record<string, StreamSample>;
}

// A type, not an interface: jsApi's reply type needs an implicit index signature.
type ConsumerInfo = { num_ack_pending: number; num_pending: number; num_redelivered: number };

export class SoakSampler {
  private readonly names: Names;

  constructor(
    private readonly nc: NatsConnection,
    prefix: string,
    private readonly squads: readonly string[],
    private readonly probe: ProbeReader,
  ) {
    this.names = makeNames(prefix);
  }

  async sample(pid: number, base: Pick<SoakSample, 't' | 'phase' | 'accepted' | 'ended'>): Promise<SoakSample> {
    const probe = this.probe.latest();
    const [consumers, streams] = await Promise.all([this.consumers(), this.streams()]);
    return {
      ...base,
      rssMb: readRss(pid).rssMb,
      heapUsedMb: probe?.heapUsedMb ?? NaN,
      lagP99Ms: probe?.lagP99Ms ?? NaN,
      lagMaxMs: probe?.lagMaxMs ?? NaN,
      consumers,
      streams,
    };
  }

  private async consumers(): Promise<Record<string, ConsumerSample>> {
    const n = this.names;
    const wanted: [string, string, string][] = [
      ['inbound', n.streams.inbound, n.consumers.orchestrator],
      ...this.squads.map((s): [string, string, string] => [`commands ${s}`, n.streams.commands, n.consumers.squad(s)]),
    ];
    const out: Record<string, ConsumerSample> = {};
    await Promise.all(
      wanted.map(async ([label, stream, durable]) => {
        const info = await jsApi<ConsumerInfo>(this.nc, `CONSUMER.INFO.${stream}.${durable}`).catch(() => undefined);
        out[label] = info
          ? { ackPending: info.num_ack_pending, pending: info.num_pending, redelivered: info.num_redelivered }
          : { ackPending: NaN, pending: NaN, redelivered: NaN };
      }),
    );
    return out;
  }

  private async streams(): Promise<Record<string, StreamSample>> {
    const owned = (await streamNames(this.nc)).filter((s) => this.names.ownsStream(s)).sort();
    const out: Record<string, StreamSample> = {};
    await Promise.all(
      owned.map(async (stream) => {
        const info = await jsApi<{ state: { messages: number; bytes: number } }>(this.nc, `STREAM.INFO.${stream}`).catch(() => undefined);
        if (info) out[stream] = { messages: info.state.messages, bytes: info.state.bytes };
      }),
    );
    return out;
  }
}
