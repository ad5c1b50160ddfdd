import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';

/** Workspace root: children run from here so `--import tsx` resolves. */
const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

/** A spawned TypeScript process that has printed `ready`. */
export interface ChildHandle {
  readonly pid: number;
  /** Sends a signal (default SIGTERM); a no-op once the child has exited. */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves with the exit code (null when killed by a signal). */
  readonly exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL if the child is still alive after 5 s; resolves once it has exited. */
  stop(): Promise<void>;
}

/**
 * Runs `node --import tsx <script>` with `process.env` + `env` and resolves
 * once the child prints a line `ready` on stdout. Rejects with the child's
 * output if it exits first or is not ready within 30 s. Every other output
 * line is forwarded to our stderr prefixed with `[label]`, so a failing
 * test shows what its processes said.
 */
export function spawnTsProcess(
  script: string,
  env: Record<string, string>,
  opts: { label?: string; args?: string[] } = {},
): Promise<ChildHandle> {
  // A built bundle (`.mjs`, see scripts/build.mjs) runs on plain Node; sources run through tsx.
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...loader, script, ...(opts.args ?? [])], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const label = opts.label ?? `pid ${child.pid ?? '?'}`;
  const output: string[] = [];
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    // Spawn failure (no exit event follows): report it as an exit.
    child.once('error', (err) => {
      output.push(`spawn error: ${err.message}`);
      resolve(null);
    });
  });

  return new Promise<ChildHandle>((resolve, reject) => {
    let ready = false;
    const forward = (line: string): void => {
      output.push(line);
      if (output.length > 200) output.shift();
      process.stderr.write(`[${label}] ${line}\n`);
    };
    createInterface({ input: child.stderr }).on('line', forward);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!ready && line.trim() === 'ready') {
        ready = true;
        clearTimeout(timeout);
        resolve(handle);
      } else forward(line);
    });
    const fail = (why: string): void => {
      if (ready) return;
      ready = true;
      reject(new Error(`${label}: ${why}\n${output.join('\n')}`));
    };
    const timeout = setTimeout(() => {
      fail(`not ready after ${READY_TIMEOUT_MS} ms`);
      child.kill('SIGKILL');
    }, READY_TIMEOUT_MS);
    void exited.then((code) => {
      clearTimeout(timeout);
      fail(`exited with ${code} before printing "ready"`);
    });

    const kill = (signal: NodeJS.Signals = 'SIGTERM'): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    const handle: ChildHandle = {
      pid: child.pid ?? -1,
      kill,
      exited,
      stop: async () => {
        kill('SIGTERM');
        const escalate = setTimeout(() => kill('SIGKILL'), STOP_GRACE_MS);
        await exited;
        clearTimeout(escalate);
      },
    };
  });
}

/** One line of the fixture squad's invocation log. */
export interface Invocation {
  executionId: string;
  step: string;
  attempt: number;
  /** The command's idempotency key (`<execution>.<step>.<attempt>[.c]`). */
  key: string;
  action: string;
  compensation: boolean;
  pid: number;
  at: number;
}

/** Reads the JSON-lines invocation log written by `fixtures/squad-process.ts` ([] if missing). */
export function readInvocations(file: string): Invocation[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Invocation);
}
