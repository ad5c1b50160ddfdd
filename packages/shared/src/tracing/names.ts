/**
 * The names squadflow's spans and their attributes use, in one place: the
 * docs (docs/observability.md) and the tests read them from here.
 */

/** The instrumentation scope of every squadflow span. */
export const TRACER_NAME = 'squadflow';

/** Span names: low-cardinality (the workflow or squad action, never an id). */
export const SpanNames = {
  /** The gateway's span of one HTTP request: `POST /v1/workflows/:name/executions`. */
  http: (method: string, route: string) => `${method} ${route}`,
  /** One execution, from its start to its end (emitted when it ends). */
  execution: (workflow: string) => `execution ${workflow}`,
  /** One step attempt, from the command's dispatch to its reply or timeout (emitted when it ends). */
  attempt: (squad: string, action: string) => `attempt ${squad}.${action}`,
  /** One run of a squad's handler for a step command. */
  handler: (squad: string, action: string) => `handle ${squad}.${action}`,
} as const;

/** Attribute keys of squadflow's spans (beside OpenTelemetry's own `http.*`). */
export const SpanAttributes = {
  EXECUTION_ID: 'squadflow.execution.id',
  WORKFLOW: 'squadflow.workflow',
  WORKFLOW_VERSION: 'squadflow.workflow.version',
  STATUS: 'squadflow.execution.status',
  STEP: 'squadflow.step',
  ATTEMPT: 'squadflow.attempt',
  SQUAD: 'squadflow.squad',
  ACTION: 'squadflow.action',
  COMPENSATION: 'squadflow.compensation',
  COMMAND_ID: 'squadflow.command.id',
  /** How the attempt or handler run ended: `ok`, `failed`, `timeout`, `interrupted`... */
  OUTCOME: 'squadflow.outcome',
  /** The step error code (`TIMEOUT`, `INVALID_INPUT`, an action's own code...) when it failed. */
  ERROR_CODE: 'squadflow.error.code',
} as const;

/** The default `service.name` of each kind of process (`OTEL_SERVICE_NAME` overrides it). */
export const ServiceNames = {
  gateway: 'squadflow-gateway',
  orchestrator: 'squadflow-orchestrator',
  /** The embedded `squadflow start`: gateway, orchestrator and squads in one process. */
  embedded: 'squadflow',
  squad: (name: string) => `squadflow-squad-${name}`,
} as const;

/** The W3C trace context headers carried on NATS messages. */
export const TRACEPARENT = 'traceparent';
export const TRACESTATE = 'tracestate';
