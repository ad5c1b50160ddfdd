/**
 * A Redis server of the bench's own for the BullMQ peer: a free port on
 * 127.0.0.1, a temporary directory, AOF fsynced every second and no RDB
 * snapshots (the durability BullMQ's own benchmarks assume). The machine's
 * Redis (6379) is never touched. Stopped and its directory deleted on cleanup.
 */
import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import { onCleanup, trackPid } from '../../lib/cleanup.ts';

const READY_TIMEOUT_MS = 10_000;

export interface RedisServer {
  readonly port: number;
  readonly pid: number;
  stop(): Promise<void>;
}

/** The `redis-server` binary on PATH, or undefined (the peer is then skipped). */
export function findRedisServer(): string | undefined {
  const dirs = (process.env['PATH'] ?? '').split(delimiter).filter(Boolean);
  return dirs
    .map((dir) => join(dir, 'redis-server'))
    .find((candidate) => {
      try {
        accessSync(candidate, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/** `7.0.15` from `redis-server --version`. */
export function redisVersion(binary: string): string {
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout;
  return /v=([\d.]+)/.exec(out)?.[1] ?? 'unknown';
}

/** A port the kernel just handed out and released: free unless something races for it. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no TCP port from the kernel');
  return address.port;
}

export async function startRedis(binary: string): Promise<RedisServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-'));
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'everysec', '--save', ''],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const untrack = trackPid(child.pid ?? -1);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      await exited;
    }
    untrack();
    rmSync(dir, { recursive: true, force: true });
  };
  const unregister = onCleanup(`redis-server :${port}`, stop);
  const tail: string[] = [];
  await new Promise<void>((resolve, reject) => {
    const timeout = setTimeout(
      () => reject(new Error(`redis-server not ready after ${READY_TIMEOUT_MS} ms\n${tail.join('\n')}`)),
      READY_TIMEOUT_MS,
    );
    createInterface({ input: child.stdout }).on('line', (line) => {
      tail.push(line);
      if (/Ready to accept connections/.test(line)) {
        clearTimeout(timeout);
        resolve();
      }
    });
    createInterface({ input: child.stderr }).on('line', (line) => tail.push(line));
    void exited.then(() => {
      clearTimeout(timeout);
      reject(new Error(`redis-server exited before it was ready\n${tail.join('\n')}`));
    });
  }).catch(async (err: unknown) => {
    await unregister();
    throw err;
  });
  return { port, pid: child.pid ?? -1, stop: unregister };
}
