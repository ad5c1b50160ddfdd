/**
 * `@squadflow/transport/testing`: the test kit every package's tests share.
 *
 * - `global-setup.ts` (a vitest `globalSetup`) finds or starts NATS once per run;
 * - `natsUrl`, `uniquePrefix`, `cleanupPrefix`, `withNatsTransport`: a real
 *   NATS server with a fresh prefix per test, deleted afterwards;
 * - `spawnTsProcess`, `readInvocations`: services as real OS processes;
 * - `startNatsServer`: a test-owned nats-server to kill, freeze or restart;
 * - `startTcpProxy`: a link to NATS that a partition test can cut and heal;
 * - `within`, `quietPeriod`, `flushImmediates`, `Collector`: async helpers;
 * - `portsContract`: the contract suite both adapters pass.
 */
export {
  natsUrl,
  uniquePrefix,
  cleanupPrefix,
  withNatsTransport,
  consumerCounts,
  consumerNames,
  kvBounds,
  type ConsumerCounts,
  type NatsTestTransport,
} from './nats.ts';
export { spawnTsProcess, readInvocations, type ChildHandle, type Invocation } from './processes.ts';
export { freePort } from './free-port.ts';
export { startNatsServer, findOnPath, type NatsServerProcess, type NatsServerOptions } from './nats-server.ts';
export { startTcpProxy, type TcpProxy } from './tcp-proxy.ts';
export { within, quietPeriod, flushImmediates, until, gate, Collector } from './async.ts';
export { portsContract, type ContractTarget } from './contract/ports.contract.ts';
