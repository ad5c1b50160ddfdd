import type { DefinitionFile } from '@squadflow/engine';
import { serializeDefinition, SquadflowError } from '@squadflow/shared';
import { intOption, stringOption, subArgs, subcommand, type Command, type CommandContext } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { workflowsTable } from '../format.ts';
import { explainUnknownWorkflow } from '../input.ts';
import { withRemote, type Registered } from '../remote/index.ts';

const SUBCOMMANDS = ['list', 'apply', 'export'] as const;
const FORMATS = ['yaml', 'json'] as const;

/**
 * Every file read and validated, then compiled as the orchestrator would
 * (cycles, expressions): a bad file fails here, before anything is
 * registered, naming the file, the step and the field.
 */
async function readAndCheck(path: string): Promise<DefinitionFile[]> {
  // The engine (compiler, XState) is loaded only by the subcommands that need it.
  const { loadDefinitionFiles } = await import('@squadflow/engine');
  return loadDefinitionFiles(path);
}

async function apply({ values, out, config }: CommandContext, path: string): Promise<number> {
  const files = await readAndCheck(path);
  if (values['dry-run']) {
    const planned = files.map(({ file, definition }) => ({ file, name: definition.name, steps: definition.steps.length }));
    out.result({ dryRun: true, workflows: planned }, () =>
      [...planned.map((p) => `${p.name} (${p.file}): valid, ${p.steps} steps`), 'dry run: nothing registered'].join('\n'),
    );
    return ExitCode.OK;
  }
  return withRemote(config, async (remote) => {
    const applied: Array<{ file: string } & Registered> = [];
    for (const { file, definition } of files) {
      const registered = await remote.registerWorkflow(definition).catch((err: unknown) => {
        const done = applied.map((a) => `${a.name} v${a.version}`).join(', ');
        throw err instanceof SquadflowError && applied.length
          ? new SquadflowError(err.code, `${file}: ${err.message} (already registered: ${done})`)
          : err;
      });
      applied.push({ file, ...registered });
    }
    out.result({ dryRun: false, workflows: applied }, () =>
      applied.map((a) => `${a.name} v${a.version} (${a.created ? 'created' : 'unchanged'})`).join('\n'),
    );
    return ExitCode.OK;
  });
}

async function exportWorkflow({ values, out, config }: CommandContext, name: string): Promise<number> {
  const format = stringOption(values, 'format') ?? 'yaml';
  if (!FORMATS.includes(format as (typeof FORMATS)[number])) {
    throw new CliError(ExitCode.USAGE, `--format: expected yaml or json, got "${format}"`);
  }
  const version = intOption(values, 'version');
  return withRemote(config, async (remote) => {
    const definition = await remote.getWorkflow(name, version).catch((err: unknown) => explainUnknownWorkflow(err, remote, name));
    // --json: one JSON document on stdout, whatever --format says.
    out.result(definition, () => serializeDefinition(definition, format as (typeof FORMATS)[number]));
    return ExitCode.OK;
  });
}

export const workflowsCommand: Command = {
  name: 'workflows',
  summary: 'List registered workflows; apply definition files; export a definition',
  usage: 'workflows [list] | workflows apply <file|dir> [--dry-run] | workflows export <name> [--format yaml|json] [--version <n>]',
  details: `  list (default)         the registered workflows, latest versions
  apply <file|dir>       register the definitions in a .yaml/.yml/.json file, or in every such file of a folder;
                         prints "name vN (created|unchanged)" for each. All files are validated first:
                         a bad one exits 2 naming the file, the step and the field, and nothing is registered.
    --dry-run            validate and print what would be registered; register nothing (needs no server)
  export <name>          print a definition as a file "apply" takes
    --format yaml|json   default yaml
    --version <n>        a given version (default: the latest)`,
  options: { 'dry-run': { type: 'boolean' }, format: { type: 'string' }, version: { type: 'string' } },
  positionals: { min: 0, max: 2 },
  async run(ctx) {
    const { sub, args } = subcommand(workflowsCommand, ctx.positionals, SUBCOMMANDS, 'list');
    if (sub === 'apply') return apply(ctx, subArgs(workflowsCommand, sub, args, ['file|dir'])[0]!);
    if (sub === 'export') return exportWorkflow(ctx, subArgs(workflowsCommand, sub, args, ['name'])[0]!);
    subArgs(workflowsCommand, sub, args, []);
    return withRemote(ctx.config, async (remote) => {
      const list = await remote.listWorkflows();
      ctx.out.result(list, () => workflowsTable(list));
      return ExitCode.OK;
    });
  },
};
