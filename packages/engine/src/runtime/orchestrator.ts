import {
  createLogger,
  inboundCodec,
  names as makeNames,
  StepErrorCode,
  type ControlMessage,
  type HeartbeatMessage,
  type Logger,
  type Names,
  type SignalMessage,
  type StepReply,
  type TimerFired,
} from '@squadflow/shared';
import type { CompiledWorkflow, MachineEvent } from '../compile/index.ts';
import type { EffectDeps } from './effects.ts';
import { EventApplier, type ApplyOptions, type ApplyResult } from './event-applier.ts';
import type { Consumer, DeliveredMessage, Transport } from '@squadflow/transport';
import { Scheduler } from '../schedules/scheduler.ts';
import { openStores, type EngineStores } from '../store/open-stores.ts';
import { TimerService } from '../timers/timer-service.ts';
import { ensureStreams } from '@squadflow/transport';
import { startExecution, type TriggerDeps } from './start-execution.ts';
import { RecoveryPass } from './recovery-pass.ts';
import { EngineClient } from '../client/engine-client.ts';
import { EventRouter } from '../events/event-router.ts';
import { DispatchGate } from './dispatch-gate.ts';
import { commandId } from '../compile/ids.ts';
import { machineEvent } from '../compile/events.ts';
import type { WaitRegistration } from '../store/waits.ts';
import { DEFAULT_SIGNAL_BUFFER_LIMITS, SignalBuffer, type SignalBufferLimits } from '../store/signal-buffer.ts';
import { newStats, type OrchestratorStats } from './stats.ts';

export interface OrchestratorOptions {
  transport: Transport;
  /** Subject/bucket prefix (default `sqf`). */
  prefix?: string;
  logger?: Logger;
  /** Inbound messages in flight at once (default 256). */
  concurrency?: number;
  /** Drop every actor from memory after each event, so the next one restores it from storage. */
  evictAfterEvent?: boolean;
  /**
   * Commands in flight per squad from this orchestrator (e.g. `{ whatsapp: 8 }`):
   * beyond it, step commands wait and go out highest priority first. Default: no limit.
   */
  squadLimits?: Readonly<Record<string, number>>;
  /** Executions kept in memory (default 10,000); others are restored from KV on their next event. */
  maxCachedExecutions?: number;
  /**
   * Bounds of the buffer of signals that found nobody waiting (default: kept
   * 24 h, 64 KiB per signal, 64 MiB in all). Applied when the `<p>_signals`
   * bucket is created; an existing bucket keeps its size, reads honour `ttlMs`.
   */
  signalBuffer?: Partial<SignalBufferLimits>;
}

export type { ApplyResult } from './event-applier.ts';
export type { OrchestratorStats } from './stats.ts';

/**
 * One orchestrator replica. It consumes the inbound stream (triggers,
 * replies, signals, heartbeats, control), fires due timers, and hands each
 * event to the per-event loop (`EventApplier`: load, transition, persist with
 * compare-and-set, act), acking a message once its event is applied. At
 * start it re-performs every active execution's last effects and re-arms its
 * step timeouts; it also runs the schedules and the event router. A crash
 * anywhere leads to redelivery and the same outcome.
 */
export class Orchestrator {
  readonly names: Names;
  private readonly logger: Logger;
  private applier!: EventApplier;
  private triggerDeps!: TriggerDeps;
  private consumer?: Consumer;
  private timers!: TimerService;
  private stores!: EngineStores;
  private effectDeps!: EffectDeps;
  private recovery?: RecoveryPass;
  private gate!: DispatchGate;
  private scheduler?: Scheduler;
  private events?: EventRouter;
  private signals!: SignalBuffer;
  private readonly counters: OrchestratorStats = newStats();

  private constructor(private readonly options: OrchestratorOptions) {
    this.names = makeNames(options.prefix);
    this.logger = (options.logger ?? createLogger()).child({ component: 'orchestrator' });
  }

  /** Ensures streams and buckets, re-arms stored timers, and starts consuming. */
  static async start(options: OrchestratorOptions): Promise<Orchestrator> {
    const o = new Orchestrator(options);
    await o.init();
    return o;
  }

