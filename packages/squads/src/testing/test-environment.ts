import {
  EngineClient,
  ManualClock,
  Orchestrator,
  createMemoryTransport,
  type ExecutionStatus,
  type ExecutionView,
  type Transport,
} from '@squadflow/engine';
import { durationMs, names, silentLogger, SquadflowError, type Duration, type Logger, type Names } from '@squadflow/shared';
import type { SquadDefinition } from '../define-squad.ts';
import { startSquad, type RunningSquad } from '../runtime.ts';

export interface TestEnvironmentOptions {
  /** Squads to run in-process, or a factory given the environment's transport (squads that keep state in KV). */
  squads?: SquadDefinition[] | ((transport: Transport, prefix: string) => Promise<SquadDefinition[]>);
  /** Definitions to register before the test starts. */
  workflows?: unknown[];
  /** Start of simulated time (epoch ms). */
  startAt?: number;
  logger?: Logger;
}

const END: ExecutionStatus[] = ['completed', 'failed', 'compensated', 'cancelled'];

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
    readonly transport: ReturnType<typeof createMemoryTransport>,
    readonly names: Names,
    private readonly orchestrator: Orchestrator,
    private readonly squads: RunningSquad[],
  ) {}

  static async create(options: TestEnvironmentOptions = {}): Promise<TestEnvironment> {
    const clock = new ManualClock(options.startAt);
    const transport = createMemoryTransport({ clock });
    const logger = options.logger ?? silentLogger();
    const prefix = 'sqf';
    const orchestrator = await Orchestrator.start({ transport, prefix, logger });
    const definitions = typeof options.squads === 'function' ? await options.squads(transport, prefix) : (options.squads ?? []);
    const squads = await Promise.all(
      definitions.map((definition) => startSquad({ transport, prefix, squad: definition.name, actions: definition.actions, logger })),
    );
    const client = await EngineClient.connect({ transport, prefix });
    for (const definition of options.workflows ?? []) await client.registerWorkflow(definition);
    await orchestrator.refreshEvents();
    return new TestEnvironment(client, clock, transport, names(prefix), orchestrator, squads);
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
  async runUntil(executionId: string, statuses: ExecutionStatus[] = END, maxSimulated: Duration = '30d'): Promise<ExecutionView> {
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
    await Promise.all(this.squads.map((s) => s.stop()));
    await this.orchestrator.stop();
    await this.transport.close();
  }
}
