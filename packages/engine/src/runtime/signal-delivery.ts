import type { Logger, SignalMessage } from '@squadflow/shared';
import type { Clock, DeliveredMessage } from '@squadflow/transport';
import { machineEvent } from '../compile/events.ts';
import type { MachineEvent } from '../compile/index.ts';
import type { SignalBuffer } from '../store/signal-buffer.ts';
import type { WaitIndex, WaitRegistration } from '../store/waits.ts';
import type { ApplyResult } from './event-applier.ts';
import type { OrchestratorStats } from './stats.ts';

export interface SignalDeliveryDeps {
  waits: WaitIndex;
  buffer: SignalBuffer;
  clock: Clock;
  logger: Logger;
  /** Counts the signals the buffer could not keep. */
  stats: OrchestratorStats;
  apply(executionId: string, event: MachineEvent): Promise<ApplyResult>;
  /** Runs one message's event for one execution under the poison guard. */
  guarded(executionId: string, msg: DeliveredMessage, label: () => string, apply: () => Promise<unknown>): Promise<void>;
}

/**
 * Signals to their waits: a signal message goes to every execution waiting
 * on its key (each under the poison guard); one that finds nobody is
 * buffered (`SignalBuffer`) for a wait armed shortly after, within its
 * lookback. An escalation signal resolves the escalated step instead.
 */
export class SignalDelivery {
  constructor(private readonly deps: SignalDeliveryDeps) {}

  async onSignal(s: SignalMessage, msg: DeliveredMessage): Promise<void> {
    const { waits, buffer, clock } = this.deps;
    let waiting = await waits.lookup(s.key);
    let buffered = false;
    if (!waiting.length) {
      // Nothing waits yet: keep it for the lookback window, then look again in
      // case a wait was armed meanwhile (closes the race with registration).
      const bytes = msg.data.length; // the buffer's per-signal bound is measured on the wire
      const outcome = await buffer.put(s.key, { signalId: s.signalId, data: s.data, receivedAt: clock.now() }, bytes);
      if (outcome !== 'buffered') this.notBuffered(s, bytes, outcome);
      buffered = outcome === 'buffered';
      waiting = await waits.lookup(s.key);
    }
    let taken = false;
    for (const reg of waiting) {
      const label = (): string => `signal on "${s.key}" to step "${reg.step}"`;
      await this.deps.guarded(reg.executionId, msg, label, async () => {
        if ((await this.deliver(reg, s.signalId, s.data)) === 'applied') taken = true;
      });
    }
    // A wait took it after all: out of the queue, or the next wait armed on the key would get it a second time.
    // (A wait that had just completed on an older buffered signal did not take it: it stays for the next one.)
    if (buffered && taken) await buffer.clear(s.key, s.signalId);
  }

  /**
   * The oldest signal that came before its wait (within the step's lookback)
   * resumes the wait now; it leaves the buffer only after. The others stay
   * queued for the waits armed after this one (a conversation's next turns).
   */
  async deliverBuffered(executionId: string, key: string, step: string, since: number): Promise<void> {
    try {
      const buffered = await this.deps.buffer.peek(key, since);
      if (!buffered) return;
      await this.deliver({ executionId, step, purpose: 'wait' }, buffered.signalId, buffered.data);
      await this.deps.buffer.clear(key, buffered.signalId);
    } catch (err) {
      this.deps.logger.error({ err, executionId, key }, 'delivering a buffered signal failed');
    }
  }

  private deliver(reg: WaitRegistration, signalId: string, data: unknown): Promise<ApplyResult> {
    if (reg.purpose === 'escalation') {
      const action = (data as { action?: unknown } | undefined)?.action;
      if (action !== 'retry' && action !== 'skip' && action !== 'abort') {
        this.deps.logger.warn({ executionId: reg.executionId, data }, 'escalation signal needs data.action: retry | skip | abort');
        return Promise.resolve('stale');
      }
      return this.deps.apply(reg.executionId, machineEvent.resolve(action, reg.step));
    }
    return this.deps.apply(reg.executionId, machineEvent.signal(reg.step, { signalId, ...(data === undefined ? {} : { data }) }));
  }

  /** A signal nobody waited for that the buffer could not keep: dropped (a wait armed later will not see it), logged and counted. */
  private notBuffered(s: SignalMessage, bytes: number, outcome: 'too_large' | 'full'): void {
    const { stats, buffer, logger } = this.deps;
    if (outcome === 'too_large') stats.signalsNotBuffered.tooLarge++;
    else stats.signalsNotBuffered.full++;
    const { limits } = buffer;
    const why =
      outcome === 'too_large' ? `its ${bytes} bytes are over ${limits.maxSignalBytes}` : `the buffer holds ${limits.maxBytes} bytes`;
    logger.warn({ key: s.key, signalId: s.signalId, bytes, outcome }, `signal found nobody waiting and was not buffered: ${why}`);
  }
}