  private async init(): Promise<void> {
    const { transport } = this.options;
    await ensureStreams(transport, this.names);
    this.stores = await openStores(transport, this.names);
    this.signals = await SignalBuffer.open(transport, this.names, { ...DEFAULT_SIGNAL_BUFFER_LIMITS, ...this.options.signalBuffer });
    this.gate = new DispatchGate(this.options.squadLimits ?? {});
    this.timers = new TimerService(this.stores.timers, transport.clock, (t) => this.onTimer(t), this.logger);
    this.effectDeps = {
      transport,
      names: this.names,
      timers: this.timers,
      waits: this.stores.waits,
      breakers: this.stores.breakers,
      slots: this.stores.slots,
      gate: this.gate,
      executions: this.stores.executions,
      logger: this.logger,
      afterWaitRegistered: (executionId, key, step, since) => void this.deliverBuffered(executionId, key, step, since),
    };
    this.applier = new EventApplier({
      executions: this.stores.executions,
      registry: this.stores.registry,
      effects: this.effectDeps,
      clock: transport.clock,
      logger: this.logger,
      cacheCapacity: this.options.maxCachedExecutions ?? 10_000,
      evictAfterEvent: this.options.evictAfterEvent ?? false,
      onWritten: (id) => this.recovery?.noteWritten(id),
    });
    this.triggerDeps = { applier: this.applier, stores: this.stores, clock: transport.clock, logger: this.logger };
    // Created before anything is consumed, so every write from now on is noted against its scan.
    this.recovery = new RecoveryPass({
      applier: this.applier,
      executions: this.stores.executions,
      timers: this.timers,
      clock: transport.clock,
      logger: this.logger,
    });
    const rearmed = await this.timers.start();
    this.consumer = await transport.streams.consume(
      this.names.streams.inbound,
      // Events take milliseconds; a short ack wait means messages a crashed
      // process held come back within seconds, well inside step timeouts.
      {
        durable: this.names.consumers.orchestrator,
        filterSubject: this.names.inboundAll,
        maxAckPending: this.options.concurrency ?? 256,
        ackWaitMs: 5_000,
      },
      (msg) => this.handle(msg),
    );
    this.logger.info({ prefix: this.names.prefix, rearmed }, 'orchestrator started');
    this.recovery.start();
    // Durable schedules (docs/schedules.md): every replica runs one; KV compare-and-set picks who fires a slot.
    this.scheduler = await Scheduler.start({ transport, names: this.names, logger: this.logger });
    this.events = new EventRouter({
      transport,
      names: this.names,
      registry: this.stores.registry,
      client: await EngineClient.connect({ transport, prefix: this.names.prefix }),
      logger: this.logger.child({ component: 'events' }),
    });
    await this.events.start();
  }

  /** Stops consuming and firing timers; waits for events in progress. */
  async stop(): Promise<void> {
    await this.scheduler?.stop();
    await this.recovery?.stop();
    await this.events?.stop();
    await this.consumer?.stop();
    this.timers.stop();
    await this.applier.idle();
  }

  /**
   * Resolves when the start-up recovery pass is done: every active
   * execution's last effects re-performed and its step timeouts armed again.
   */
  async recovered(): Promise<void> {
    await this.recovery?.done;
  }

  /** Re-reads the workflows' `events` now (otherwise every few seconds): new subjects are listened to at once. */
  refreshEvents(): Promise<void> {
    return this.events?.refresh() ?? Promise.resolve();
  }

  /** What this process counted since it started: executions quarantined, signals not buffered. */
  stats(): OrchestratorStats {
    return structuredClone(this.counters);
  }

  /** Resolves when no event is being applied and no schedule is being looked at in this process (time-skipping tests). */
  async idle(): Promise<void> {
    await this.scheduler?.idle();
    await this.applier.idle();
  }

  private async handle(msg: DeliveredMessage): Promise<void> {
    let inbound;
    try {
      inbound = inboundCodec.decode(msg.data);
    } catch (err) {
      this.logger.warn({ err, subject: msg.subject }, 'dropping invalid inbound message');
      msg.term();
      return;
    }
    try {
      if (inbound.kind === 'trigger') await startExecution(this.triggerDeps, inbound);
      else if (inbound.kind === 'reply') await this.onReply(inbound);
      else if (inbound.kind === 'signal') await this.onSignal(inbound, msg.data.length);
      else if (inbound.kind === 'heartbeat') await this.onHeartbeat(inbound);
      else await this.onControl(inbound);
      msg.ack();
    } catch (err) {
      this.logger.error({ err, subject: msg.subject }, 'inbound message failed; it will be redelivered');
      msg.nak(1_000);
    }
  }

  private onReply(r: StepReply): Promise<ApplyResult> {
    void this.gate.release(r.commandId).catch((err: unknown) => this.logger.error({ err }, 'dispatching a held command failed'));
    const base = {
      attempt: r.attempt,
      ok: r.ok,
      ...(r.output === undefined ? {} : { output: r.output }),
      ...(r.error ? { error: r.error } : {}),
    };
    const event = machineEvent.reply(r.step, r.compensation, base);
    // An open breaker's own refusal says nothing new about the squad: only real answers count.
    if (r.compensation || r.error?.code === StepErrorCode.CIRCUIT_OPEN) return this.apply(r.executionId, event);
    return this.apply(r.executionId, event, { onApplied: (workflow) => this.countForBreaker(workflow, r.step, r.ok) });
  }

  /** Feeds an accepted result (reply or timeout) of a step with a circuit breaker into its squad action's breaker. */
  private async countForBreaker(workflow: CompiledWorkflow, step: string, ok: boolean): Promise<void> {
    const plan = workflow.plan.steps.get(step);
    if (plan?.type !== 'task' || !plan.circuitBreaker) return;
    try {
      await this.stores.breakers.record(plan.squad, plan.action, ok, plan.circuitBreaker);
    } catch (err) {
      this.logger.warn({ err, squad: plan.squad, action: plan.action }, 'circuit breaker update failed');
    }
  }

