import { EXECUTION_STATUSES, ExecutionStatusSchema, type ExecutionStatus } from '@squadflow/shared';
import { intOption, stringOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { executionsTable } from '../format.ts';
import { withRemote } from '../remote/index.ts';

/** `--status failed,cancelled` → the statuses, each checked. */
function parseStatuses(raw: string | undefined): ExecutionStatus[] | undefined {
  if (raw === undefined) return undefined;
  const list = raw.split(',').map((s) => s.trim());
  const bad = list.filter((s) => !ExecutionStatusSchema.safeParse(s).success);
  if (bad.length)
    throw new CliError(ExitCode.USAGE, `--status: unknown status "${bad.join('", "')}" (one of ${EXECUTION_STATUSES.join(', ')})`);
  return list as ExecutionStatus[];
}

export const lsCommand: Command = {
  name: 'ls',
  summary: 'List executions, newest first',
  usage: 'ls [--status <s>[,<s>...]] [--workflow <w>] [--search <text>] [--limit 20]',
  details: `  --status <s,...>   only these statuses: ${EXECUTION_STATUSES.join(', ')}
  --workflow <w>     only this workflow
  --search <text>    part of an execution id, or an exact idempotency key or correlation (wait) key
  --limit <n>        at most n executions (default 20)`,
  options: { status: { type: 'string' }, workflow: { type: 'string' }, search: { type: 'string' }, limit: { type: 'string' } },
  positionals: { min: 0, max: 0 },
  async run({ values, out, config }) {
    const status = parseStatuses(stringOption(values, 'status'));
    const workflow = stringOption(values, 'workflow');
    const q = stringOption(values, 'search');
    const limit = intOption(values, 'limit', 20);
    return withRemote(config, async (remote) => {
      const views = await remote.listExecutions({
        limit,
        ...(status ? { status } : {}),
        ...(workflow ? { workflow } : {}),
        ...(q === undefined ? {} : { q }),
      });
      out.result(views, () => executionsTable(views));
      return ExitCode.OK;
    });
  },
};
