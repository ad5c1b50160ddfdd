/**
 * Size limits of the work streams, from the environment, so that every
 * process of a deployment (gateway, orchestrators, squads) applies the same
 * ones whichever starts first:
 *
 * | Variable | Limit |
 * | --- | --- |
 * | `SQUADFLOW_INBOUND_MAX_MSGS` | messages in `<P>_IN` (triggers, replies, signals, controls) |
 * | `SQUADFLOW_COMMANDS_MAX_MSGS` | messages in `<P>_CMD` (step commands) |
 *
 * Both streams are work queues: a message leaves once acknowledged, so a
 * limit bounds the backlog, not the history. A full stream refuses new
 * messages (discard-new, `StreamFullError`); the gateway answers a refused
 * trigger or signal 503 naming the limit, an orchestrator retries a refused
 * command later. Unset: no limit is set, and a limit already on the stream
 * is left as it is. A byte limit is deliberately not offered: NATS 2.9
 * with `max_bytes` and discard-new acknowledges messages and then drops the
 * oldest stored ones (nats-server#4771, #4775); the B5 test saw accepted
 * triggers vanish that way. Size each message with SQUADFLOW_MAX_CONTEXT_BYTES.
 */
import { SquadflowError, toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';

/** Limits of one stream (`StreamConfig.maxMsgs`). */
export interface StreamSizeLimits {
  maxMsgs?: number;
}

export interface StreamLimits {
  inbound?: StreamSizeLimits;
  commands?: StreamSizeLimits;
}

const Limit = z.coerce.number().int().positive().optional();
const EnvSchema = z.object({
  SQUADFLOW_INBOUND_MAX_MSGS: Limit,
  SQUADFLOW_COMMANDS_MAX_MSGS: Limit,
});

/** Reads the limits; throws `INVALID_CONFIG` naming each bad variable. */
export function streamLimitsFromEnv(env: Record<string, string | undefined> = process.env): StreamLimits {
  const parsed = EnvSchema.safeParse(env);
  if (!parsed.success) {
    throw new SquadflowError('INVALID_CONFIG', 'invalid stream limits', toFieldIssues(parsed.error.issues, ''));
  }
  const e = parsed.data;
  return {
    inbound: sizeLimits(e.SQUADFLOW_INBOUND_MAX_MSGS),
    commands: sizeLimits(e.SQUADFLOW_COMMANDS_MAX_MSGS),
  };
}

function sizeLimits(maxMsgs: number | undefined): StreamSizeLimits {
  return maxMsgs === undefined ? {} : { maxMsgs };
}
