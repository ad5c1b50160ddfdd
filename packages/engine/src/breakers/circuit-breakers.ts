import { z } from 'zod';
import { kvRecords, type Clock, type KvRecords, type KvStore } from '@squadflow/transport';

export interface BreakerPolicy {
  failureThreshold: number;
  resetAfterMs: number;
}

const BreakerStateSchema = z.object({
  state: z.enum(['closed', 'open', 'half_open']),
  /** Consecutive failures. */
  failures: z.number().int().nonnegative(),
  openedAt: z.number().optional(),
  /** The command allowed through while half-open. */
  probe: z.string().optional(),
  updatedAt: z.number(),
});
export type BreakerState = z.output<typeof BreakerStateSchema>;
export interface BreakerView extends BreakerState {
  squad: string;
  action: string;
}

export type Admission = { allowed: true } | { allowed: false; retryAfterMs: number };

const CLOSED: BreakerState = { state: 'closed', failures: 0, updatedAt: 0 };

/**
 * Circuit breakers per squad action, shared by every execution and every
 * orchestrator replica: the state lives in KV (`<p>_breakers`, key
 * `<squad>.<action>`) and every change is a compare-and-set, so two replicas
 * never both let a half-open probe through.
 */
export class CircuitBreakers {
  private readonly records: KvRecords<BreakerState>;

  constructor(
    kv: KvStore,
    private readonly clock: Clock,
  ) {
    this.records = kvRecords(kv, BreakerStateSchema);
  }

  /** May this command go out? Open: no (with the time left); open long enough: this one is the half-open probe. */
  admit(squad: string, action: string, commandId: string, policy: BreakerPolicy): Promise<Admission> {
    return this.change<Admission>(`${squad}.${action}`, (s, now) => {
      if (s.state === 'closed') return [undefined, { allowed: true }];
      const reopenAt = (s.openedAt ?? 0) + policy.resetAfterMs;
      if (s.state === 'half_open') {
        // The probe itself (redelivered), or a probe that never answered: let this one try.
        if (s.probe === commandId || now - s.updatedAt >= policy.resetAfterMs)
          return [{ ...s, probe: commandId, updatedAt: now }, { allowed: true }];
        return [undefined, { allowed: false, retryAfterMs: Math.max(1, policy.resetAfterMs - (now - s.updatedAt)) }];
      }
      if (now < reopenAt) return [undefined, { allowed: false, retryAfterMs: reopenAt - now }];
      return [{ ...s, state: 'half_open' as const, probe: commandId, updatedAt: now }, { allowed: true }];
    });
  }

  /** Counts an attempt's result: a success closes the breaker; enough consecutive failures (or a failed probe) open it. */
  async record(squad: string, action: string, ok: boolean, policy: BreakerPolicy): Promise<void> {
    await this.change<undefined>(`${squad}.${action}`, (s, now) => {
      if (ok)
        return s.state === 'closed' && s.failures === 0
          ? [undefined, undefined]
          : [{ state: 'closed' as const, failures: 0, updatedAt: now }, undefined];
      const failures = s.failures + 1;
      const open = s.state === 'half_open' || failures >= policy.failureThreshold;
      if (s.state === 'open') return [{ ...s, failures, updatedAt: now }, undefined];
      return [open ? { state: 'open' as const, failures, openedAt: now, updatedAt: now } : { ...s, failures, updatedAt: now }, undefined];
    });
  }

  async list(): Promise<BreakerView[]> {
    return (await this.records.entries()).map(({ key, value }) => {
      const [squad, action] = key.split('.') as [string, string];
      return { squad, action, ...value };
    });
  }

  /** Read, decide, compare-and-set; a concurrent writer makes us read and decide again. */
  private change<T>(key: string, decide: (s: BreakerState, now: number) => [BreakerState | undefined, T]): Promise<T> {
    return this.records.decide(key, (current) => decide(current ?? CLOSED, this.clock.now()));
  }
}
