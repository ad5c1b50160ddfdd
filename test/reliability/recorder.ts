/**
 * Records a fault test's history from a deployment of real processes (see
 * history.ts for where each kind of event comes from). Start it before the
 * first trigger; call `accepted` for each trigger the engine accepted; call
 * `finish` once the run is over.
 */
import { isTerminal, lifecycleCodec, names, stepCommandCodec, stepReplyCodec, type LifecycleEvent } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';
import { quietPeriod, type Invocation } from '@squadflow/transport/testing';
import type { EngineClient } from '@squadflow/engine';
import { History } from './history.ts';

export interface RecordedDeployment {
  prefix: string;
  transport: Transport;
  client: EngineClient;
  invocations(): Invocation[];
}

export class HistoryRecorder {
  readonly history = new History();
  private readonly subscriptions: { unsubscribe(): void }[] = [];

  private constructor(private readonly d: RecordedDeployment) {}

  /** Subscribes (core NATS) to the deployment's commands and replies. */
  static start(d: RecordedDeployment): HistoryRecorder {
    const recorder = new HistoryRecorder(d);
    const n = names(d.prefix);
    const bus = d.transport.bus;
    recorder.subscriptions.push(
      bus.subscribe(n.commandsAll, (_subject, data) => {
        const c = stepCommandCodec.decode(data);
        recorder.history.append({
          type: 'command.published',
          at: Date.now(),
          executionId: c.executionId,
          step: c.step,
          attempt: c.attempt,
          key: c.id,
          compensation: c.compensation,
        });
      }),
      bus.subscribe(n.inboundFilter('reply'), (_subject, data) => {
        const r = stepReplyCodec.decode(data);
        recorder.history.append({
          type: 'reply.published',
          at: Date.now(),
          executionId: r.executionId,
          step: r.step,
          attempt: r.attempt,
          ok: r.ok,
        });
      }),
    );
    return recorder;
  }

  /** The engine accepted a trigger and answered with this execution id. */
  accepted(executionId: string): void {
    this.history.append({ type: 'trigger.accepted', at: Date.now(), executionId });
  }

  /**
   * Waits until every accepted execution has ended (see `endsRun`) or `deadlineMs` passed
   * (the checker then reports the rest as stuck or lost), and completes the
   * history from the squads' ledger and the lifecycle stream.
   */
  async finish(deadlineMs: number): Promise<History> {
    const ids = [...new Set(this.history.of('trigger.accepted').map((e) => e.executionId))];
    const deadline = Date.now() + deadlineMs;
    for (;;) {
      // A read timing out under load counts as not ended yet.
      const views = await Promise.all(ids.map((id) => this.d.client.getExecution(id).catch(() => null)));
      const open = views.filter((v) => !v || !endsRun(v.status));
      if (open.length === 0 || Date.now() >= deadline) break;
      await quietPeriod(250); // polling the read model: there is no event to await for "all of them ended"
    }
    for (const s of this.subscriptions) s.unsubscribe();
    for (const i of this.d.invocations())
      this.history.append({
        type: 'effect.applied',
        at: i.at,
        executionId: i.executionId,
        step: i.step,
        attempt: i.attempt,
        key: i.key,
        compensation: i.compensation,
        pid: i.pid,
      });
    for (const e of await this.readLifecycle())
      if (e.type === 'execution.started') this.history.append({ type: 'execution.started', at: e.at, executionId: e.executionId });
      else {
        const status = e.type.slice('execution.'.length);
        if (e.type.startsWith('execution.') && endsRun(status))
          this.history.append({ type: 'execution.ended', at: e.at, executionId: e.executionId, status });
      }
    return this.history;
  }

  /** Every execution lifecycle event in the stream, read from its start until 500 ms pass without one. */
  private async readLifecycle(): Promise<LifecycleEvent[]> {
    const n = names(this.d.prefix);
    const events: LifecycleEvent[] = [];
    let last = Date.now();
    const consumer = await this.d.transport.streams.consume(
      n.streams.lifecycle,
      { durable: `${n.prefix}_history`, filterSubject: n.lifecycleFilter() },
      async (msg) => {
        events.push(lifecycleCodec.decode(msg.data));
        last = Date.now();
        msg.ack();
      },
    );
    while (Date.now() - last < 500) await quietPeriod(100);
    await consumer.stop();
    return events;
  }
}

/**
 * Where a fault run's execution ends: a terminal status, or `escalated` (it
 * waits for a person; the fault workloads never resume one, so a second end
 * after it would be a defect).
 */
function endsRun(status: string): boolean {
  return isTerminal(status) || status === 'escalated';
}
