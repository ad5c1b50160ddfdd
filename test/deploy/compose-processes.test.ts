/**
 * The compose deployment, proven without a Docker engine (issue 12, item 5).
 *
 * 1. The image: the Dockerfile's stages are executed on this machine
 *    (dockerfile.ts: FROM/AS, WORKDIR, ENV, COPY with .dockerignore and
 *    --from, RUN with bash), so the build stage really runs
 *    `pnpm install --frozen-lockfile` and `pnpm build` on what the file
 *    copies, and the final stage is a directory holding what the image holds.
 * 2. The deployment: docker-compose.yml is read with a fresh set of secrets
 *    (scripts/deploy-env.ts) and every service's command runs with its
 *    environment from that directory as an OS process (services.ts): NATS
 *    with the shipped config file, users and permissions; two orchestrator
 *    replicas that register the image's workflows/ at boot; the gateway with
 *    its API token; one process per squad, each on its own NATS user; health
 *    checks and restart policies as the file says.
 * 3. The drive (drive.ts): through the gateway with the token, executions of
 *    a seed workflow, one orchestrator replica SIGKILLed on the way, each
 *    execution completed exactly once. Then a squad's user is refused a
 *    trigger and another squad's commands, and the agency squad, on its own
 *    user, chains the five handoffs from one offer.
 *
 * The one change to the built image: abandoned_cart_recovery's delays (5 min
 * and 1 h in the seed) are shortened in the image's copy of its YAML.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { names } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { passwordVariable, squadUser } from '../../scripts/nats-authorization.ts';
import { connectProbe, expectViolation, publishes, requests, subscribes } from '../reliability/permission-probe.ts';
import { loadCompose, type ComposeProject } from './compose.ts';
import { buildStages, parseDockerfile, type BuiltStage } from './dockerfile.ts';
import { driveAbandonedCarts, seedWorkflowNames, SHORT_DELAYS_MS, shortenDelays } from './drive.ts';
import { adaptNatsConfigForVersion, natsServerVersion, ServiceRunner, testDeployEnv, withoutNatsServer } from './services.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const IMAGE = 'squadflow:local';
const PREFIX = 'sqf';

describe.skipIf(withoutNatsServer('compose-processes'))(
  'docker-compose.yml as OS processes, from the image built as the Dockerfile says',
  () => {
    let work: string;
    let image: BuiltStage;
    let project: ComposeProject;
    let runner: ServiceRunner;
    const env = testDeployEnv();
    const buildLog: string[] = [];
    let timings = '';

    beforeAll(async () => {
      work = mkdtempSync(join(tmpdir(), 'squadflow-deploy-'));
      const t0 = Date.now();
      const stages = await buildStages(parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')), {
        contextDir: ROOT,
        outDir: join(work, 'image'),
        // The host's package store stands in for the registry (the lockfile pins the same versions).
        runEnv: { npm_config_prefer_offline: 'true' },
        log: (line) => void buildLog.push(line),
      });
      image = stages.at(-1)!;
      const t1 = Date.now();
      shortenDelays(join(image.root, image.workdir, 'workflows', 'abandoned_cart_recovery.yaml'));

      project = loadCompose([join(ROOT, 'docker-compose.yml')], env);
      runner = new ServiceRunner({
        project,
        projectDir: ROOT,
        image: { name: IMAGE, root: image.root, workdir: image.workdir, env: image.env },
        workDir: join(work, 'run'),
        adaptMount: adaptNatsConfigForVersion(natsServerVersion()),
      });
      await runner.up();
      timings = `image built in ${t1 - t0} ms, services healthy ${Date.now() - t1} ms later`;
      console.log(`compose-processes: ${timings}`);
    }, 240_000);

    afterAll(async () => {
      await runner?.down();
      if (work) rmSync(work, { recursive: true, force: true });
    });

    it('the image holds the bundles, their data and the workflows, and nothing else: no node_modules, no TypeScript loader', () => {
      const app = join(image.root, image.workdir);
      expect(readdirSync(app).sort()).toEqual(['dist', 'workflows']);
      expect(
        readdirSync(join(app, 'dist'))
          .filter((f) => f.endsWith('.mjs'))
          .sort(),
      ).toEqual(['gateway.mjs', 'healthcheck.mjs', 'orchestrator.mjs', 'squadflow.mjs']);
      // The seed squads' data, and the WhatsApp LLM answerer's default system prompt (docs/llm.md).
      expect(readdirSync(join(app, 'dist', 'data')).sort()).toEqual([
        'ads_campaigns.json',
        'inventory.json',
        'suppliers.json',
        'whatsapp_llm_system_prompt.md',
      ]);
      // The operator UI, built by the build stage's `pnpm build` (packages/gateway/ui).
      expect(readdirSync(join(app, 'dist', 'ui')).sort()).toEqual(['assets', 'index.html']);
      expect(image.user).toBe('node');
      expect(image.cmd).toEqual(['node', '--max-semi-space-size=8', 'dist/orchestrator.mjs']);
      // Every squadflow service starts from built JavaScript on plain Node.
      for (const service of Object.values(project.services).filter((s) => s.image === IMAGE)) {
        expect(service.command[0], service.name).toBe('node');
        expect(service.command.join(' '), service.name).not.toMatch(/tsx|\.ts\b/);
        expect(
          service.command.find((a) => a.endsWith('.mjs')),
          service.name,
        ).toMatch(/^dist\/(orchestrator|gateway|squadflow)\.mjs$/);
      }
      expect(Object.keys(project.services).sort()).toEqual(
        ['agency', 'gateway', 'google_ads', 'inventory', 'lead_scraper', 'nats', 'notifier', 'orchestrator', 'traffic', 'whatsapp'].sort(),
      );
      expect(runner.instancesOf('orchestrator')).toHaveLength(2);
    });

    it('runs a seed workflow through the gateway to completion, exactly once per execution, across a SIGKILL of one orchestrator replica', async () => {
      const gatewayUrl = `http://127.0.0.1:${await runner.hostPort('gateway', 8080)}`;
      const natsPort = await runner.hostPort('nats', 4222);
      const victim = runner.instancesOf('orchestrator')[0]!;
      const { executionIds } = await driveAbandonedCarts({
        gatewayUrl,
        token: env.SQUADFLOW_API_TOKENS!.split(':')[1]!,
        operatorNatsUrl: `nats://operator:${env[passwordVariable('operator')]}@127.0.0.1:${natsPort}`,
        prefix: PREFIX,
        seedWorkflows: seedWorkflowNames(join(image.root, image.workdir, 'workflows')),
        delaysMs: SHORT_DELAYS_MS,
        killOrchestratorReplica: async () => {
          const restarted = victim.restarted();
          victim.kill('SIGKILL');
          expect(await victim.exited()).toBeNull(); // killed by the signal
          await restarted; // restart: unless-stopped
          await runner.waitHealthy('orchestrator');
        },
      });
      expect(victim.restarts).toBe(1);
      expect(executionIds).toHaveLength(6);
    }, 120_000);

    it('the bundled gateway serves the operator UI from the image at /ui/ (a page, its script, an app path)', async () => {
      const gatewayUrl = `http://127.0.0.1:${await runner.hostPort('gateway', 8080)}`;
      const page = await fetch(`${gatewayUrl}/ui/`);
      expect([page.status, page.headers.get('content-type')]).toEqual([200, 'text/html; charset=utf-8']);
      const html = await page.text();
      const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(script, html).toBeDefined();
      const js = await fetch(gatewayUrl + script!);
      expect([js.status, js.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
      expect(await (await fetch(`${gatewayUrl}/ui/executions/ex_1`)).text()).toBe(html);
    });

    it("refuses a squad's NATS user a trigger and another squad's commands", async () => {
      const natsPort = await runner.hostPort('nats', 4222);
      const user = squadUser('inventory');
      const probe = await connectProbe(`nats://${user}:${env[passwordVariable(user)]}@127.0.0.1:${natsPort}`, 'probe-inventory');
      const n = names(PREFIX);
      try {
        const denied: Array<[string, typeof publishes]> = [
          [n.trigger('abandoned_cart_recovery'), publishes],
          [`${PREFIX}.cmd.whatsapp.>`, subscribes],
          [`$JS.API.CONSUMER.MSG.NEXT.${n.streams.commands}.${n.consumers.squad('whatsapp')}`, requests],
          [`$JS.API.CONSUMER.CREATE.${n.streams.commands}.snoop.${PREFIX}.cmd.whatsapp.>`, requests],
        ];
        for (const [subject, how] of denied) await expectViolation(probe, subject, how(probe, subject));
      } finally {
        await probe.transport.close();
      }
      // The refused trigger started nothing: the executions are the drive's six.
      const gatewayUrl = `http://127.0.0.1:${await runner.hostPort('gateway', 8080)}`;
      const token = env.SQUADFLOW_API_TOKENS!.split(':')[1]!;
      const list = (await (await fetch(`${gatewayUrl}/v1/executions`, { headers: { authorization: `Bearer ${token}` } })).json()) as {
        executions: unknown[];
      };
      expect(list.executions).toHaveLength(6);
    });

    it("chains the agency handoffs on the agency's own NATS user: one offer through the gateway hands on to feedback → offer", async () => {
      const gatewayUrl = `http://127.0.0.1:${await runner.hostPort('gateway', 8080)}`;
      const headers = { authorization: `Bearer ${env.SQUADFLOW_API_TOKENS!.split(':')[1]!}`, 'content-type': 'application/json' };
      interface View {
        executionId: string;
        workflow: string;
        status: string;
        output?: { next_handoff?: { status: string; execution_id?: string; reason?: string } };
      }
      const read = async (id: string) => (await fetch(`${gatewayUrl}/v1/executions/${id}`, { headers })).json() as Promise<View>;
      const offer = readFileSync(join(ROOT, 'examples', 'handoffs', 'offer_to_marketing.json'), 'utf8');
      const started = await fetch(`${gatewayUrl}/v1/workflows/offer_to_marketing/executions`, { method: 'POST', headers, body: offer });
      expect(started.status, await started.clone().text()).toBeLessThan(300);
      const first = ((await started.json()) as View).executionId;
      let view = await until(
        'offer_to_marketing completed',
        () => read(first),
        (v) => v.status === 'completed',
      );
      const chain = [view];
      while (view.output?.next_handoff?.status === 'started') {
        const id = view.output.next_handoff.execution_id!;
        view = await until(
          `${id} completed`,
          () => read(id),
          (v) => v.status === 'completed',
        );
        chain.push(view);
      }
      expect(chain.map((v) => v.workflow)).toEqual([
        'offer_to_marketing',
        'marketing_to_sales',
        'sales_to_fulfillment',
        'fulfillment_to_feedback',
        'feedback_to_offer',
      ]);
      expect(view.output?.next_handoff).toMatchObject({ status: 'not_started', reason: 'nothing_to_hand_on' });
    }, 60_000);
  },
);
