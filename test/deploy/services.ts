/**
 * Runs a compose project's services as OS processes on this machine, as
 * `docker compose up` would run them as containers: each service's
 * `command` with its `environment`, `deploy.replicas` instances, started in
 * `depends_on` order (waiting for `service_healthy` through the service's own
 * health check), restarted after an exit when its restart policy says so.
 *
 * What a container has and a process does not, and how it is stood in for:
 * - Its own filesystem: the image's WORKDIR is the built image's directory
 *   (services with `build`/the project's image), bind mounts are their host
 *   directory, named volumes a directory per service that outlives restarts,
 *   and every other absolute path in a command or variable (e.g.
 *   `/tmp/squadflow.health`) moves under a directory of the instance's own.
 * - Its own network: every process shares this machine's, so each
 *   (service, container port) gets a free port here; `<service>:<port>` in
 *   variables and arguments, `0.0.0.0:<port>` / `127.0.0.1:<port>` in a
 *   service's own command and health check, `SQUADFLOW_PORT` and the
 *   nats-server ports (`-p`, `-m`) are rewritten to them.
 * - Its programs: `node` is this machine's Node (the image's major version,
 *   checked by the build), `nats-server` this machine's nats-server; a
 *   health check's `wget`/`curl` of a URL is an HTTP GET from the test.
 * - The image's user (`USER node`) is not switched to.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { findOnPath, freePort } from '@squadflow/transport/testing';
import { deployEnv } from '../../scripts/deploy-env.ts';
import type { ComposeProject, ComposeService } from './compose.ts';

/** Container ports the rewriting knows: a service's own listening ports. */
const NATS_CLIENT = 4222;
const NATS_MONITOR = 8222;

export interface RunnerOptions {
  project: ComposeProject;
  /** The project directory (bind mounts are relative to it). */
  projectDir: string;
  /** The built image: its root directory, WORKDIR and ENV. */
  image: { name: string; root: string; workdir: string; env: Record<string, string> };
  /** Scratch space: instance filesystems, named volumes, rewritten configs. */
  workDir: string;
  /** Rewrites a bind-mounted directory's copy before a service sees it (e.g. NATS settings this nats-server lacks). */
  adaptMount?: (service: string, target: string, dir: string) => void;
  /** Output lines of every process (default: stderr, prefixed with the instance). */
  log?: (instance: string, line: string) => void;
  /** How often health checks run while waiting (compose runs them every `interval`; the test does not wait that long). */
  healthPollMs?: number;
}

export interface Instance {
  readonly service: string;
  readonly index: number;
  readonly label: string;
  /** The current process (a restart replaces it). */
  readonly pid: number;
  /** How many times the restart policy started it again. */
  readonly restarts: number;
  kill(signal: NodeJS.Signals): void;
  /** Resolves when the current process exits. */
  exited(): Promise<number | null>;
  /** Resolves when the instance runs again after an exit (restart policy). */
  restarted(): Promise<void>;
  /** Runs the service's health check once. */
  healthy(): Promise<boolean>;
  output(): string[];
}

export class ServiceRunner {
  private readonly ports = new Map<string, number>();
  private readonly instances = new Map<string, Instance[]>();
  private readonly children = new Set<ChildProcess>();
  private stopping = false;

  constructor(private readonly options: RunnerOptions) {}

  /** The port on this machine standing for `service`'s container port. */
  async hostPort(service: string, port: number): Promise<number> {
    const key = `${service}:${port}`;
    let found = this.ports.get(key);
    if (found === undefined) {
      found = await freePort();
      this.ports.set(key, found);
    }
    return found;
  }

  instancesOf(service: string): Instance[] {
    return this.instances.get(service) ?? [];
  }

