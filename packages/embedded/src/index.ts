/**
 * `@squadflow/embedded`: the one place that wires the orchestrator and
 * squads (and, through the CLI, the gateway) into one process.
 *
 * - `startEmbedded`: the `squadflow start` runtime (seed catalog, memory or NATS);
 * - `TestEnvironment`: the same wiring on the in-memory adapters with a
 *   clock that moves only when told to (time-skipping tests);
 * - `wireInProcess`: the wiring itself, for your own squads and workflows.
 */
export { startEmbedded, type Embedded, type EmbeddedOptions } from './runtime.ts';
export { TestEnvironment, type TestEnvironmentOptions } from './test-environment.ts';
export { startAlerting, type Alerting, type AlertingOptions } from './alerting.ts';
export { wireInProcess, type Wired, type WiringOptions } from './wiring.ts';
export { agencySquadFor, loadCatalog, type Catalog, type LoadCatalogOptions } from './catalog.ts';
