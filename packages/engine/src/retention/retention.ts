import { isTerminal, type Logger, type Names } from '@squadflow/shared';
import { archiveStreamConfig, type Transport } from '@squadflow/transport';
import { EventAttempts } from '../store/event-attempts.ts';
import type { EngineStores } from '../store/open-stores.ts';
import { ExecutionArchive } from './execution-archive.ts';
import { retentionSettings, type RetentionOptions } from './retention-options.ts';
import { RetentionSchedule } from './retention-schedule.ts';
import { RetentionSweeper } from './retention-sweeper.ts';

export interface RetentionDeps {
  transport: Transport;
  names: Names;
  stores: EngineStores;
  logger: Logger;
  options?: RetentionOptions;
}

/**
 * Bounded growth of the executions bucket (docs/retention.md): ensures the
 * archive stream, schedules the departure of every execution that ends
 * (write-ahead, in the execution store's hook) and sweeps the ones due.
 * Returns undefined when retention is off (ended executions stay). Also
 * indexes, once, executions stored before the listing index existed.
 */
export async function startRetention(deps: RetentionDeps): Promise<RetentionSweeper | undefined> {
  const { transport, names, stores, logger } = deps;
  const settings = retentionSettings(deps.options);
  const { retentionMs } = settings;
  // Executions stored before the listing index existed: indexed once (the only scan, and only on the first start).
  const indexed = await stores.index.backfill(() => stores.executions.list());
  if (indexed) logger.info({ indexed }, 'execution index: earlier executions indexed');
  if (retentionMs === null) {
    logger.info('retention off: ended executions stay in the executions bucket');
    return undefined;
  }
  await transport.streams.ensure(archiveStreamConfig(names, settings.archiveMaxAgeMs));
  const schedule = await RetentionSchedule.open(transport, names);
  stores.executions.observe({
    before: async (next, previous) => {
      if (isTerminal(next.status) && previous?.status !== next.status) await schedule.add(next.executionId, next.updatedAt + retentionMs);
    },
  });
  const sweeper = new RetentionSweeper({
    executions: stores.executions,
    schedule,
    archive: new ExecutionArchive(transport, names),
    timers: stores.timers,
    attempts: await EventAttempts.open(transport, names),
    clock: transport.clock,
    logger: logger.child({ component: 'retention' }),
    retentionMs,
    sweepIntervalMs: settings.sweepIntervalMs,
  });
  await sweeper.start();
  return sweeper;
}
