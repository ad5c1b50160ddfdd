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
 * Returns undefined when retention is off (ended executions stay). Also,
 * once per deployment, indexes the executions stored before the listing
 * index existed and schedules the ended ones to leave.
 */
export async function startRetention(deps: RetentionDeps): Promise<RetentionSweeper | undefined> {
  const { transport, names, stores, logger } = deps;
  const settings = retentionSettings(deps.options);
  const { retentionMs } = settings;
  const schedule = retentionMs === null ? undefined : await RetentionSchedule.open(transport, names);
  // Executions stored before this version: indexed for listing and, if ended, scheduled to leave; once (the only scan).
  const indexed = await stores.index.backfill(async () => {
    const records = await stores.executions.list();
    for (const r of records)
      if (schedule && retentionMs !== null && isTerminal(r.status)) await schedule.add(r.executionId, r.updatedAt + retentionMs);
    return records;
  });
  if (indexed) logger.info({ indexed }, 'execution index: earlier executions indexed');
  if (retentionMs === null || !schedule) {
    logger.info('retention off: ended executions stay in the executions bucket');
    return undefined;
  }
  await transport.streams.ensure(archiveStreamConfig(names, settings.archiveMaxAgeMs));
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
