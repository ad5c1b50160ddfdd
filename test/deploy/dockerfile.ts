/**
 * Builds a Dockerfile's stages into directories on this machine, with no
 * Docker engine: each stage's filesystem is a directory, its instructions
 * run in order.
 *
 * - `FROM <image> [AS name]`: an empty root (the base image's operating
 *   system and Node are this machine's: `checkBaseImage` checks that Node's
 *   major version is the image's); `FROM <earlier stage>` starts from a copy of it.
 * - `WORKDIR`, `ENV`, `ARG` (with a default), `USER`, `CMD`, `EXPOSE`, `LABEL`: recorded.
 * - `COPY [--from=stage] <src>... <dest>`: from the build context (filtered
 *   by .dockerignore) or an earlier stage, with Docker's rules (a directory's
 *   contents, a trailing `/` on the destination).
 * - `RUN <shell>`: bash in the stage's WORKDIR, with the stage's ENV, PATH
 *   starting with the stage's `/usr/local/bin` and npm's global prefix at the
 *   stage's `/usr/local` (so `npm install -g` lands in the stage, as in the image).
 *
 * Any other instruction or flag is an error: the emulation must not drift
 * from the file silently.
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';

export interface Instruction {
  keyword: string;
  /** The arguments as written (continuations joined). */
  args: string;
  line: number;
}

export interface Stage {
  index: number;
  name?: string;
  /** The FROM image (or earlier stage name). */
  from: string;
  instructions: Instruction[];
}

