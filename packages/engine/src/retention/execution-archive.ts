import { type Names } from '@squadflow/shared';
import { NotFoundError, PayloadTooLargeError, type StoredStreamMessage, type Transport } from '@squadflow/transport';
import type { ExecutionRecord } from '../store/execution-record.ts';
import { ArchivedExecutionSchema, type ArchivedExecution } from './archived-execution.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Ids that can be subject tokens (as execution record keys). */
const EXECUTION_ID = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * Ended executions that left the hot store: the `<P>_ARCHIVE` stream, one
 * message per execution on `p.archive.<execution id>` with the id as message
 * id, kept for the stream's max age (docs/retention.md). One execution is
 * read by its subject (`last_by_subj`, one request); the whole archive is
 * read in order for exports.
 */
export class ExecutionArchive {
  constructor(
    private readonly transport: Transport,
    private readonly names: Names,
  ) {}

  /**
   * Stores the record; resolves once the stream acknowledged it (PubAck).
   * A record too large for one message goes without its snapshot, then
   * without context and output too (`slimmed`), never not at all.
   */
  async put(record: ExecutionRecord, revision: number, archivedAt: number): Promise<void> {
    const shapes: Array<(r: ExecutionRecord) => ExecutionRecord> = [
      (r) => r,
      ({ snapshot: _s, ...r }) => r,
      ({ snapshot: _s, output: _o, ...r }) => ({ ...r, context: {} }),
    ];
    for (const [i, shape] of shapes.entries()) {
      const body: ArchivedExecution = { v: 1, archivedAt, revision, ...(i ? { slimmed: true } : {}), record: shape(record) };
      try {
        await this.transport.streams.publish(this.names.archive(record.executionId), encoder.encode(JSON.stringify(body)), {
          msgId: `archive.${record.executionId}.${revision}`,
        });
        return;
      } catch (err) {
        if (!(err instanceof PayloadTooLargeError) || i === shapes.length - 1) throw err;
      }
    }
  }

  /** The archived execution, or null (never archived, expired from the archive, or no archive yet). */
  async get(executionId: string): Promise<ArchivedExecution | null> {
    if (!EXECUTION_ID.test(executionId)) return null;
    const message = await this.transport.streams.last(this.names.streams.archive, this.names.archive(executionId));
    return message ? decode(message) : null;
  }

  /**
   * Every archived execution, in the order they were archived; an execution
   * archived twice (a sweeper that died between archiving and deleting, past
   * the dedup window) is yielded once, at its last copy's place.
   */
  async *all(): AsyncIterable<ArchivedExecution> {
    try {
      for await (const message of this.transport.streams.read(this.names.streams.archive, this.names.archiveAll)) {
        const archived = decode(message);
        const last = await this.transport.streams.last(this.names.streams.archive, message.subject);
        if (last && last.seq !== message.seq) continue;
        yield archived;
      }
    } catch (err) {
      if (err instanceof NotFoundError) return; // nothing archived yet
      throw err;
    }
  }
}

function decode(message: StoredStreamMessage): ArchivedExecution {
  return ArchivedExecutionSchema.parse(JSON.parse(decoder.decode(message.data)));
}
