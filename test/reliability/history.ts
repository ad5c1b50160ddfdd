/**
 * The append-only history every fault test records (reliability matrix 5.0).
 * Each source appends what it saw, in its own order; the checker
 * (checker.ts) reads the whole history once the run is over.
 *
 * Where each kind comes from in a test with real processes:
 * - `trigger.accepted`: the test, when the engine client (or the gateway's 2xx) returned an execution id;
 * - `command.published`: a core NATS subscription on the command subjects (the orchestrator's publications);
 * - `effect.applied`: the squad's own ledger (the fixture squad's invocation log, keyed by idempotency key);
 * - `reply.published`: a core NATS subscription on the reply subjects (the squads' publications);
 * - `execution.started` / `execution.ended`: the lifecycle stream (JetStream, read at the end);
 * - `step.settled`: the execution records read at the end (attempt outcomes, for the order check).
 */
export type HistoryEvent =
  | { type: 'trigger.accepted'; at: number; executionId: string }
  | { type: 'execution.started'; at: number; executionId: string }
  | { type: 'command.published'; at: number; executionId: string; step: string; attempt: number; key: string; compensation: boolean }
  | {
      type: 'effect.applied';
      at: number;
      executionId: string;
      step: string;
      attempt: number;
      key: string;
      compensation: boolean;
      pid: number;
    }
  | { type: 'reply.published'; at: number; executionId: string; step: string; attempt: number; ok: boolean }
  | { type: 'step.settled'; at: number; executionId: string; step: string; attempt: number; status: string }
  | { type: 'execution.ended'; at: number; executionId: string; status: string };

export type HistoryEventType = HistoryEvent['type'];

/** An append-only list of events; `of(type)` reads one kind. */
export class History {
  private readonly events: HistoryEvent[] = [];

  append(event: HistoryEvent): void {
    this.events.push(event);
  }

  appendAll(events: Iterable<HistoryEvent>): void {
    for (const event of events) this.events.push(event);
  }

  of<T extends HistoryEventType>(type: T): Extract<HistoryEvent, { type: T }>[] {
    return this.events.filter((e): e is Extract<HistoryEvent, { type: T }> => e.type === type);
  }

  get size(): number {
    return this.events.length;
  }
}
