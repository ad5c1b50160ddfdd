import type { Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { workflowsTable } from '../format.ts';
import { cliLogger, openSession } from '../session.ts';

export const workflowsCommand: Command = {
  name: 'workflows',
  summary: 'List registered workflows (latest versions)',
  usage: 'workflows',
  options: {},
  positionals: { min: 0, max: 0 },
  async run({ out, config }) {
    const session = await openSession(config, cliLogger(config, { fallback: 'error' }));
    try {
      const list = await session.client.listWorkflows();
      out.result(list, () => workflowsTable(list));
      return ExitCode.OK;
    } finally {
      await session.close();
    }
  },
};
