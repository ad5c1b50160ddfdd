import { hostname } from 'node:os';
import {
  createLogger,
  inboundCodec,
  names as makeNames,
  STEP_PROGRESS_EVENTS,
  partitionOf,
  StepErrorCode,
  TRACEPARENT,
  type InboundMessage,
  type TriggerMessage,
  type Logger,
  type Names,
  type StepReply,
  type TimerFired,
} from '@squadflow/shared';
import type { CompiledWorkflow, MachineEvent } from '../compile/index.ts';
import type { EffectDeps } from './effects.ts';
import { EventApplier, type ApplyOptions, type ApplyResult } from './event-applier.ts';
import { wallClock, type Consumer, type DeliveredMessage } from '@squadflow/transport';
import { Scheduler } from '../schedules/scheduler.ts';
import { openStores, type EngineStores } from '../store/open-stores.ts';
import { TimerService } from '../timers/timer-service.ts';
import { ensureStreams } from '@squadflow/transport';
import { executionIdOf, startExecution, type TriggerDeps } from './start-execution.ts';
import { rearmAll, RecoveryPass } from './recovery-pass.ts';
import { PartitionLeases } from '../partitions/partition-leases.ts';
import { PartitionConsumers } from '../partitions/partition-consumers.ts';
import { askHolderToArm, handTriggerToHolder, isEntrySubject } from '../partitions/holder-messages.ts';
import { EngineClient } from '../client/engine-client.ts';
import { EventRouter } from '../events/event-router.ts';
import { DispatchGate } from './dispatch-gate.ts';
import { commandId } from '../compile/ids.ts';
import { machineEvent } from '../compile/events.ts';
import { controlEvent, heartbeatEvent, replyResult } from './inbound-events.ts';
import { rewindExecution, type RewindControl, type RewindResult } from './rewind-execution.ts';
import { DEFAULT_SIGNAL_BUFFER_LIMITS, SignalBuffer } from '../store/signal-buffer.ts';
import {
  checkOrchestratorOptions,
  DEFAULT_MAX_EVENT_ATTEMPTS,
  MAX_DELIVER_PER_ATTEMPT,
  type OrchestratorOptions,
} from './orchestrator-options.ts';
import { SignalDelivery } from './signal-delivery.ts';
import { newStats, type OrchestratorStats } from './stats.ts';
import { EventAttempts } from '../store/event-attempts.ts';
import { PoisonGuard } from './poison-guard.ts';
import { GuardedEvents } from './guarded-events.ts';
import { Quarantine } from './quarantine.ts';
import { LinkRequests } from './link-requests.ts';
import { notifyWatcher } from './link-effects.ts';
import { startRetention } from '../retention/retention.ts';
import type { RetentionSweeper } from '../retention/retention-sweeper.ts';

