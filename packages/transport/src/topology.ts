import type { Names } from '@squadflow/shared';
import type { StreamConfig, Transport } from './ports.ts';
import { streamLimitsFromEnv, type StreamLimits } from './stream-limits.ts';

/**
 * The streams every component relies on, defined once. The orchestrator and
 * every squad call `ensureStreams` at start (idempotent), so start order does
 * not matter.
 *
 * - inbound (`p.in.>`): triggers, replies, signals, control; a work queue
 *   consumed by the orchestrators' shared durable consumer.
 * - commands (`p.cmd.>`): step commands; a work queue, one durable consumer per squad.
 * - lifecycle (`p.lc.>`, `p.alert.>`): events for other services; kept 7 days.
 *
 * The two work queues take optional size limits (stream-limits.ts): a full
 * one refuses new messages, which is how back-pressure reaches a caller.
 */
/** How long a stream drops a second message with the same id (JetStream `duplicate_window`). */
export const DUPLICATE_WINDOW_MS = 120_000;

export function streamConfigs(n: Names, limits: StreamLimits = {}): StreamConfig[] {
  return [
    {
      name: n.streams.inbound,
      subjects: [n.inboundAll],
      retention: 'workqueue',
      duplicateWindowMs: DUPLICATE_WINDOW_MS,
      ...limits.inbound,
    },
    {
      name: n.streams.commands,
      subjects: [n.commandsAll],
      retention: 'workqueue',
      duplicateWindowMs: DUPLICATE_WINDOW_MS,
      ...limits.commands,
    },
    {
      name: n.streams.lifecycle,
      // Alert events (`p.alert.>`) are kept beside the execution lifecycle events: same retention, same readers.
      subjects: [n.lifecycleAll, n.alertsAll],
      retention: 'limits',
      maxAgeMs: 7 * 86_400_000,
      duplicateWindowMs: DUPLICATE_WINDOW_MS,
    },
  ];
}

/** How long an archived execution stays in the archive stream by default (docs/retention.md). */
export const ARCHIVE_MAX_AGE_MS = 90 * 86_400_000;

/**
 * The archive of ended executions (`p.archive.<execution id>`, one message
 * each, the execution id as message id). Not part of `streamConfigs`: only
 * the engine's retention sweeper ensures it, with the max age it is
 * configured with, so a component started without that setting does not put
 * the default back.
 */
export function archiveStreamConfig(n: Names, maxAgeMs = ARCHIVE_MAX_AGE_MS): StreamConfig {
  return { name: n.streams.archive, subjects: [n.archiveAll], retention: 'limits', maxAgeMs, duplicateWindowMs: DUPLICATE_WINDOW_MS };
}

/** Creates (or updates) the streams; `limits` defaults to the `SQUADFLOW_*_MAX_*` environment variables. */
export async function ensureStreams(transport: Transport, n: Names, limits: StreamLimits = streamLimitsFromEnv()): Promise<void> {
  for (const config of streamConfigs(n, limits)) await transport.streams.ensure(config);
}

/** Deletes every stream and bucket of a prefix (tests, teardown). */
export async function removeTopology(transport: Transport, n: Names): Promise<void> {
  for (const config of streamConfigs(n)) await transport.streams.remove(config.name);
  await transport.streams.remove(n.streams.events);
  await transport.streams.remove(n.streams.archive);
  for (const bucket of Object.values(n.buckets)) await transport.removeKv(bucket);
}