  /** `bytes`: the signal message's size on the wire (what the buffer's per-signal bound is measured by). */
  private async onSignal(s: SignalMessage, bytes: number): Promise<void> {
    let waiting = await this.stores.waits.lookup(s.key);
    if (!waiting.length) {
      // Nothing waits yet: keep it for the lookback window, then look again in
      // case a wait was armed meanwhile (closes the race with registration).
      const signal = { signalId: s.signalId, data: s.data, receivedAt: this.options.transport.clock.now() };
      const outcome = await this.signals.put(s.key, signal, bytes);
      if (outcome !== 'buffered') this.notBuffered(s, bytes, outcome);
      waiting = await this.stores.waits.lookup(s.key);
    }
    for (const reg of waiting) await this.deliverSignal(reg, s.signalId, s.data);
  }

  /** A signal nobody waited for that the buffer could not keep: dropped (a wait armed later will not see it), logged and counted. */
  private notBuffered(s: SignalMessage, bytes: number, outcome: 'too_large' | 'full'): void {
    if (outcome === 'too_large') this.counters.signalsNotBuffered.tooLarge++;
    else this.counters.signalsNotBuffered.full++;
    const { limits } = this.signals;
    const why =
      outcome === 'too_large' ? `its ${bytes} bytes are over ${limits.maxSignalBytes}` : `the buffer holds ${limits.maxBytes} bytes`;
    this.logger.warn({ key: s.key, signalId: s.signalId, bytes, outcome }, `signal found nobody waiting and was not buffered: ${why}`);
  }

  private async deliverSignal(reg: WaitRegistration, signalId: string, data: unknown): Promise<ApplyResult> {
    if (reg.purpose === 'escalation') {
      const action = (data as { action?: unknown } | undefined)?.action;
      if (action !== 'retry' && action !== 'skip' && action !== 'abort') {
        this.logger.warn({ executionId: reg.executionId, data }, 'escalation signal needs data.action: retry | skip | abort');
        return 'stale';
      }
      return this.apply(reg.executionId, machineEvent.resolve(action, reg.step));
    }
    return this.apply(reg.executionId, machineEvent.signal(reg.step, { signalId, ...(data === undefined ? {} : { data }) }));
  }

  /** A signal that came before its wait (within the step's lookback) resumes the wait now; the buffer is cleared only after. */
  private async deliverBuffered(executionId: string, key: string, step: string, since: number): Promise<void> {
    try {
      const buffered = await this.signals.peek(key);
      if (!buffered || buffered.receivedAt < since) return;
      await this.deliverSignal({ executionId, step, purpose: 'wait' }, buffered.signalId, buffered.data);
      await this.signals.clear(key, buffered.signalId);
    } catch (err) {
      this.logger.error({ err, executionId, key }, 'delivering a buffered signal failed');
    }
  }

  private onHeartbeat(h: HeartbeatMessage): Promise<ApplyResult> {
    const progress = h.progress === undefined ? {} : { progress: h.progress };
    return this.apply(h.executionId, machineEvent.heartbeat(h.step, h.compensation, { attempt: h.attempt, ...progress }));
  }

  private onControl(c: ControlMessage): Promise<ApplyResult> {
    switch (c.action) {
      case 'cancel':
        return this.apply(c.executionId, machineEvent.cancel(c.reason));
      case 'pause':
        return this.apply(c.executionId, machineEvent.pause(c.reason));
      case 'resume':
        return this.apply(c.executionId, machineEvent.resume());
      default:
        return this.apply(c.executionId, machineEvent.resolve(c.action, c.step));
    }
  }

  private async onTimer(t: TimerFired): Promise<boolean> {
    if (t.timer === 'timeout' || t.timer === 'compensation-timeout') {
      const id = commandId(t.executionId, t.step, t.attempt, t.timer === 'compensation-timeout');
      void this.gate.release(id).catch((err: unknown) => this.logger.error({ err }, 'dispatching a held command failed'));
    }
    const event = machineEvent.timer(t.step, { attempt: t.attempt, timer: t.timer });
    // Timers of a paused execution wait (stored, unarmed) until it resumes. A step timeout counts against its breaker.
    const onApplied = t.timer === 'timeout' ? (workflow: CompiledWorkflow) => this.countForBreaker(workflow, t.step, false) : undefined;
    return (await this.apply(t.executionId, event, { deferIfPaused: true, ...(onApplied ? { onApplied } : {}) })) !== 'deferred';
  }

  /** Applies one event to one execution: load, transition, persist (CAS), act (see EventApplier). */
  apply(executionId: string, event: MachineEvent, options: ApplyOptions = {}): Promise<ApplyResult> {
    return this.applier.apply(executionId, event, options);
  }
}
