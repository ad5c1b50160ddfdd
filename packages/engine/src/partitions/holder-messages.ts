import { controlCodec, TRACEPARENT, triggerCodec, type Names, type TriggerMessage } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';

/**
 * What a replica sends the holder of an execution's partition when it took
 * work that is the holder's (docs/architecture.md, "Partitions and leases").
 */

/** Whether a message came on a subject that names no partition (`p.in.<kind>.<token>`: the shared consumer's). */
export const isEntrySubject = (subject: string): boolean => subject.split('.').length === 4;

/**
 * Republishes a trigger, with its execution id fixed, on the subject of
 * the execution's partition (no message id: a repeat after a crash here
 * starts the same execution, which the holder finds and leaves as it is).
 */
export function handTriggerToHolder(
  transport: Transport,
  names: Names,
  t: TriggerMessage,
  executionId: string,
  traceparent: string | undefined,
): Promise<void> {
  return transport.streams.publish(
    names.startIn(executionId),
    triggerCodec.encode({ ...t, executionId }),
    traceparent ? { headers: { [TRACEPARENT]: traceparent } } : {},
  );
}

/**
 * A timer armed here for an execution of another replica's partition: the
 * holder arms it from the record (a `rearm` control on the partition's
 * subject). No message id: a repeat only arms the same timers again, and
 * the same timer may rightly be asked for twice (a pause, then a resume).
 */
export function askHolderToArm(transport: Transport, names: Names, executionId: string, timerId: string): Promise<void> {
  const message = { kind: 'control' as const, controlId: `rearm.${timerId}`, executionId, action: 'rearm' as const };
  return transport.streams.publish(names.control(executionId), controlCodec.encode(message));
}
