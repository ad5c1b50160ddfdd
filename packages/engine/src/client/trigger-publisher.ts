import {
  JsonObjectSchema,
  SquadflowError,
  toFieldIssues,
  traceHeaders,
  TRACEPARENT,
  triggerCodec,
  type Logger,
  type Names,
} from '@squadflow/shared';
import { KvConflictError, PayloadTooLargeError, type Transport } from '@squadflow/transport';
import type { ExecutionRecord } from '../store/execution-record.ts';
import type { EngineStores } from '../store/open-stores.ts';
import type { TriggerOptions } from './engine-client.ts';
import { assertFits, assertJsonDepth, tooLarge } from './payload-limits.ts';
import { storableTraceparent } from '../tracing/execution-trace.ts';

export interface TriggerPublishDeps {
  transport: Transport;
  stores: EngineStores;
  names: Names;
  /** Largest trigger message accepted, in bytes. */
  contextLimit: number;
  logger?: Logger;
}

/**
 * The trigger path of `EngineClient.trigger`: checks the context (depth
 * first, before anything recurses into it; then the workflow's schema and the
 * message size), publishes the trigger, and only then writes the `pending`
 * record that lets a caller read the execution at once, so a trigger that
 * was refused or failed leaves nothing behind.
 */
export async function publishTrigger(
  deps: TriggerPublishDeps,
  workflow: string,
  context: unknown,
  executionId: string,
  options: TriggerOptions,
): Promise<string> {
  const compiled = await deps.stores.registry.get(workflow, options.version);
  // Before anything recurses into it: the context schema check, zod, JSON.stringify.
  assertJsonDepth(context, 'context', 'INVALID_CONTEXT');
  const parsed = JsonObjectSchema.safeParse(context);
  if (!parsed.success)
    throw new SquadflowError('INVALID_CONTEXT', 'context must be a JSON object', toFieldIssues(parsed.error.issues, 'context'));
  const issues = compiled.checkContext(parsed.data);
  if (issues.length) throw new SquadflowError('INVALID_CONTEXT', `invalid context for workflow "${workflow}"`, issues);

  const key = options.idempotencyKey;
  if (key !== undefined && !options.generatedKey) {
    // Started already: the same key returns the same execution. Still pending (e.g. queued by a concurrency limit): publish again, deduplicated.
    const existing = await deps.stores.executions.read(executionId);
    if (existing && existing.record.status !== 'pending') return executionId;
    // Ended and archived after its retention: the key still names it until the archive forgets it (one more request, keyed path only).
    if (!existing && (await deps.stores.archive.get(executionId))) return executionId;
  }
  const now = deps.transport.clock.now();
  const fields = {
    ...(key ? { idempotencyKey: key } : {}),
    ...(options.priority === undefined ? {} : { priority: options.priority }),
  };
  const held = options.start === false ? { start: false } : {};
  const message = triggerCodec.encode({
    kind: 'trigger',
    workflow,
    version: compiled.version,
    executionId,
    context: parsed.data,
    requestedAt: now,
    ...fields,
    ...held,
  });
  const limit = deps.contextLimit;
  assertFits(message.length, limit, 'context', 'the trigger message');
  // The caller's active span (the gateway's request, a publisher's own span) becomes the execution span's parent.
  const headers = traceHeaders();
  await publishChecked(deps.transport, deps.names.trigger(workflow), message, `trigger.${executionId}`, 'context', headers);

  // Only a well-formed W3C traceparent is kept (another propagator may write something else there).
  const trace = storableTraceparent(headers?.[TRACEPARENT]);
  const pending: ExecutionRecord = {
    v: 1,
    executionId,
    workflow,
    version: compiled.version,
    status: 'pending',
    createdAt: now,
    updatedAt: now,
    context: parsed.data,
    ...fields,
    ...(options.start === false ? { held: true } : {}),
    ...(trace ? { trace } : {}),
  };
  try {
    await deps.stores.executions.create(pending);
  } catch (err) {
    // A conflict: the orchestrator (or an earlier trigger with this key) created the record first.
    // Anything else: the trigger is stored and the orchestrator creates the record from it.
    if (!(err instanceof KvConflictError))
      deps.logger?.warn({ executionId, workflow, err }, 'trigger stored; its pending record was not written (the orchestrator writes it)');
  }
  return executionId;
}

/** Publishes to a stream; a message over the server's limit becomes `PAYLOAD_TOO_LARGE` naming `field`. */
export async function publishChecked(
  transport: Transport,
  subject: string,
  data: Uint8Array,
  msgId: string,
  field: string,
  headers?: Record<string, string>,
): Promise<void> {
  try {
    await transport.streams.publish(subject, data, headers ? { msgId, headers } : { msgId });
  } catch (err) {
    if (err instanceof PayloadTooLargeError) throw tooLarge(field, `the message would be ${err.bytes} bytes`, err.limit);
    throw err;
  }
}
