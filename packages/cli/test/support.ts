import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** Workspace root: the CLI runs from here, as `pnpm squadflow` does. */
export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const MAIN = 'packages/cli/src/main.ts';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Variables a child gets only when a test gives them: which squadflow to reach, and how. */
const UNLESS_GIVEN = [
  'SQUADFLOW_NATS_URL',
  'SQUADFLOW_PREFIX',
  'SQUADFLOW_LOG_LEVEL',
  'SQUADFLOW_URL',
  'SQUADFLOW_TOKEN',
  'SQUADFLOW_PORT',
  'SQUADFLOW_API_TOKENS',
];

/** Environment for a child: ours, minus the squadflow settings a test did not give (no NATS, no server named). */
function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = { ...process.env };
  for (const name of UNLESS_GIVEN) delete base[name];
  return { ...base, ...env };
}

/**
 * Runs `node --import tsx packages/cli/src/main.ts <args>` to completion. Asynchronous
 * (unlike spawnSync) so an orchestrator running in the test process keeps working
 * while the CLI waits on it.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A long-running CLI command (start, squad) that has printed `ready`. */
export interface RunningCli {
  /** stdout lines before `ready`. */
  banner: string[];
  /** Sends a signal and resolves with the exit code and everything written to stderr. */
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; stderr: string }>;
}

/** Starts a long-running command and resolves once it prints `ready` (rejects with its output if it exits first). */
export function startCli(args: string[], env: Record<string, string> = {}): Promise<RunningCli> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    cwd: ROOT,
    env: childEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const banner: string[] = [];
  return new Promise((resolve, reject) => {
    let ready = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (ready) return;
      if (line.trim() !== 'ready') {
        banner.push(line);
        return;
      }
      ready = true;
      resolve({
        banner,
        stop: async (signal = 'SIGTERM') => {
          child.kill(signal);
          return { code: await exited, stderr };
        },
      });
    });
    void exited.then((code) => {
      if (!ready) reject(new Error(`squadflow ${args.join(' ')} exited with ${code} before "ready"\n${banner.join('\n')}\n${stderr}`));
    });
  });
}