  /**
   * Starts every service (or `only` these and what they depend on) in dependency order; resolves once all are
   * started and the ones with a health check report healthy.
   */
  async up(options: { only?: string[]; timeoutMs?: number } = {}): Promise<void> {
    const { services } = this.options.project;
    const timeoutMs = options.timeoutMs ?? 90_000;
    // Every port first, so that rewriting a variable can name any service's.
    for (const s of Object.values(services)) {
      for (const port of this.containerPorts(s)) await this.hostPort(s.name, port);
    }
    const deadline = Date.now() + timeoutMs;
    const started = new Map<string, Promise<void>>();
    const start = (name: string): Promise<void> => {
      let p = started.get(name);
      if (!p) {
        p = (async () => {
          const service = services[name]!;
          await Promise.all(
            Object.entries(service.dependsOn).map(async ([dep, condition]) => {
              await start(dep);
              if (condition === 'service_healthy') await this.waitHealthy(dep, deadline);
              if (condition === 'service_completed_successfully')
                throw new Error(`${name}: service_completed_successfully is not run here`);
            }),
          );
          const list: Instance[] = [];
          for (let i = 1; i <= service.replicas; i++) list.push(await this.startInstance(service, i));
          this.instances.set(name, list);
        })();
        started.set(name, p);
      }
      return p;
    };
    await Promise.all((options.only ?? Object.keys(services)).map(start));
    const running = Object.values(services).filter((s) => this.instances.has(s.name) && s.healthcheck);
    await Promise.all(running.map((s) => this.waitHealthy(s.name, deadline)));
  }

  /** Waits until every instance of `service` passes its health check. */
  async waitHealthy(service: string, deadline = Date.now() + 60_000): Promise<void> {
    const poll = this.options.healthPollMs ?? 200;
    for (;;) {
      const list = this.instancesOf(service);
      if (list.length && (await Promise.all(list.map((i) => i.healthy()))).every(Boolean)) return;
      if (Date.now() > deadline) {
        const out = list.map((i) => `[${i.label}]\n${i.output().slice(-20).join('\n')}`).join('\n');
        throw new Error(`${service} not healthy in time\n${out}`);
      }
      await new Promise((r) => setTimeout(r, poll)); // compose polls health checks too (every `interval`)
    }
  }

