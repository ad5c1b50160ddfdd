import { SquadflowError, TERMINAL_STATUSES } from '@squadflow/shared';
import type { Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { describeExecution } from '../format.ts';
import { cliLogger, openSession } from '../session.ts';

export const statusCommand: Command = {
  name: 'status',
  summary: 'Show an execution: status, output or error, and per-step history',
  usage: 'status <execution-id>',
  details: 'Exit 0 while the execution is active or once it completed; 1 when it ended failed, compensated or cancelled; 3 when unknown.',
  options: {},
  positionals: { min: 1, max: 1 },
  async run({ positionals, out, config }) {
    const executionId = positionals[0]!;
    const session = await openSession(config, cliLogger(config, { fallback: 'error' }));
    try {
      const view = await session.client.getExecution(executionId);
      if (!view) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
      out.result(view, () => describeExecution(view));
      return TERMINAL_STATUSES.has(view.status) && view.status !== 'completed' ? ExitCode.NOT_COMPLETED : ExitCode.OK;
    } finally {
      await session.close();
    }
  },
};
