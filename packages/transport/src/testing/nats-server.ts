/**
 * A test-owned `nats-server` process: its own port and store directory, so a
 * fault test can kill, freeze or restart it without touching the server the
 * rest of the suite shares. Restarting reuses the port and the store, as an
 * operator restarting a server would. Freezing is SIGSTOP: the process keeps
 * its sockets open and answers nothing, like a server stuck in a long pause
 * or behind a black-holing network; thawing (SIGCONT) lets it go on with
 * whatever it had buffered.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, rmSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from './free-port.ts';

const START_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 5_000;

export interface NatsServerOptions {
  /** Binary to run (default: `nats-server` on PATH). */
  binary?: string;
  /** Port to listen on (default: a free one). */
  port?: number;
  /** JetStream store directory (default: a new temp directory, removed by `remove()`). */
  storeDir?: string;
  /** Extra command-line arguments (e.g. `['-c', 'auth.conf']`). */
  args?: string[];
}

/** A running (or stopped) test-owned NATS server. */
export interface NatsServerProcess {
  readonly url: string;
  readonly port: number;
  readonly storeDir: string;
  /** Pid of the current server process. */
  readonly pid: number;
  /** Sends a signal to the current process (SIGKILL, SIGTERM, SIGSTOP, SIGCONT...). */
  signal(signal: NodeJS.Signals): void;
  /**
   * SIGSTOP, resolved once every thread of the server is stopped: the signal
   * takes effect asynchronously, and a message sent right after `kill()`
   * could still be answered.
   */
  freeze(): Promise<void>;
  /** SIGCONT: the server goes on, processing what clients sent meanwhile. */
  thaw(): void;
  /** Resolves when the current process has exited (with its exit code or signal). */
  exited(): Promise<string>;
  /** Starts the server again on the same port and store; resolves once it accepts connections. */
  restart(): Promise<void>;
  /** SIGTERM (SIGKILL after 5 s) and waits for the exit. */
  stop(): Promise<void>;
  /** Stops the server and deletes its store directory (when it made one). */
  remove(): Promise<void>;
  /** The last lines of the server's log, for failure messages. */
  log(): string;
}

/** Where to find an executable: `PATH`, then `extraDirs` (some images install nats-server in /usr/sbin, off a user's PATH). */
export function findOnPath(name: string, extraDirs: readonly string[] = ['/usr/sbin', '/usr/local/sbin']): string | null {
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

/** Starts `nats-server -js` on loopback; resolves once its port accepts connections. */
export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  const binary = options.binary ?? findOnPath('nats-server');
  if (!binary) throw new Error('nats-server is not on PATH (Debian: apt-get install -y nats-server)');
  const ownsStore = options.storeDir === undefined;
  const storeDir = options.storeDir ?? (await mkdtemp(join(tmpdir(), 'squadflow-nats-')));
  const port = options.port ?? (await freePort());
  let log = '';
  let child: ChildProcess;
  let exit: Promise<string>;

  const launch = async (): Promise<void> => {
    child = spawn(binary, ['-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1', ...(options.args ?? [])], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const current = child;
    exit = new Promise((resolve) => current.once('exit', (code, signal) => resolve(signal ?? String(code))));
    current.stderr?.on('data', (chunk: Buffer) => {
      log = (log + chunk.toString()).slice(-8000);
    });
    try {
      await waitForPort(port, current, START_TIMEOUT_MS);
    } catch (err) {
      current.kill('SIGKILL');
      throw new Error(`nats-server (${binary}) did not start on port ${port}: ${(err as Error).message}\n${log}`, { cause: err });
    }
  };
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (!alive()) return;
    child.kill('SIGCONT'); // a frozen server cannot act on SIGTERM
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exit;
    clearTimeout(timer);
  };
  // If the test process dies without cleaning up, do not leave a server behind.
  const onExit = (): void => {
    if (alive()) child.kill('SIGKILL');
    if (ownsStore) rmSync(storeDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);

  await launch();
  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    storeDir,
    get pid() {
      return child.pid ?? -1;
    },
    signal: (signal) => {
      if (alive()) child.kill(signal);
    },
    exited: () => exit,
    freeze: async () => {
      child.kill('SIGSTOP');
      await threadsStopped(child.pid ?? -1);
    },
    thaw: () => {
      if (alive()) child.kill('SIGCONT');
    },
    restart: async () => {
      await stop();
      await launch();
    },
    stop,
    remove: async () => {
      process.off('exit', onExit);
      await stop();
      if (ownsStore) await rm(storeDir, { recursive: true, force: true });
    },
    log: () => log,
  };
}

/** Resolves once `port` accepts a TCP connection; rejects if the process exits or time runs out. */
async function waitForPort(port: number, child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`exited with ${child.exitCode ?? child.signalCode}`);
    if (await canConnect(port)) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`port ${port} not accepting connections after ${timeoutMs} ms`);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Resolves once every thread of `pid` is stopped (Linux `/proc`; elsewhere after a grace period). */
async function threadsStopped(pid: number, timeoutMs = 5_000): Promise<void> {
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
