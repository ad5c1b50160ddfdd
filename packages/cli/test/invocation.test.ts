/**
 * How users start the CLI: `pnpm squadflow`, `pnpm exec squadflow` and
 * `npx squadflow` from the repo root (the linked bin), what reaches them
 * (clean JSON on stdout, signals), and how `start` fails on a busy port.
 */
import { spawn as spawnChild, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { cleanupPrefix, natsUrl, uniquePrefix } from '@squadflow/transport/testing';
import { ROOT } from './support.ts';

/** Every child a test started: a failed or timed-out test must not leave a server running. */
const started = new Set<ChildProcess>();
function spawn(command: string, args: string[], options: SpawnOptions): ChildProcess {
  const child = spawnChild(command, args, options);
  started.add(child);
  child.once('exit', () => started.delete(child));
  return child;
}
afterEach(() => {
  for (const child of started) child.kill('SIGKILL');
  started.clear();
});

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment for a child: ours, without NATS (so `start` runs in memory) and with a free port. */
function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { ...process.env, SQUADFLOW_PORT: '0', SQUADFLOW_LOG_LEVEL: 'warn' };
  delete base['SQUADFLOW_NATS_URL'];
  delete base['SQUADFLOW_PREFIX'];
  return { ...base, ...extra };
}

function finish(child: ChildProcess): Promise<Finished> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** The first stdout line of a child (rejects if it exits before writing one). */
function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', resolve);
    child.once('exit', (code) => reject(new Error(`exited ${code} before writing a line`)));
  });
}

async function answers(url: string): Promise<boolean> {
  return fetch(`${url}/healthz`).then(
    (r) => r.ok,
    () => false,
  );
}

/** Resolves once `pid` no longer exists (it is not our child, so there is no exit event to await). */
async function gone(pid: number, withinMs: number): Promise<boolean> {
  for (const until = Date.now() + withinMs; Date.now() < until;) {
    try {
      process.kill(pid, 0);
    } catch {
      return true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return false;
}

describe('invoking the CLI', () => {
  it.each([
    ['pnpm exec squadflow', 'pnpm', ['exec', 'squadflow']],
    ['npx squadflow', 'npx', ['--no-install', 'squadflow']],
  ])('%s runs the linked bin from the repo root', async (_name, command, args) => {
    const result = await finish(spawn(command, [...args, '--help'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] }));
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^squadflow: durable workflows over NATS\n/);
  });

  it('`pnpm squadflow start --json` prints only JSON on stdout, serves, and SIGTERM to pnpm stops the server it started', async () => {
    const child = spawn('pnpm', ['squadflow', 'start', '--json'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const done = finish(child);
    const summary = JSON.parse(await firstLine(child)) as { ready: boolean; pid: number; gateway: { url: string } };
    expect(summary.ready).toBe(true);
    expect(summary.pid).not.toBe(child.pid);
    expect(await answers(summary.gateway.url)).toBe(true);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.stdout.trim().split('\n')).toHaveLength(1);
    // pnpm passes the signal on to the node process it started, which stops gracefully.
    expect(await gone(summary.pid, 15_000)).toBe(true);
    expect(await answers(summary.gateway.url)).toBe(false);
  });

  it('`start` stops when the process that started it is killed with SIGKILL', async () => {
    // A parent that cannot pass a signal on: its child is re-parented and must notice.
    const parent = spawn('bash', ['-c', 'node packages/cli/bin/squadflow.mjs start --json & echo $!; wait'], {
      cwd: ROOT,
      env: env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines = createInterface({ input: parent.stdout! })[Symbol.asyncIterator]();
    const pid = Number((await lines.next()).value);
    const summary = JSON.parse((await lines.next()).value as string) as { gateway: { url: string } };
    expect(await answers(summary.gateway.url)).toBe(true);
    parent.kill('SIGKILL');
    expect(await gone(pid, 15_000)).toBe(true);
    expect(await answers(summary.gateway.url)).toBe(false);
  });

  it('`start` registers the definitions of SQUADFLOW_WORKFLOWS after the seeds', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sqf-start-defs-'));
    try {
      await writeFile(
        join(dir, 'greet.yaml'),
        'name: greet_customer\nsteps:\n  - name: hello\n    squad: whatsapp\n    action: send_message\n',
      );
      const child = spawn('pnpm', ['exec', 'squadflow', 'start', '--json'], {
        cwd: ROOT,
        env: env({ SQUADFLOW_WORKFLOWS: dir }),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const done = finish(child);
      const summary = JSON.parse(await firstLine(child)) as { workflows: Array<{ name: string; version: number }> };
      child.kill('SIGTERM');
      await done;
      expect(summary.workflows).toContainEqual({ name: 'greet_customer', version: 1 });
      expect(summary.workflows).toContainEqual({ name: 'abandoned_cart_recovery', version: 1 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('`start` on NATS creates its streams with SQUADFLOW_REPLICAS: 3 on a single server exits 2 naming it', async () => {
    const prefix = uniquePrefix('start_replicas');
    try {
      const result = await finish(
        spawn('pnpm', ['exec', 'squadflow', 'start'], {
          cwd: ROOT,
          env: env({ SQUADFLOW_NATS_URL: natsUrl(), SQUADFLOW_PREFIX: prefix, SQUADFLOW_REPLICAS: '3' }),
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('with 3 replicas: the NATS server is not clustered');
      expect(result.stderr).toContain('SQUADFLOW_REPLICAS');
    } finally {
      await cleanupPrefix(prefix);
    }
  });

  it('`insights` reaches the running server: the JSON report, the text report, and the nearest name for a typo', async () => {
    const server = spawn('pnpm', ['exec', 'squadflow', 'start', '--json'], { cwd: ROOT, env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    const summary = JSON.parse(await firstLine(server)) as { gateway: { url: string } };
    const cli = (...args: string[]) =>
      finish(
        spawn('pnpm', ['exec', 'squadflow', ...args], {
          cwd: ROOT,
          env: env({ SQUADFLOW_URL: summary.gateway.url }),
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
    const json = await cli('insights', 'abandoned_cart_recovery', '--json');
    expect(json.code).toBe(0);
    const report = JSON.parse(json.stdout) as { workflow: string; sampled: number; steps: unknown[] };
    expect([report.workflow, report.sampled, report.steps.length]).toEqual(['abandoned_cart_recovery', 0, 4]);
    const text = await cli('insights', 'abandoned_cart_recovery');
    expect(text.stdout).toMatch(/^abandoned_cart_recovery: 0 newest executions, 0 ended\n/);
    const typo = await cli('insights', 'abandond_cart_recovery');
    expect(typo.code).toBe(3);
    expect(typo.stderr).toContain('did you mean "abandoned_cart_recovery"');
    server.kill('SIGTERM');
  });

  it('a busy port is a usage error (exit 2) naming SQUADFLOW_PORT, without a stack trace', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const { port } = holder.address() as AddressInfo;
    try {
      const result = await finish(
        spawn('pnpm', ['exec', 'squadflow', 'start'], {
          cwd: ROOT,
          env: env({ SQUADFLOW_PORT: String(port) }),
          stdio: ['ignore', 'pipe', 'pipe'],
        }),
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(`cannot listen on 127.0.0.1:${port}: the address is already in use`);
      expect(result.stderr).toContain('SQUADFLOW_PORT');
      expect(result.stderr).not.toMatch(/\n\s+at /);
    } finally {
      holder.close();
    }
  });
});