export interface BuiltStage {
  stage: Stage;
  /** The stage's filesystem root on this machine. */
  root: string;
  workdir: string;
  env: Record<string, string>;
  user: string;
  cmd: string[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let line = lines[i]!;
    if (/^\s*(#|$)/.test(line)) continue;
    // Line continuations; comment lines inside a continued instruction are dropped, as Docker does.
    while (/\\\s*$/.test(line) && i + 1 < lines.length) {
      line = line.replace(/\\\s*$/, ' ');
      let next = lines[++i]!;
      while (/^\s*#/.test(next) && i + 1 < lines.length) next = lines[++i]!;
      line += next;
    }
    const m = /^\s*([A-Za-z]+)\s*(.*)$/.exec(line);
    if (!m) throw new Error(`Dockerfile line ${start + 1}: cannot parse "${line}"`);
    const keyword = m[1]!.toUpperCase();
    const args = m[2]!.trim();
    if (keyword === 'FROM') {
      const from = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      if (!from) throw new Error(`Dockerfile line ${start + 1}: FROM ${args}`);
      stages.push({ index: stages.length, from: from[1]!, ...(from[2] ? { name: from[2] } : {}), instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) {
      if (keyword === 'ARG') continue; // global ARGs before FROM: none are used here
      throw new Error(`Dockerfile line ${start + 1}: ${keyword} before FROM`);
    }
    stage.instructions.push({ keyword, args, line: start + 1 });
  }
  return stages;
}

/** `k=v k2="v 2"` or the legacy `k v`. */
export function parseEnvArgs(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!/^[A-Za-z_][A-Za-z0-9_]*=/.test(args)) {
    const [key, ...rest] = args.split(/\s+/);
    out[key!] = rest.join(' ');
    return out;
  }
  const re = /([A-Za-z_][A-Za-z0-9_]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g;
  for (const m of args.matchAll(re)) {
    let value = m[2]!;
    if (value.startsWith('"')) value = value.slice(1, -1).replace(/\\(.)/g, '$1');
    else if (value.startsWith("'")) value = value.slice(1, -1);
    out[m[1]!] = value;
  }
  return out;
}

/** A JSON array (`["a", "b"]`) or whitespace-separated words. */
function words(args: string): string[] {
  return args.startsWith('[') ? (JSON.parse(args) as string[]) : args.split(/\s+/).filter(Boolean);
}

/** `${VAR}` / `$VAR` from the stage's ENV and ARGs (Docker substitutes in COPY, ENV, WORKDIR, USER). */
function substitute(text: string, vars: Record<string, string>): string {
  return text.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, a: string, b: string) => vars[a ?? b] ?? '');
}

/** .dockerignore as a predicate on context-relative paths (`*`, `**`, `?`, leading `/`, `!` exceptions). */
export function dockerignore(contextDir: string): (path: string) => boolean {
  const file = join(contextDir, '.dockerignore');
  const rules = existsSync(file)
    ? readFileSync(file, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l && !l.startsWith('#'))
        .map((pattern) => {
          const negate = pattern.startsWith('!');
          const body = posix.normalize((negate ? pattern.slice(1) : pattern).replace(/^\/+/, '')).replace(/\/+$/, '');
          return { negate, re: globToRegExp(body) };
        })
    : [];
  return (path: string) => {
    let ignored = false;
    for (const rule of rules) if (rule.re.test(path)) ignored = !rule.negate;
    return ignored;
  };
}

function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      // `**/` matches any number of directories (including none).
      re += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') re += '[^/]*';
    else if (c === '?') re += '[^/]';
    else re += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A pattern matching a directory excludes everything under it.
  return new RegExp(`^${re}(?:/.*)?$`);
}

/** The build's `FROM node:<major>...` images run on this machine's Node: its major version must match. */
export function checkBaseImage(image: string): void {
  const m = /^node:(\d+)/.exec(image);
  if (!m) throw new Error(`FROM ${image}: only node:<major> base images can be emulated on this machine`);
  const major = process.versions.node.split('.')[0];
  if (m[1] !== major) throw new Error(`FROM ${image}: this machine runs Node ${process.versions.node}, not ${m[1]}.x`);
}

export interface BuildOptions {
  contextDir: string;
  /** Where the stages' roots go (one directory per stage). */
  outDir: string;
  /** Extra environment for RUN lines, e.g. `npm_config_prefer_offline` (the host's package store stands in for the registry). */
  runEnv?: Record<string, string>;
  /** Output of RUN lines, for failure messages. */
  log?: (line: string) => void;
}

/** Executes every stage in order; returns them built (the last is the image). */
export async function buildStages(stages: readonly Stage[], options: BuildOptions): Promise<BuiltStage[]> {
  const built: BuiltStage[] = [];
  const ignored = dockerignore(options.contextDir);
  for (const stage of stages) {
    const root = join(options.outDir, `stage-${stage.index}${stage.name ? `-${stage.name}` : ''}`);
    const previous = built.find((b) => b.stage.name === stage.from);
    let state: BuiltStage;
    if (previous) {
      cpSync(previous.root, root, { recursive: true, verbatimSymlinks: true });
      state = { ...previous, stage, root, env: { ...previous.env }, cmd: [...previous.cmd] };
    } else {
      checkBaseImage(stage.from);
      mkdirSync(root, { recursive: true });
      state = { stage, root, workdir: '/', env: {}, user: 'root', cmd: [] };
    }
    const args: Record<string, string> = {};
    for (const ins of stage.instructions) {
      const where = `Dockerfile line ${ins.line} (${ins.keyword})`;
      const vars = { ...args, ...state.env };
      switch (ins.keyword) {
        case 'ARG': {
          const [name, value = ''] = ins.args.split('=');
          args[name!] = value;
          break;
        }
        case 'ENV':
          Object.assign(state.env, parseEnvArgs(substitute(ins.args, vars)));
          break;
        case 'WORKDIR':
          state.workdir = posix.resolve(state.workdir, substitute(ins.args, vars));
          mkdirSync(inRoot(root, state.workdir), { recursive: true });
          break;
        case 'USER':
          state.user = substitute(ins.args, vars);
          break;
        case 'CMD':
          state.cmd = words(ins.args);
          break;
        case 'EXPOSE':
        case 'LABEL':
          break;
        case 'COPY':
          copy(ins.args, vars, state, built, options.contextDir, ignored, where);
          break;
        case 'RUN':
          await run(ins.args, state, options, where);
          break;
        default:
          throw new Error(`${where}: the emulation does not handle ${ins.keyword}`);
      }
    }
    built.push(state);
  }
  return built;
}

/** `path` (absolute in the image) on this machine; refuses to leave the root. */
export function inRoot(root: string, path: string): string {
  const full = resolve(root, `.${posix.resolve('/', path)}`);
  if (full !== root && !full.startsWith(`${root}/`)) throw new Error(`${path} leaves the stage root`);
  return full;
}

function copy(
  rawArgs: string,
  vars: Record<string, string>,
  state: BuiltStage,
  built: readonly BuiltStage[],
  contextDir: string,
  ignored: (path: string) => boolean,
  where: string,
): void {
  const parts = words(substitute(rawArgs, vars));
  let from: BuiltStage | undefined;
  while (parts[0]?.startsWith('--')) {
    const flag = parts.shift()!;
    const m = /^--from=(.+)$/.exec(flag);
    if (!m) throw new Error(`${where}: the emulation does not handle ${flag}`);
    from = built.find((b) => b.stage.name === m[1] || String(b.stage.index) === m[1]);
    if (!from) throw new Error(`${where}: no earlier stage ${m[1]}`);
  }
  const dest = parts.pop();
  if (!dest || parts.length === 0) throw new Error(`${where}: COPY needs a source and a destination`);
  if (parts.some((p) => /[*?[]/.test(p))) throw new Error(`${where}: wildcards are not emulated`);
  const destInImage = posix.resolve(state.workdir, dest);
  const destIsDir = dest.endsWith('/') || parts.length > 1;
  for (const src of parts) {
    const source = from ? inRoot(from.root, posix.resolve('/', src)) : resolve(contextDir, src);
    if (!from) {
      const rel = relative(contextDir, source);
      if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`${where}: ${src} is outside the build context`);
      if (rel && ignored(rel)) throw new Error(`${where}: ${src} is excluded by .dockerignore`);
    }
    if (!existsSync(source))
      throw new Error(`${where}: ${src} does not exist${from ? ` in stage ${from.stage.name}` : ' in the build context'}`);
    const target = inRoot(state.root, destIsDir && !statSync(source).isDirectory() ? posix.join(destInImage, basename(src)) : destInImage);
    mkdirSync(statSync(source).isDirectory() ? target : dirname(target), { recursive: true });
    cpSync(source, target, {
      recursive: true,
      verbatimSymlinks: true,
      // The context is filtered by .dockerignore; another stage's files are copied as they are.
      filter: (path) => from !== undefined || !ignored(relative(contextDir, path)),
    });
  }
}

function run(script: string, state: BuiltStage, options: BuildOptions, where: string): Promise<void> {
  if (script.startsWith('[')) throw new Error(`${where}: exec-form RUN is not emulated`);
  if (script.startsWith('--')) throw new Error(`${where}: RUN flags are not emulated`);
  const usrLocal = inRoot(state.root, '/usr/local');
  mkdirSync(join(usrLocal, 'bin'), { recursive: true });
  const env = {
    HOME: process.env['HOME'] ?? '/root',
    LANG: process.env['LANG'] ?? 'C.UTF-8',
    ...state.env,
    PATH: `${join(usrLocal, 'bin')}:${process.env['PATH'] ?? '/usr/bin:/bin'}`,
    npm_config_prefix: usrLocal,
    ...options.runEnv,
  };
  return new Promise((resolvePromise, reject) => {
    const child = spawn('bash', ['-e', '-o', 'pipefail', '-c', script], {
      cwd: inRoot(state.root, state.workdir),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    const collect = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line) continue;
        output.push(line);
        if (output.length > 60) output.shift();
        options.log?.(line);
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${where}: RUN ${script} exited with ${code}\n${output.join('\n')}`)),
    );
  });
}
