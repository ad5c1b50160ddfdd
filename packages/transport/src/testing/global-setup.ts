/**
 * Vitest global setup: resolves one NATS server (with JetStream) for the
 * whole run, in this order:
 * 1. `SQUADFLOW_NATS_URL` if set (CI service, a developer's server);
 * 2. a `nats-server` binary on PATH, started on a free port with a temp store;
 * 3. a Docker engine, through `@testcontainers/nats`;
 * otherwise it fails with instructions: NATS tests are never skipped silently.
 *
 * The URL reaches tests through `inject('natsUrl')` and child processes
 * through `SQUADFLOW_NATS_URL`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { freePort } from './free-port.ts';
import { canConnect, findOnPath } from './nats-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** NATS server URL for this test run (may carry `user:pass@`). */
    natsUrl: string;
  }
}

interface ResolvedNats {
  url: string;
  teardown(): Promise<void>;
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const previous = process.env['SQUADFLOW_NATS_URL'];
  const nats = await resolveNats(previous);
  project.provide('natsUrl', nats.url);
  process.env['SQUADFLOW_NATS_URL'] = nats.url;
  return async () => {
    // Restore, so a watch-mode rerun does not mistake our dead server for a configured one.
    if (previous === undefined) delete process.env['SQUADFLOW_NATS_URL'];
    else process.env['SQUADFLOW_NATS_URL'] = previous;
    await nats.teardown();
  };
}

async function resolveNats(configured: string | undefined): Promise<ResolvedNats> {
  if (configured) return { url: configured, teardown: async () => {} };
  const binary = findOnPath('nats-server');
  if (binary) return startLocalServer(binary);
  return startContainer();
}

async function startLocalServer(binary: string): Promise<ResolvedNats> {
  const storeDir = await mkdtemp(join(tmpdir(), 'squadflow-nats-'));
  const port = await freePort();
  const child = spawn(binary, ['-js', '-sd', storeDir, '-p', String(port), '-a', '127.0.0.1'], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-4000);
  });
  // If vitest dies without running teardown, do not leave a server and its store behind.
  const onExit = (): void => {
    child.kill('SIGKILL');
    rmSync(storeDir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  const teardown = async (): Promise<void> => {
    process.off('exit', onExit);
    await stop(child);
    await rm(storeDir, { recursive: true, force: true });
  };
  try {
    await waitForPort(port, child, 15_000);
  } catch (err) {
    await teardown();
    throw new Error(`nats-server (${binary}) did not start: ${(err as Error).message}\n${log}`, { cause: err });
  }
  return { url: `nats://127.0.0.1:${port}`, teardown };
}

async function startContainer(): Promise<ResolvedNats> {
  try {
    const { NatsContainer } = await import('@testcontainers/nats');
    const container = await new NatsContainer('nats:2.9.10').withArg('-js').start();
    const { user, pass } = { user: container.username ?? '', pass: container.password ?? '' };
    const auth = user ? `${encodeURIComponent(user)}:${encodeURIComponent(pass)}@` : '';
    const url = `nats://${auth}${container.getHost()}:${container.getMappedPort(4222)}`;
    return { url, teardown: async () => void (await container.stop()) };
  } catch (err) {
    throw new Error(
      'The NATS tests need a NATS server with JetStream, and none could be found or started.\n' +
        'Provide one of:\n' +
        '  - SQUADFLOW_NATS_URL=nats://host:4222 (a running server started with -js);\n' +
        '  - a nats-server binary on PATH (https://github.com/nats-io/nats-server/releases);\n' +
        '  - a running Docker engine (the tests then start nats:2.9.10 via Testcontainers).\n' +
        `Docker attempt failed with: ${(err as Error).message}`,
      { cause: err },
    );
  }
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

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
