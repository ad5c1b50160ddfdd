/**
 * The same drive as compose-processes.test.ts, on the real thing: `docker
 * compose up --build` of docker-compose.yml. Runs where a Docker engine
 * answers `docker info` (and Compose is 2.24.4 or later, for `!override`);
 * elsewhere it is skipped and says why.
 *
 * A small override file, written here, keeps a test deployment from
 * colliding with anything on the host: NATS and the gateway get ephemeral
 * loopback ports, and the orchestrators read a copy of workflows/ with
 * abandoned_cart_recovery's delays shortened (as the process test does).
 * The compose file itself is used as shipped.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deployEnv, renderDeployEnv } from '../../scripts/deploy-env.ts';
import { passwordVariable } from '../../scripts/nats-authorization.ts';
import { driveAbandonedCarts, seedWorkflowNames, SHORT_DELAYS_MS, shortenDelays } from './drive.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Why the test cannot run here, or undefined when it can. */
function dockerUnavailable(): string | undefined {
  const info = spawnSync('docker', ['info'], { encoding: 'utf8', timeout: 20_000 });
  if (info.error || info.status !== 0) {
    return `no Docker engine (docker info: ${info.error?.message ?? (info.stderr || info.stdout).trim().split('\n').at(-1)})`;
  }
  const version = spawnSync('docker', ['compose', 'version', '--short'], { encoding: 'utf8' });
  const [major = 0, minor = 0, patch = 0] = (version.stdout ?? '').trim().replace(/^v/, '').split('.').map(Number);
  if (version.status !== 0 || major < 2 || (major === 2 && (minor < 24 || (minor === 24 && patch < 4)))) {
    return `docker compose 2.24.4+ is needed for !override (found: ${(version.stdout || version.stderr || 'none').trim()})`;
  }
  return undefined;
}

const unavailable = dockerUnavailable();
if (unavailable)
  console.log(`docker-compose: skipped, ${unavailable}; test/deploy/compose-processes.test.ts proves the same without Docker`);

describe.skipIf(unavailable !== undefined)('docker compose up (a Docker engine)', () => {
  const env: Record<string, string> = { ...deployEnv(), SQUADFLOW_LOG_LEVEL: 'warn' };
  const project = `squadflow-test-${process.pid}`;
  let work: string;
  let files: string[];

  const compose = (...args: string[]) => {
    const result = spawnSync('docker', ['compose', '-p', project, '--env-file', join(work, '.env'), ...files, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 600_000,
    });
    if (result.status !== 0) throw new Error(`docker compose ${args.join(' ')}: ${result.stderr || result.stdout}`);
    return result.stdout.trim();
  };
  /** `127.0.0.1:49153` for a service's container port. */
  const published = (service: string, port: number) => compose('port', service, String(port)).split('\n')[0]!;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'squadflow-docker-'));
    writeFileSync(join(work, '.env'), renderDeployEnv(env));
    cpSync(join(ROOT, 'workflows'), join(work, 'workflows'), { recursive: true });
    shortenDelays(join(work, 'workflows', 'abandoned_cart_recovery.yaml'));
    writeFileSync(
      join(work, 'override.yml'),
      [
        'services:',
        '  nats:',
        "    ports: !override ['127.0.0.1::4222']",
        '  gateway:',
        "    ports: !override ['127.0.0.1::8080']",
        '  orchestrator:',
        `    volumes: ['${join(work, 'workflows')}:/app/workflows:ro']`,
        '',
      ].join('\n'),
    );
    files = ['-f', join(ROOT, 'docker-compose.yml'), '-f', join(work, 'override.yml')];
    compose('up', '--build', '--detach', '--wait', '--wait-timeout', '300');
  }, 900_000);

  afterAll(() => {
    if (!work) return;
    try {
      compose('down', '--volumes', '--timeout', '10');
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 120_000);

  it('runs the seed workflow through the gateway, exactly once per execution, across a SIGKILL of one orchestrator replica', async () => {
    const [victim] = compose('ps', '--quiet', 'orchestrator').split('\n');
    expect(victim).toBeTruthy();
    await driveAbandonedCarts({
      gatewayUrl: `http://${published('gateway', 8080)}`,
      token: env['SQUADFLOW_API_TOKENS']!.split(':')[1]!,
      operatorNatsUrl: `nats://operator:${env[passwordVariable('operator')]}@${published('nats', 4222)}`,
      prefix: 'sqf',
      seedWorkflows: seedWorkflowNames(join(work, 'workflows')),
      delaysMs: SHORT_DELAYS_MS,
      killOrchestratorReplica: async () => {
        const kill = spawnSync('docker', ['kill', '--signal', 'KILL', victim!], { encoding: 'utf8' });
        expect(kill.status, kill.stderr).toBe(0);
        // Docker does not apply a restart policy to a container stopped by `docker kill`: start it as a supervisor would.
        compose('up', '--detach', '--wait', '--wait-timeout', '120', 'orchestrator');
      },
    });
  }, 300_000);
});
