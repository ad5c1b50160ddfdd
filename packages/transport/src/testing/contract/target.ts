import { afterEach, beforeEach } from 'vitest';
import type { StreamConfig, Transport } from '../../ports.ts';
import { uniquePrefix } from '../nats.ts';

/** What an adapter test hands the contract: a fresh transport per test and its cleanup. */
export interface ContractTarget {
  transport: Transport;
  cleanup(): Promise<void>;
  /** Names of streams and buckets the contract creates start with it (so `cleanup` can find them). */
  prefix?: string;
}

export type MakeTarget = () => Promise<ContractTarget>;

export interface TestStream {
  name: string;
  /** Subject under the stream: `subject('a')` -> `<root>.a`. */
  subject(suffix: string): string;
  /** Matches every subject of the stream. */
  all: string;
}

/** Per-test transport plus unique stream/bucket names, removed after each test. */
export function useTarget(make: MakeTarget) {
  let target: ContractTarget;
  let prefix = '';
  let n = 0;
  const streams: string[] = [];
  const buckets: string[] = [];

  beforeEach(async () => {
    target = await make();
    prefix = target.prefix ?? uniquePrefix('c');
    n = 0;
    streams.length = 0;
    buckets.length = 0;
  });
  afterEach(async () => {
    // Through the port first (exercises remove/removeKv), then the adapter's own cleanup.
    await Promise.all([...streams.map((s) => target.transport.streams.remove(s)), ...buckets.map((b) => target.transport.removeKv(b))]);
    await target.cleanup();
  });

  return {
    get transport(): Transport {
      return target.transport;
    },
    get prefix(): string {
      return prefix;
    },
    bucketName(): string {
      const name = `${prefix}_b${++n}`;
      buckets.push(name);
      return name;
    },
    /** Creates a stream capturing `<root>.>` and returns its names. */
    async stream(retention: StreamConfig['retention'] = 'workqueue', extra: Partial<StreamConfig> = {}): Promise<TestStream> {
      const id = ++n;
      const name = `${prefix.toUpperCase()}_S${id}`;
      const root = `${prefix}.s${id}`;
      streams.push(name);
      await target.transport.streams.ensure({ name, subjects: [`${root}.>`], retention, ...extra });
      return { name, subject: (suffix) => `${root}.${suffix}`, all: `${root}.>` };
    },
    /** A stream name and root that nothing has created. */
    unusedStream(): TestStream {
      const id = ++n;
      const root = `${prefix}.s${id}`;
      streams.push(`${prefix.toUpperCase()}_S${id}`); // in case the test creates it
      return { name: `${prefix.toUpperCase()}_S${id}`, subject: (suffix) => `${root}.${suffix}`, all: `${root}.>` };
    },
  };
}

export type Target = ReturnType<typeof useTarget>;

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const enc = (s: string): Uint8Array => encoder.encode(s);
export const dec = (b: Uint8Array): string => decoder.decode(b);