  /** SIGTERM to every process (SIGKILL after each service's stop_grace_period), no restarts. */
  async down(): Promise<void> {
    this.stopping = true;
    const graces = new Map(Object.values(this.options.project.services).map((s) => [s.name, s.stopGracePeriodMs]));
    await Promise.all(
      [...this.instances.values()].flat().map(async (instance) => {
        instance.kill('SIGTERM');
        const timer = setTimeout(() => instance.kill('SIGKILL'), graces.get(instance.service) ?? 10_000);
        await instance.exited();
        clearTimeout(timer);
      }),
    );
    for (const child of this.children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }

  private containerPorts(service: ComposeService): number[] {
    const ports = new Set<number>();
    for (const spec of service.ports) ports.add(Number(spec.split(':').at(-1)!.split('/')[0]));
    if (service.command[0] === 'nats-server') [NATS_CLIENT, NATS_MONITOR, 6222].forEach((p) => ports.add(p));
    return [...ports];
  }

  private fromImage(service: ComposeService): boolean {
    return service.build || service.image === this.options.image.name;
  }

  /** Where a path inside `service`'s container is on this machine. */
  private hostPath(service: ComposeService, instanceDir: string, path: string): string {
    for (const volume of service.volumes) {
      const [source, target] = volume.split(':') as [string, string];
      if (path === target || path.startsWith(`${target}/`)) {
        const base = this.mountDir(service, source, target);
        return join(base, path.slice(target.length));
      }
    }
    const { image } = this.options;
    if (this.fromImage(service) && (path === image.workdir || path.startsWith(`${image.workdir}/`))) {
      return join(image.root, path);
    }
    return join(instanceDir, path);
  }

  private readonly mounts = new Map<string, string>();
  /** A bind mount: a copy of the host directory (adapted, see `adaptMount`); a named volume: a directory per service. */
  private mountDir(service: ComposeService, source: string, target: string): string {
    const key = `${service.name}:${target}`;
    let dir = this.mounts.get(key);
    if (!dir) {
      dir = join(this.options.workDir, 'volumes', service.name, target.replace(/\//g, '_'));
      mkdirSync(dir, { recursive: true });
      if (source.startsWith('.') || source.startsWith('/')) {
        cpSync(resolve(this.options.projectDir, source), dir, { recursive: true });
        this.options.adaptMount?.(service.name, target, dir);
      }
      this.mounts.set(key, dir);
    }
    return dir;
  }

  /** Rewrites one argument or variable value for `service` running as a process here. */
  private rewrite(service: ComposeService, instanceDir: string, value: string): string {
    const names = Object.keys(this.options.project.services).map((n) => n.replace(/[-]/g, '\\-'));
    let out = value.replace(new RegExp(`(^|[/@,])(${names.join('|')}):(\\d+)`, 'g'), (all, lead: string, host: string, port: string) => {
      const mapped = this.ports.get(`${host}:${port}`);
      return mapped === undefined ? all : `${lead}127.0.0.1:${mapped}`;
    });
    out = out.replace(/(0\.0\.0\.0|127\.0\.0\.1|localhost):(\d+)/g, (all, _host: string, port: string) => {
      const mapped = this.ports.get(`${service.name}:${port}`);
      return mapped === undefined ? all : `127.0.0.1:${mapped}`;
    });
    return /^\/[^\s:]*$/.test(out) ? this.hostPath(service, instanceDir, out) : out;
  }

  private async startInstance(service: ComposeService, index: number): Promise<Instance> {
    const label = service.replicas > 1 ? `${service.name}-${index}` : service.name;
    const instanceDir = join(this.options.workDir, 'instances', label);
    mkdirSync(join(instanceDir, 'tmp'), { recursive: true });
    mkdirSync(join(instanceDir, 'home'), { recursive: true });
    const fromImage = this.fromImage(service);
    const environment: Record<string, string> = {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      HOME: join(instanceDir, 'home'),
      ...(fromImage ? this.options.image.env : {}),
    };
    for (const [k, v] of Object.entries(service.environment)) environment[k] = this.rewrite(service, instanceDir, v);
    if (environment['SQUADFLOW_PORT']) {
      environment['SQUADFLOW_PORT'] = String(await this.hostPort(service.name, Number(environment['SQUADFLOW_PORT'])));
    }
    const [program, ...rawArgs] = service.command;
    const args = rawArgs.map((a) => this.rewrite(service, instanceDir, a));
    let binary: string;
    if (program === 'node') binary = process.execPath;
    else if (program === 'nats-server') {
      binary = findOnPath('nats-server') ?? '';
      if (!binary) throw new Error('nats-server is not installed');
      // The container's ports come from the config file: here each is a free port of this machine.
      args.push('-a', '127.0.0.1', '-p', String(this.ports.get(`${service.name}:${NATS_CLIENT}`)));
      args.push('-m', String(this.ports.get(`${service.name}:${NATS_MONITOR}`)));
    } else throw new Error(`${service.name}: cannot run ${program} as a process here`);
    const cwd = fromImage ? join(this.options.image.root, this.options.image.workdir) : instanceDir;

    const log = this.options.log ?? ((who: string, line: string) => process.stderr.write(`[${who}] ${line}\n`));
    const output: string[] = [];
    let child!: ChildProcess;
    let exit!: Promise<number | null>;
    let restarts = 0;
    let restartWaiters: Array<() => void> = [];
    const launch = (): void => {
      child = spawn(binary, args, { cwd, env: environment, stdio: ['ignore', 'pipe', 'pipe'] });
      this.children.add(child);
      const current = child;
      exit = new Promise((resolvePromise) => current.once('exit', (code) => resolvePromise(code)));
      for (const stream of [current.stdout, current.stderr]) {
        let buffered = '';
        stream!.on('data', (chunk: Buffer) => {
          buffered += chunk.toString();
          const lines = buffered.split('\n');
          buffered = lines.pop()!;
          for (const line of lines) {
            output.push(line);
            if (output.length > 300) output.shift();
            log(label, line);
          }
        });
      }
      void exit.then((code) => {
        this.children.delete(current);
        const policy = service.restart;
        const again = !this.stopping && (policy === 'always' || policy === 'unless-stopped' || (policy === 'on-failure' && code !== 0));
        if (!again) return;
        // Docker waits 100 ms before the first restart (doubling on repeated failures).
        setTimeout(() => {
          if (this.stopping) return;
          restarts++;
          launch();
          const waiters = restartWaiters;
          restartWaiters = [];
          for (const w of waiters) w();
        }, 100);
      });
    };
    launch();

    const check = service.healthcheck;
    const healthy = async (): Promise<boolean> => {
      if (!check) return child.exitCode === null && child.signalCode === null;
      const [tool, ...toolArgs] = check.test.map((a) => this.rewrite(service, instanceDir, a));
      if (tool === 'wget' || tool === 'curl') {
        const url = toolArgs.find((a) => /^https?:\/\//.test(a));
        if (!url) throw new Error(`${service.name}: health check ${check.test.join(' ')} names no URL`);
        try {
          const response = await fetch(url, { signal: AbortSignal.timeout(check.timeoutMs) });
          await response.body?.cancel();
          return response.ok;
        } catch {
          return false;
        }
      }
      if (tool !== 'node') throw new Error(`${service.name}: cannot run health check program ${tool}`);
      const result = spawnSync(process.execPath, toolArgs, { cwd, env: environment, timeout: check.timeoutMs, encoding: 'utf8' });
      return result.status === 0;
    };

    return {
      service: service.name,
      index,
      label,
      get pid() {
        return child.pid ?? -1;
      },
      get restarts() {
        return restarts;
      },
      kill: (signal) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      },
      exited: () => exit,
      restarted: () => new Promise<void>((r) => restartWaiters.push(r)),
      healthy,
      output: () => output,
    };
  }
}

/** Whether nats-server is missing here; if so, says that `label` is skipped and why. */
export function withoutNatsServer(label: string): boolean {
  if (findOnPath('nats-server')) return false;
  console.log(`${label}: skipped, no nats-server on this machine (Debian: apt-get install -y nats-server)`);
  return true;
}

/** The environment a test deployment runs with: fresh secrets (scripts/deploy-env.ts), quiet logs. */
export function testDeployEnv(): Record<string, string> {
  return { ...deployEnv(), SQUADFLOW_LOG_LEVEL: 'warn' };
}

/** nats-server's version on this machine (`2.9.10`). */
export function natsServerVersion(): string {
  const binary = findOnPath('nats-server');
  if (!binary) throw new Error('nats-server is not installed');
  const out = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  const m = /v?(\d+\.\d+\.\d+)/.exec(`${out.stdout}${out.stderr}`);
  if (!m) throw new Error(`cannot read the nats-server version from: ${out.stdout}${out.stderr}`);
  return m[1]!;
}

/**
 * nats-server before 2.10 refuses `sync_interval` (added in 2.10.0): the
 * copy of the mounted config this older server reads leaves that one line
 * out. Everything else in the file (users, permissions, limits) is as shipped.
 */
export function adaptNatsConfigForVersion(version: string): (service: string, target: string, dir: string) => void {
  const [major, minor] = version.split('.').map(Number) as [number, number];
  const old = major < 2 || (major === 2 && minor < 10);
  return (_service, _target, dir) => {
    if (!old) return;
    const file = join(dir, 'nats-server.conf');
    const text = readFileSync(file, 'utf8');
    writeFileSync(file, text.replace(/^\s*sync_interval:.*$/m, '  # sync_interval: left out for nats-server <2.10 by the test'));
  };
}
