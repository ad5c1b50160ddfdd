import { createMemoryTransport, ManualClock, type MemoryTransport, type Transport } from '@squadflow/transport';
import type { EngineClient, ExecutionView, Orchestrator } from '@squadflow/engine';
import {
  durationMs,
  names,
  silentLogger,
  SquadflowError,
  TERMINAL_STATUSES,
  type Duration,
  type ExecutionStatus,
  type Logger,
  type Names,
} from '@squadflow/shared';
import type { SquadDefinition } from '@squadflow/squads';
import { wireInProcess, type Wired } from './wiring.ts';

export interface TestEnvironmentOptions {
  /** Squads to run in-process, or a factory given the environment's transport (squads that keep state in KV). */
  squads?: SquadDefinition[] | ((transport: Transport, prefix: string) => Promise<SquadDefinition[]>);
  /** Definitions to register before the test starts. */
  workflows?: unknown[];
  /** Start of simulated time (epoch ms). */
  startAt?: number;
  logger?: Logger;
}

/**
 * A whole squadflow in one process on the in-memory adapters, with a clock
 * that moves only when told to — in the spirit of Temporal's time-skipping
 * test server. A workflow with a 48 h follow-up runs in milliseconds:
 *
 * ```ts
 * const env = await TestEnvironment.create({ squads: [mySquad], workflows: [myWorkflow] });
 * const id = await env.client.trigger('new_lead_nurture', context);
 * const view = await env.runUntil(id);          // skips every delay and timeout
 * await env.close();
 * ```
 */
export class TestEnvironment {
  private constructor(
    readonly client: EngineClient,
    readonly clock: ManualClock,
    readonly transport: MemoryTransport,
    readonly names: Names,
    private readonly orchestrator: Orchestrator,
    private readonly wired: Wired,
  ) {}

  static async create(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
    const clock = new ManualClock(options.startAt);
    const transport = createMemoryTransport({ clock });
    const logger = options.logger ?? silentLogger();
    const prefix = 'sqf';
    let wired: Wired;
    try {
      wired = await wireInProcess({ transport, prefix, logger, squads: options.squads ?? [], workflows: options.workflows ?? [] });
    } catch (err) {
      await transport.close().catch(() => undefined);
      throw err;
    }
    return new TestEnvironment(wired.client, clock, transport, names(prefix), wired.orchestrator, wired);
  }

  /** Simulated now (epoch ms). */
  now(): number {
    return this.clock.now();
  }

  /** Lets all pending work finish, then moves simulated time forward (firing timers due on the way). */
  async advance(duration: Duration): Promise<void> {
    await this.settle();
    const target = this.clock.now() + durationMs(duration);
    for (;;) {
      const due = this.clock.nextDue();
      if (due === undefined || due > target) break;
      await this.clock.advance(Math.max(0, due - this.clock.now()));
      await this.settle();
    }
    await this.clock.advance(Math.max(0, target - this.clock.now()));
    await this.settle();
  }

  /**
   * Runs until the execution reaches one of `statuses` (default: any end),
   * skipping time to each next timer while nothing else is happening.
   * Throws when nothing is left to happen (waiting for a signal that never
   * comes) or after `maxSimulated` of simulated time (default 30 days).
   */
  async runUntil(
    executionId: string,
    statuses: readonly ExecutionStatus[] = [...TERMINAL_STATUSES],
    maxSimulated: Duration = '30d',
  ): Promise<ExecutionView> {
    const limit = this.clock.now() + durationMs(maxSimulated);
    for (;;) {
      await this.settle();
      const view = await this.client.getExecution(executionId);
      if (view && statuses.includes(view.status)) return view;
      const due = this.clock.nextDue();
      if (due === undefined || due > limit) {
        throw new SquadflowError(
          'TIMEOUT',
          `execution ${executionId} is ${view?.status ?? 'unknown'} and nothing is scheduled to move it to ${statuses.join('|')}`,
        );
      }
      await this.clock.advance(Math.max(0, due - this.clock.now()));
    }
  }

  /** Waits (in real time, briefly) until no message is in flight and no event is being applied. */
  async settle(): Promise<void> {
    let quiet = 0;
    for (let round = 0; round < 100_000 && quiet < 3; round++) {
      await new Promise((resolve) => setImmediate(resolve));
      await this.orchestrator.idle();
      const busy = [this.names.streams.inbound, this.names.streams.commands].some(
        (s) => (this.transport.streams.info(s)?.messages ?? 0) > 0,
      );
      quiet = busy ? 0 : quiet + 1;
    }
  }

  async close(): Promise<void> {
    await this.wired.stop();
    await this.transport.close();
  }
}
