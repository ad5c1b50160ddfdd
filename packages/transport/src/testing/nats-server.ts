/**
 * A NATS server owned by one test, beside the shared one of the run: for
 * tests that kill, restart or freeze the server under running components.
 * Freezing is SIGSTOP: the process keeps its sockets open and answers
 * nothing, like a server stuck in a long pause or behind a black-holing
 * network; SIGCONT lets it go on with whatever it had buffered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';

/** Where to find an executable: `PATH`, then `extraDirs` (some images install nats-server in /usr/sbin, off a user's PATH). */
export function findOnPath(name: string, extraDirs: readonly string[] = []): string | null {
  for (const dir of [...(process.env['PATH'] ?? '').split(delimiter), ...extraDirs]) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}

/** Whether something accepts TCP connections on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export interface PrivateNatsServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  readonly port: number;
  /**
   * SIGSTOP: connections stay open, nothing is answered. Resolves once every
   * thread of the server is stopped: the signal takes effect asynchronously,
   * and a message sent right after `kill()` could still be answered.
   */
  freeze(): Promise<void>;
  /** SIGCONT: the server goes on, processing what clients sent meanwhile. */
  thaw(): void;
  /** SIGKILL (JetStream data stays in the store directory). */
  kill(): Promise<void>;
  /** Starts it again on the same port and store (after `kill`). */
  restart(): Promise<void>;
  /** Kills it and deletes its store. */
  dispose(): Promise<void>;
}

/** Starts `nats-server -js` on a free port with a temporary store; resolves once it accepts connections. */
export async function startPrivateNatsServer(): Promise<PrivateNatsServer> {
  const binary = findOnPath('nats-server', ['/usr/sbin', '/usr/local/sbin']);
  if (!binary) throw new Error('nats-server not found on PATH (or in /usr/sbin, /usr/local/sbin)');
  const port = await freePort();
  const storeDir = await mkdtemp(join(tmpdir(), 'squadflow-private-nats-'));
  let child: ChildProcess | undefined;
  const killNow = (): void => void child?.kill('SIGKILL');
  // A test that dies half-way must not leave a frozen server behind.
  process.once('exit', killNow);

  const start = async (): Promise<void> => {
    child = spawn(binary, ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', storeDir], { stdio: 'ignore' });
    const deadline = Date.now() + 15_000;
    while (!(await canConnect(port))) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`nats-server on port ${port} did not start`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  const kill = async (): Promise<void> => {
    const running = child;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  await start();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    freeze: async () => {
      const pid = child?.pid;
      if (pid === undefined) throw new Error('nats-server is not running');
      child!.kill('SIGSTOP');
      await stopped(pid);
    },
    thaw: () => void child?.kill('SIGCONT'),
    kill,
    restart: start,
    dispose: async () => {
      process.off('exit', killNow);
      await kill();
      await rm(storeDir, { recursive: true, force: true });
    },
  };
}

/** Resolves once every thread of `pid` is stopped (Linux `/proc`; elsewhere after a grace period). */
async function stopped(pid: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let states: string[];
    try {
      const tasks = await readdir(`/proc/${pid}/task`);
      // The state is the field after the parenthesised command name: `123 (nats-server) T ...`.
      states = await Promise.all(
        tasks.map(async (t) => (await readFile(`/proc/${pid}/task/${t}/stat`, 'utf8')).replace(/^.*\) /s, '')[0] ?? ''),
      );
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 200)); // no /proc: give the signal time to land
      return;
    }
    if (states.every((state) => state === 'T' || state === 't')) return;
    if (Date.now() > deadline) throw new Error(`nats-server ${pid} did not stop within ${timeoutMs} ms (thread states ${states.join('')})`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
