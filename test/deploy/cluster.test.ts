/**
 * SQUADFLOW_REPLICAS and docker-compose.cluster.yml.
 *
 * - On a single NATS server, a process asking for 3 replicas stops with an
 *   INVALID_CONFIG error naming SQUADFLOW_REPLICAS (no stream half-created).
 * - The cluster file's three nats commands, run as processes (services.ts),
 *   form a JetStream cluster with the shipped config and users; the
 *   orchestrators, the gateway and a squad, started with the merged files'
 *   environments from bundles built here, create every stream and KV bucket
 *   with 3 replicas, each with its peers current.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kvStreamName, names } from '@squadflow/shared';
import { connectNatsTransport, ensureStreams, natsConnectionOf } from '@squadflow/transport';
import { cleanupPrefix, natsUrl, uniquePrefix } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBundles } from '../../scripts/build.ts';
import { passwordVariable } from '../../scripts/nats-authorization.ts';
import { loadCompose, type ComposeProject } from './compose.ts';
import { adaptNatsConfigForVersion, natsServerVersion, ServiceRunner, testDeployEnv, withoutNatsServer } from './services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FILES = [join(ROOT, 'docker-compose.yml'), join(ROOT, 'docker-compose.cluster.yml')];

describe('SQUADFLOW_REPLICAS on a single server', () => {
  it('refuses 3 replicas with INVALID_CONFIG naming the variable, and creates nothing', async () => {
    const prefix = uniquePrefix('r3single');
    const transport = await connectNatsTransport({ servers: natsUrl(), replicas: 3 });
    try {
      await expect(ensureStreams(transport, names(prefix))).rejects.toMatchObject({
        code: 'INVALID_CONFIG',
        message: expect.stringMatching(/3 replicas.*not clustered.*SQUADFLOW_REPLICAS=1/s),
        issues: [expect.objectContaining({ path: 'SQUADFLOW_REPLICAS' })],
      });
      await expect(transport.kv(`${prefix}_exec`)).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
      expect(await cleanupPrefix(prefix)).toEqual([]);
    } finally {
      await transport.close();
    }
  });
});

describe.skipIf(withoutNatsServer('cluster'))('docker-compose.cluster.yml as OS processes', () => {
  let work: string;
  let project: ComposeProject;
  let runner: ServiceRunner;
  const env = testDeployEnv();

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'squadflow-cluster-'));
    // The image's /app, as far as these services need it: the bundles and the workflows.
    const app = join(work, 'image', 'app');
    mkdirSync(app, { recursive: true });
    await buildBundles({ outdir: join(app, 'dist') });
    cpSync(join(ROOT, 'workflows'), join(app, 'workflows'), { recursive: true });
    project = loadCompose(FILES, env);
    runner = new ServiceRunner({
      project,
      projectDir: ROOT,
      image: { name: 'squadflow:local', root: join(work, 'image'), workdir: '/app', env: { NODE_ENV: 'production' } },
      workDir: join(work, 'run'),
      adaptMount: adaptNatsConfigForVersion(natsServerVersion()),
    });
    await runner.up({ only: ['orchestrator', 'gateway', 'inventory'] });
  }, 180_000);

  afterAll(async () => {
    await runner?.down();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('merges into three NATS nodes and R3 for every squadflow process, each on its own user over the three nodes', () => {
    expect(['nats', 'nats-2', 'nats-3'].map((n) => project.services[n]?.command.includes('--cluster_name'))).toEqual([true, true, true]);
    for (const service of Object.values(project.services).filter((s) => s.image === 'squadflow:local')) {
      expect(service.environment['SQUADFLOW_REPLICAS'], service.name).toBe('3');
      expect(service.environment['SQUADFLOW_NATS_URL'], service.name).toMatch(
        /^nats:\/\/[a-z_]+:p[0-9a-f]+@nats:4222,nats-2:4222,nats-3:4222$/,
      );
    }
  });

  it('creates every stream and bucket with 3 replicas, all current', async () => {
    const port = await runner.hostPort('nats-2', 4222);
    const operator = await connectNatsTransport({ servers: `nats://operator:${env[passwordVariable('operator')]}@127.0.0.1:${port}` });
    try {
      const n = names('sqf');
      const nc = natsConnectionOf(operator)!;
      const api = async (subject: string) =>
        JSON.parse(new TextDecoder().decode((await nc.request(subject, '')).data)) as Record<string, unknown>;
      const list = (await api('$JS.API.STREAM.NAMES')) as { streams: string[] };
      const expected = [
        n.streams.inbound,
        n.streams.commands,
        n.streams.lifecycle,
        ...[n.buckets.executions, n.buckets.timers, n.buckets.workflows, n.buckets.idempotency].map(kvStreamName),
        // The inventory squad's own bucket, created by the squad process.
        kvStreamName(n.squadBucket('inventory')),
      ];
      expect(list.streams).toEqual(expect.arrayContaining(expected));
      for (const stream of list.streams.filter((s) => n.ownsStream(s))) {
        const info = (await api(`$JS.API.STREAM.INFO.${stream}`)) as {
          config: { num_replicas: number };
          cluster: { replicas?: Array<{ current: boolean }> };
        };
        expect([stream, info.config.num_replicas], stream).toEqual([stream, 3]);
        expect(info.cluster.replicas?.length, stream).toBe(2); // the leader and two peers
      }
    } finally {
      await operator.close();
    }
  });
});
