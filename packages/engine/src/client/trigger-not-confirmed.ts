import { SquadflowError } from '@squadflow/shared';

/**
 * A trigger whose publish NATS did not confirm (timeout, disconnection, no
 * stream answering): code `UNAVAILABLE`. The trigger may still have been
 * stored, so its outcome is unknown. Retrying with the same idempotency key
 * is safe: the execution id derives from the key, so a retry names the same
 * execution and can never start a second one. Without a key, a retry may.
 */
export class TriggerNotConfirmedError extends SquadflowError {
  constructor(
    /** The execution the trigger would start (or started). */
    readonly executionId: string,
    /** The trigger's idempotency key, if it had one. */
    readonly idempotencyKey: string | undefined,
    cause: unknown,
  ) {
    super(
      'UNAVAILABLE',
      `NATS did not confirm the trigger of execution ${executionId} (${(cause as Error)?.message ?? String(cause)}): ` +
        'its outcome is unknown (it may or may not have been stored); ' +
        (idempotencyKey === undefined
          ? 'a retry without an idempotency key may start a second execution'
          : 'retrying with the same idempotency key can never start a second execution'),
      [],
      { cause },
    );
  }
}
