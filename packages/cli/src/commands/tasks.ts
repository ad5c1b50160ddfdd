import { userInfo } from 'node:os';
import type { HumanTask } from '@squadflow/engine';
import { intOption, stringOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { table } from '../format.ts';
import { withRemote } from '../remote/index.ts';

const DECISIONS = { approve: 'approve', reject: 'reject' } as const;

const when = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());

/** The open tasks, one row each. */
export function tasksTable(tasks: readonly HumanTask[]): string {
  if (!tasks.length) return 'no open human tasks';
  return table([
    ['EXECUTION', 'WORKFLOW', 'STEP', 'ASSIGNEE', 'LEVEL', 'DUE', 'TITLE'],
    ...tasks.map((t) => [t.executionId, t.workflow, t.step, t.assignee, String(t.escalationLevel), when(t.dueAt), t.title ?? '']),
  ]);
}

/** Who decides when the CLI talks to NATS directly (over HTTP the gateway names the token instead). */
const cliPrincipal = (): string => `cli:${userInfo().username}`;

export const tasksCommand: Command = {
  name: 'tasks',
  summary: 'Human tasks: list the open ones, or approve or reject one',
  usage: 'tasks [--assignee <who>] [--workflow <w>] [--limit 100] | tasks approve|reject <execution-id> <step> [--comment <text>]',
  details: `  --assignee <who>   only tasks asked of this person now
  --workflow <w>     only this workflow
  --limit <n>        at most n tasks (default 100)
  --comment <text>   with approve or reject: a note kept in the step's output
The decision completes the step with { approved, decision, comment, by }; later steps read $steps.<step>.approved.`,
  options: { assignee: { type: 'string' }, workflow: { type: 'string' }, limit: { type: 'string' }, comment: { type: 'string' } },
  positionals: { min: 0, max: 3 },
  async run({ values, positionals, out, config }) {
    if (positionals.length === 0) {
      const assignee = stringOption(values, 'assignee');
      const workflow = stringOption(values, 'workflow');
      const limit = intOption(values, 'limit', 100);
      return withRemote(config, async (remote) => {
        const tasks = await remote.listHumanTasks({ limit, ...(assignee ? { assignee } : {}), ...(workflow ? { workflow } : {}) });
        out.result(tasks, () => tasksTable(tasks));
        return ExitCode.OK;
      });
    }
    const [verb, executionId, step] = positionals as [string, string | undefined, string | undefined];
    const decision = DECISIONS[verb as keyof typeof DECISIONS];
    if (!decision) throw new CliError(ExitCode.USAGE, `tasks: unknown action "${verb}" (approve or reject)`);
    if (!executionId || !step) throw new CliError(ExitCode.USAGE, `tasks ${verb}: expected <execution-id> <step>`);
    const comment = stringOption(values, 'comment');
    return withRemote(config, async (remote) => {
      const task = await remote.decideHumanTask(
        executionId,
        step,
        { decision, ...(comment === undefined ? {} : { comment }) },
        cliPrincipal(),
      );
      out.result({ executionId, step, decision, assignee: task.assignee }, () => `${decision}d ${step} of ${executionId}`);
      return ExitCode.OK;
    });
  },
};
