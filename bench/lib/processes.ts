/**
 * Child processes of a bench run: `node [nodeArgs] [--import tsx] <script>`,
 * ready once they print a line `ready`. Each is registered for cleanup and
 * preloads watch-parent.mjs, so none outlives the bench.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { onCleanup, trackPid } from './cleanup.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const WATCH_PARENT = new URL('../processes/watch-parent.mjs', import.meta.url).href;
const READY_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

export interface Child {
  readonly pid: number;
  readonly label: string;
  readonly exited: Promise<number | null>;
  /** SIGKILL at once (crash simulation); resolves once the process is gone. */
  kill9(): Promise<void>;
  /** SIGTERM, SIGKILL after a grace period; resolves once the process is gone. */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  env: Record<string, string>;
  label: string;
  nodeArgs?: string[];
  /** Lines that are not `ready` go to our stderr unless quiet (default: forwarded). */
  quiet?: boolean;
  /** How long until `ready` (default 60 s; an orchestrator re-arms every stored timer first). */
  readyTimeoutMs?: number;
  /** Sees every stdout line after `ready`; a line it returns true for is not forwarded (the soak's probe lines). */
  onLine?: (line: string) => boolean;
}

export function spawnNode(script: string, options: SpawnOptions): Promise<Child> {
  // A built bundle (`.mjs`, scripts/build.ts) runs on plain Node; sources run through tsx.
  const loader = script.endsWith('.mjs') ? [] : ['--import', 'tsx'];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), ...loader, '--import', WATCH_PARENT, script], {
    cwd: ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const { label } = options;
  const untrack = trackPid(child.pid ?? -1);
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      untrack();
      resolve(code);
    });
    child.once('error', () => resolve(null));
  });
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (!alive()) return;
    child.kill('SIGTERM');
    const escalate = setTimeout(() => alive() && child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(escalate);
  };
  const unregister = onCleanup(label, stop);
  const handle: Child = {
    pid: child.pid ?? -1,
    label,
    exited,
    kill9: async () => {
      if (alive()) child.kill('SIGKILL');
      await exited;
      await unregister();
    },
    stop: async () => {
      await stop();
      await unregister();
    },
  };

  return new Promise<Child>((resolve, reject) => {
    let ready = false;
    const tail: string[] = [];
    const forward = (line: string): void => {
      tail.push(line);
      if (tail.length > 50) tail.shift();
      if (!options.quiet) process.stderr.write(`[${label}] ${line}\n`);
    };
    createInterface({ input: child.stderr }).on('line', forward);
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (!ready && line.trim() === 'ready') {
        ready = true;
        clearTimeout(timeout);
        resolve(handle);
      } else if (!options.onLine?.(line)) forward(line);
    });
    const fail = (why: string): void => {
      if (ready) return;
      ready = true;
      void handle.stop();
      reject(new Error(`${label}: ${why}\n${tail.join('\n')}`));
    };
    const readyMs = options.readyTimeoutMs ?? READY_TIMEOUT_MS;
    const timeout = setTimeout(() => fail(`not ready after ${readyMs} ms`), readyMs);
    void exited.then((code) => {
      clearTimeout(timeout);
      fail(`exited with ${code} before printing "ready"`);
    });
  });
}