export type { ApplyResult } from './event-applier.ts';
export type { OrchestratorOptions } from './orchestrator-options.ts';
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
  /** Recovery passes running: the start-up one, then one per batch of partitions won. */
  private readonly recoveries = new Set<RecoveryPass>();
  /** Their `done`, until each ends (`recovered` waits for those). */
  private readonly recovering = new Set<Promise<void>>();
  private leases?: PartitionLeases;
  private partitions!: PartitionConsumers;
  private gate!: DispatchGate;
  private scheduler?: Scheduler;
  private events?: EventRouter;
  private signals!: SignalDelivery;
  private guarded!: GuardedEvents;
  private links!: LinkRequests;
  private maxStepPayloadBytes = 0;
  /** When this process started: a timer due before it may be one that killed the previous process. */
  private startedAt = 0;
  private readonly counters: OrchestratorStats = newStats();
  private retention?: RetentionSweeper;
  /** Inbound messages handed over by the consumer and not yet settled. */
  private readonly handling = new Set<Promise<void>>();

  private constructor(private readonly options: OrchestratorOptions) {
    checkOrchestratorOptions(options);
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
    this.startedAt = transport.clock.now();
    this.maxStepPayloadBytes = this.options.maxStepPayloadBytes ?? Math.floor(transport.maxPayload / 4);
    const maxEventAttempts = this.options.maxEventAttempts ?? DEFAULT_MAX_EVENT_ATTEMPTS;
    await ensureStreams(transport, this.names);
    this.stores = await openStores(transport, this.names);
    // Before anything is written: every execution that ends from now on schedules its departure.
    this.retention = await startRetention({
      transport,
      names: this.names,
      stores: this.stores,
      logger: this.logger,
      ...(this.options.retention ? { options: this.options.retention } : {}),
    });
    const guard = new PoisonGuard(await EventAttempts.open(transport, this.names), maxEventAttempts, this.logger);
    const buffer = await SignalBuffer.open(transport, this.names, { ...DEFAULT_SIGNAL_BUFFER_LIMITS, ...this.options.signalBuffer });
    this.signals = new SignalDelivery({
      waits: this.stores.waits,
      buffer,
      clock: transport.clock,
      logger: this.logger,
      stats: this.counters,
      apply: (id, event) => this.apply(id, event),
      guarded: (id, msg, label, apply) => this.guarded.message(id, msg, label, apply),
    });
    this.gate = new DispatchGate(this.options.squadLimits ?? {});
    this.timers = new TimerService(this.stores.timers, transport.clock, (t, tries) => this.onTimer(t, tries), this.logger, {
      owns: (p) => this.leases?.owns(p) ?? false,
      foreign: (executionId, timerId) => askHolderToArm(transport, this.names, executionId, timerId),
    });
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
      ...(this.options.stepProgressEvents === false ? { silenced: new Set(STEP_PROGRESS_EVENTS) } : {}),
      afterWaitRegistered: (executionId, key, step, since) => void this.signals.deliverBuffered(executionId, key, step, since),
    };
    this.applier = new EventApplier({
      executions: this.stores.executions,
      registry: this.stores.registry,
      effects: this.effectDeps,
      clock: transport.clock,
      logger: this.logger,
      cacheCapacity: this.options.maxCachedExecutions ?? 10_000,
      evictAfterEvent: this.options.evictAfterEvent ?? false,
      onWritten: (id) => {
        for (const pass of this.recoveries) pass.noteWritten(id);
      },
      maxStepPayloadBytes: this.maxStepPayloadBytes,
      quarantine: (id, error) => this.guarded.endWithoutEvent(id, error),
    });
    this.guarded = new GuardedEvents({
      guard,
      quarantine: new Quarantine({
        effects: this.effectDeps,
        clock: transport.clock,
        logger: this.logger,
        forget: (id) => this.applier.forget(id),
      }),
      exclusive: (id, fn) => this.applier.exclusive(id, fn),
      clock: transport.clock,
      stats: this.counters,
    });
    this.triggerDeps = {
      applier: this.applier,
      stores: this.stores,
      clock: transport.clock,
      logger: this.logger,
      quarantine: (id, error, origin) => this.guarded.endWithoutEvent(id, error, origin),
      notifyParent: (id, watcher, end) => notifyWatcher(this.effectDeps, id, watcher, end),
    };
    this.links = new LinkRequests({ effects: this.effectDeps, apply: (id, c) => this.apply(id, controlEvent(c)) });
    // Only the sweep: no partition is held yet, their timers are armed as their leases are won.
    await this.timers.start();
    // Events take milliseconds; a short ack wait means messages a crashed
    // process held come back within seconds, well inside step timeouts.
    const settings = { ackWaitMs: 5_000, maxDeliver: maxEventAttempts * MAX_DELIVER_PER_ATTEMPT };
    const concurrency = this.options.concurrency ?? 256;
    // Triggers and signals: any replica takes them. First, since it narrows a durable of an older version (`p.in.>`),
    // which would overlap every partition's consumer on the work queue.
    this.consumer = await transport.streams.consume(
      this.names.streams.inbound,
      { ...settings, durable: this.names.consumers.orchestrator, filterSubject: this.names.inboundEntry, maxAckPending: concurrency },
      (msg) => this.track(this.handle(msg)),
    );
    this.partitions = new PartitionConsumers(
      transport,
      this.names,
      { ...settings, maxAckPending: PartitionConsumers.maxAckPending(concurrency) },
      (msg) => this.track(this.handle(msg)),
    );
    this.leases = new PartitionLeases({
      kv: await transport.kv(this.names.buckets.leases),
      replica: this.options.replicaId ?? `${hostname()}-${process.pid}`,
      // Real time, not the transport's clock: a lease says a process is alive, and a time-skipping clock would expire
      // it (and run a round per simulated second) while the process runs on.
      clock: wallClock(),
      logger: this.logger,
      ...(this.options.leaseTtlMs ? { ttlMs: this.options.leaseTtlMs } : {}),
      ...(this.options.leaseRenewMs ? { renewMs: this.options.leaseRenewMs } : {}),
      gain: (partitions) => this.gain(partitions),
      lose: (partitions) => this.lose(partitions),
    });
    await this.leases.start();
    this.logger.info({ prefix: this.names.prefix, partitions: this.leases.owned() }, 'orchestrator started');
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

  /**
   * Stops consuming and firing timers; waits for events in progress. Nothing
   * is left for AckWait or redelivery (matrix A2): the consumer drains (no
   * new pull; what the last pulls still bring is handled), and every message
   * handed over is applied and acked before this resolves, including
   * redelivered ones queued behind the poison guard's one-at-a-time suspects.
   */
  async stop(): Promise<void> {
    await this.retention?.stop();
    await this.scheduler?.stop();
    await Promise.all([...this.recoveries].map((pass) => pass.stop()));
    await this.events?.stop();
    await this.consumer?.stop();
    // Drains every partition's consumer, then hands the leases back: the other replicas take over at once.
    await this.leases?.stop();
    while (this.handling.size > 0) await Promise.all([...this.handling]);
    this.timers.stop();
    await this.applier.idle();
    // The creation logs' head hints and markers written in the background: the next reader's probe starts at the head.
    await this.stores?.index.settled();
  }

  /**
   * Resolves when the start-up recovery pass is done: every active
   * execution's last effects re-performed and its step timeouts armed again.
   */
  async recovered(): Promise<void> {
    await Promise.all([...this.recovering]);
  }

  /** The partitions this replica holds now (all of them when it runs alone). */
  ownedPartitions(): number[] {
    return this.leases?.owned() ?? [];
  }

  /** Partitions just won: arm their stored timers, consume them, re-perform their executions' last effects. */
  private async gain(partitions: number[]): Promise<void> {
    const won = new Set(partitions);
    // Created before the partitions are consumed, so every write from now on is noted against its scan.
    const pass = new RecoveryPass({
      applier: this.applier,
      executions: this.stores.executions,
      timers: this.timers,
      clock: this.options.transport.clock,
      logger: this.logger,
      only: (id) => won.has(partitionOf(id)),
    });
    this.recoveries.add(pass);
    await this.timers.adopt(partitions);
    await this.partitions.start(partitions);
    pass.start();
    const done: Promise<void> = pass.done.finally(() => {
      this.recoveries.delete(pass);
      this.recovering.delete(done);
    });
    this.recovering.add(done);
  }

  /** Partitions given up or lost: drain their consumers (events in progress finish), then disarm their timers. */
  private async lose(partitions: number[]): Promise<void> {
    await this.partitions.stop(partitions);
    await this.timers.drop(partitions);
  }

  /** On the partition's holder: arms every timer the execution's record lists (read afresh: another replica wrote it). */
  private rearm(executionId: string): Promise<void> {
    return this.applier.exclusive(executionId, async () => {
      this.applier.forget(executionId);
      const live = await this.applier.load(executionId);
      if (live && live.snapshot.status === 'active') await rearmAll(this.timers, live);
    });
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

  private track(handled: Promise<void>): Promise<void> {
    this.handling.add(handled);
    return handled.finally(() => this.handling.delete(handled));
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
      await this.route(inbound, msg);
      msg.ack();
    } catch (err) {
      // Backs off as the failures go on: an outage is waited out, not hammered.
      const retryInMs = Math.min(30_000, 1_000 * 2 ** Math.min(msg.deliveryCount - 1, 5));
      this.logger.error(
        { err, subject: msg.subject, deliveryCount: msg.deliveryCount, retryInMs },
        'inbound message failed; it will be redelivered',
      );
      msg.nak(retryInMs);
    }
  }

  /** Hands a message's event to its execution(s), each under the poison guard. */
  private async route(inbound: InboundMessage, msg: DeliveredMessage): Promise<void> {
    switch (inbound.kind) {
      case 'trigger':
        return this.onTrigger(inbound, msg);
      case 'signal':
        return this.signals.onSignal(inbound, msg);
      case 'reply':
        return this.guarded.message(
          inbound.executionId,
          msg,
          () => `reply to step "${inbound.step}" (attempt ${inbound.attempt})`,
          () => this.onReply(inbound, msg.data.length),
        );
      case 'heartbeat':
        return this.guarded.message(
          inbound.executionId,
          msg,
          () => `heartbeat of step "${inbound.step}"`,
          () => this.apply(inbound.executionId, heartbeatEvent(inbound)),
        );
      default:
        return this.guarded.message(
          inbound.executionId,
          msg,
          () => `${inbound.action} request`,
          async () => {
            if (inbound.action === 'rewind') return this.rewind(inbound);
            if (inbound.action === 'rearm') return this.rearm(inbound.executionId);
            const result = await this.apply(inbound.executionId, controlEvent(inbound));
            // An execution without a live statechart (ended, pending, unknown) answers links and cancels here.
            await this.links.afterControl(inbound, result);
            return result;
          },
        );
    }
  }

  private async onTrigger(t: TriggerMessage, msg: DeliveredMessage): Promise<void> {
    const executionId = executionIdOf(t);
    // Taken from the shared consumer for an execution another replica holds: hand it over, so the holder starts it
    // (its first effects, its step timeouts, its cache) rather than this replica. From a partition's subject, never.
    if (isEntrySubject(msg.subject) && !this.leases?.owns(partitionOf(executionId)))
      return handTriggerToHolder(this.options.transport, this.names, t, executionId, msg.header(TRACEPARENT));
    if (t.executionId === undefined && t.idempotencyKey === undefined) {
      // A fresh id per delivery: nothing to count tries against, or to quarantine; the consumer's maxDeliver bounds it.
      return startExecution(this.triggerDeps, t, executionId, msg.header(TRACEPARENT));
    }
    return this.guarded.message(
      executionId,
      msg,
      () => `trigger of "${t.workflow}"`,
      () => startExecution(this.triggerDeps, t, executionId, msg.header(TRACEPARENT)),
      t,
    );
  }

  /** `bytes`: the reply message's size on the wire (what the step payload bound is measured by). */
  private onReply(r: StepReply, bytes: number): Promise<ApplyResult> {
    this.releaseHeld(r.commandId);
    const result = replyResult(r, bytes, this.maxStepPayloadBytes);
    const event = machineEvent.reply(r.step, r.compensation, result);
    // An open breaker's own refusal says nothing new about the squad: only real answers count.
    if (r.compensation || r.error?.code === StepErrorCode.CIRCUIT_OPEN) return this.apply(r.executionId, event);
    return this.apply(r.executionId, event, { onApplied: (workflow) => this.countForBreaker(workflow, r.step, result.ok) });
  }

  /** A reply or timeout ends the wait of a command held by the dispatch gate: the next one may go. */
  private releaseHeld(commandId: string): void {
    void this.gate.release(commandId).catch((err: unknown) => this.logger.error({ err }, 'dispatching a held command failed'));
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

  /**
   * A due timer, under the poison guard. It is suspect when it fires again
   * after throwing, or was due before this process started (it may be the
   * one whose firing killed the previous process).
   */
  private async onTimer(t: TimerFired, tries: number): Promise<boolean> {
    if (t.timer === 'timeout' || t.timer === 'compensation-timeout') {
      this.releaseHeld(commandId(t.executionId, t.step, t.attempt, t.timer === 'compensation-timeout'));
    }
    const event = machineEvent.timer(t.step, { attempt: t.attempt, timer: t.timer });
    // Timers of a paused execution wait (stored, unarmed) until it resumes. A step timeout counts against its breaker.
    const onApplied = t.timer === 'timeout' ? (workflow: CompiledWorkflow) => this.countForBreaker(workflow, t.step, false) : undefined;
    const suspect = tries > 1 || t.dueAt < this.startedAt;
    const outcome = await this.guarded.timer(
      {
        executionId: t.executionId,
        identity: () => t.id,
        label: () => `${t.timer} timer of step "${t.step}"`,
        suspect,
        assumePrior: false,
      },
      () => this.apply(t.executionId, event, { deferIfPaused: true, ...(onApplied ? { onApplied } : {}) }),
    );
    // Quarantined: the timer is done with.
    return outcome === undefined || outcome.value !== 'deferred';
  }

  /** Retry from a step: rebuilds a failed or escalated execution's snapshot (see rewind-execution.ts). */
  private rewind(control: RewindControl): Promise<RewindResult> {
    const { executions, registry } = this.stores;
    return rewindExecution(
      { applier: this.applier, executions, registry, clock: this.options.transport.clock, logger: this.logger },
      control,
    );
  }

  /** Applies one event to one execution: load, transition, persist (CAS), act (see EventApplier). */
  apply(executionId: string, event: MachineEvent, options: ApplyOptions = {}): Promise<ApplyResult> {
    return this.applier.apply(executionId, event, options);
  }
}
