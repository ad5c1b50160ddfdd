import { SquadflowError } from '@squadflow/shared';
import { NoStreamError } from './errors.ts';
import { isNatsUnreachable } from './nats/errors.ts';

/**
 * Whether a transport call failed because the infrastructure is not usable
 * right now (NATS frozen or unreachable, a request timed out, the connection
 * is closing, no stream answers), as opposed to a call that was refused for
 * what it asked. Such a failure may heal by itself: HTTP answers it with 503
 * and `Retry-After`. A timed-out write may still have been stored.
 */
export function isTransportUnavailable(err: unknown): boolean {
  if (err instanceof SquadflowError) return err.code === 'UNAVAILABLE';
  return err instanceof NoStreamError || isNatsUnreachable(err);
}
