/**
 * Matrix B: the NATS server dies or restarts mid-load. The server is owned by
 * the test (its own port and store directory) so the rest of the suite is not
 * touched; every process of the deployment reconnects to it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { quietPeriod, startNatsServer, type NatsServerProcess } from '@squadflow/transport/testing';
import { deploy, type Deployment } from '../process/support.ts';
import { faultRun, LONG, WORKLOAD_SQUADS } from './fault-run.ts';

const SEED = Number(process.env['RELIABILITY_SEED'] ?? 21);

let d: Deployment | undefined;
let server: NatsServerProcess | undefined;
afterEach(async () => {
  await d?.close();
  await server?.remove();
  d = undefined;
  server = undefined;
});

describe('broker faults', () => {
  const executions = LONG ? 1_000 : 200;

  for (const [id, signal] of [
    ['B1', 'SIGKILL'],
    ['B2', 'SIGTERM'],
  ] as const) {
    it(
      `${id}: ${executions} executions survive a ${signal} of the NATS server mid-load and its restart 2 s later`,
      { timeout: 300_000 },
      async () => {
        server = await startNatsServer();
        const nats = server;
        d = await deploy(id.toLowerCase(), WORKLOAD_SQUADS, {
          natsUrl: nats.url,
          squadEnv: { SQUAD_CONCURRENCY: '64' },
        });
        await faultRun({
          label: `${id} NATS ${signal}`,
          deployment: d,
          executions,
          paceMs: 40,
          seed: SEED,
          // Core subscriptions miss what the server accepted just before it died.
          commandsObserved: false,
          settleMs: 120_000,
          faults: async (random) => {
            await quietPeriod(2_000 + random() * 3_000); // mid-load: triggers are still arriving
            nats.signal(signal);
            const exit = await nats.exited();
            if (signal === 'SIGKILL') expect(exit).toBe('SIGKILL');
            await quietPeriod(2_000); // the outage the scenario asks for
            await nats.restart();
          },
        });
      },
    );
  }
});
