import { readFile } from 'node:fs/promises';
import type { ScheduleSpec, ScheduleView } from '@squadflow/engine';
import { SquadflowError } from '@squadflow/shared';
import { intOption, stringOption, subArgs, subcommand, type Command, type CommandContext } from '../command.ts';
import { CliError, ExitCode, messageWithoutIssues } from '../exit-codes.ts';
import { describeSchedule, schedulesTable } from '../format.ts';
import { explainUnknownWorkflow, parseJsonObject, readContext } from '../input.ts';
import { withRemote, type Remote } from '../remote/index.ts';

const SUBCOMMANDS = ['list', 'get', 'create', 'pause', 'resume', 'delete'] as const;

/** The option that sets each spec field, to name in errors. */
const OPTION_OF: Record<string, string> = {
  id: '--id',
  workflow: '--workflow',
  version: '--version',
  context: '--data/--input',
  cron: '--cron',
  timezone: '--timezone',
  every: '--every',
  at: '--at',
  overlap: '--overlap',
  catchUp: '--catch-up',
};

/** `--file` (a JSON spec), then each option over it. */
async function specFrom(values: CommandContext['values']): Promise<ScheduleSpec> {
  const file = stringOption(values, 'file');
  let spec: Record<string, unknown> = {};
  if (file !== undefined) {
    const text = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
      throw new CliError(ExitCode.USAGE, `${file}: cannot read: ${err.code === 'ENOENT' ? 'no such file' : err.message}`);
    });
    spec = parseJsonObject(text, file);
  }
  const input = stringOption(values, 'input');
  const data = stringOption(values, 'data');
  if (input !== undefined || data !== undefined) spec['context'] = (await readContext({ input, data })).context;
  const numberOr = (raw: string) => (/^\d+$/.test(raw) ? Number(raw) : raw);
  const texts = { id: 'id', workflow: 'workflow', cron: 'cron', timezone: 'timezone', overlap: 'overlap', 'catch-up': 'catchUp' };
  for (const [option, field] of Object.entries(texts)) {
    const value = stringOption(values, option);
    if (value !== undefined) spec[field] = value;
  }
  for (const option of ['every', 'at']) {
    const value = stringOption(values, option);
    if (value !== undefined) spec[option] = numberOr(value);
  }
  const version = intOption(values, 'version');
  if (version !== undefined) spec['version'] = version;
  if (spec['workflow'] === undefined) {
    throw new CliError(
      ExitCode.USAGE,
      'schedules create: --workflow is required (or a "workflow" field in --file)',
      [],
      'INVALID_ARGUMENT',
      [{ path: 'workflow', message: 'Required' }],
    );
  }
  return spec as unknown as ScheduleSpec;
}

/** A refused spec, each field named with the option that sets it. */
function explainSpecError(err: unknown): never {
  if (err instanceof SquadflowError && (err.code === 'INVALID_ARGUMENT' || err.code === 'INVALID_CONTEXT') && err.issues.length) {
    const lines = err.issues.map((i) => {
      const field = i.path.split('.')[0] ?? '';
      return `${i.path || '(root)'}${OPTION_OF[field] ? ` (${OPTION_OF[field]})` : ''}: ${i.message}`;
    });
    throw new CliError(ExitCode.USAGE, `schedules create: ${messageWithoutIssues(err.message, err.issues)}`, lines, err.code, err.issues);
  }
  throw err;
}

async function create(remote: Remote, values: CommandContext['values']): Promise<ScheduleView> {
  const spec = await specFrom(values);
  return remote.createSchedule(spec).catch(async (err: unknown) => {
    if (err instanceof SquadflowError && err.code === 'WORKFLOW_NOT_FOUND') return explainUnknownWorkflow(err, remote, spec.workflow);
    return explainSpecError(err);
  });
}

export const schedulesCommand: Command = {
  name: 'schedules',
  summary: 'List, create, pause, resume and delete schedules (cron, every, at)',
  usage:
    'schedules [list] | schedules get|pause|resume|delete <id> | ' +
    "schedules create --workflow <w> (--cron '<expr>' [--timezone <tz>] | --every <duration> | --at <time>) [--data '<json>' | --input <file>] [--id <id>] [--file <spec.json>]",
  details: `  list (default)          every schedule: when it fires, its state, next and last slot
  get <id>                one schedule
  pause <id>, resume <id> stop firing / fire again from the next slot
  delete <id>             remove it (runs it started go on)
  create                  a schedule that starts a workflow once per slot:
    --workflow <w>        the workflow to start (--version <n> pins a version)
    --cron '<expr>'       5 fields, or 6 with seconds first; --timezone <IANA zone> (default UTC)
    --every <duration>    fixed interval aligned to the epoch: 30s, 15m, 1h
    --at <time>           once: an ISO 8601 date-time or epoch ms
    --data '<json>'       the context of every run (or --input <file>)
    --id <id>             its id (default: generated sch_...)
    --overlap skip|queue|allow, --catch-up latest|skip   see docs/schedules.md
    --file <spec.json>    the spec as JSON; options override its fields
Exit 2 for a bad spec (each field named with its option), 3 for an unknown workflow or schedule.`,
  options: {
    file: { type: 'string' },
    id: { type: 'string' },
    workflow: { type: 'string' },
    version: { type: 'string' },
    cron: { type: 'string' },
    timezone: { type: 'string' },
    every: { type: 'string' },
    at: { type: 'string' },
    data: { type: 'string' },
    input: { type: 'string', short: 'i' },
    overlap: { type: 'string' },
    'catch-up': { type: 'string' },
  },
  positionals: { min: 0, max: 2 },
  async run({ values, positionals, out, config }) {
    const { sub, args } = subcommand(schedulesCommand, positionals, SUBCOMMANDS, 'list');
    const id = sub === 'list' || sub === 'create' ? undefined : subArgs(schedulesCommand, sub, args, ['id'])[0]!;
    if (id === undefined) subArgs(schedulesCommand, sub, args, []);
    return withRemote(config, async (remote) => {
      if (sub === 'list') {
        const list = await remote.listSchedules();
        out.result(list, () => schedulesTable(list));
        return ExitCode.OK;
      }
      if (sub === 'delete') {
        await remote.deleteSchedule(id!);
        out.result({ id, deleted: true }, () => `schedule ${id} deleted`);
        return ExitCode.OK;
      }
      let schedule: ScheduleView | null;
      if (sub === 'create') schedule = await create(remote, values);
      else if (sub === 'pause') schedule = await remote.pauseSchedule(id!);
      else if (sub === 'resume') schedule = await remote.resumeSchedule(id!);
      else schedule = await remote.getSchedule(id!);
      if (!schedule) throw new SquadflowError('SCHEDULE_NOT_FOUND', `schedule "${id}" not found`);
      const shown = schedule;
      out.result(shown, () =>
        sub === 'get'
          ? describeSchedule(shown)
          : `schedule ${shown.id} ${sub === 'create' ? 'created' : shown.state}\n${describeSchedule(shown)}`,
      );
      return ExitCode.OK;
    });
  },
};
