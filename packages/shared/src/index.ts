/**
 * The public surface of `@squadflow/shared`: what the other packages, the
 * tests and users import. Everything else (the schemas of a definition's
 * inner parts, of most messages beside their codec, the env schema) stays internal;
 * each message's schema is reachable as its codec's `schema`.
 */

// Errors
export { SquadflowError, toFieldIssues, type ErrorCode, type FieldIssue } from './errors.ts';

// Vocabulary: statuses and step error codes
export {
  EXECUTION_STATUSES,
  ExecutionStatusSchema,
  isTerminal,
  TERMINAL_STATUSES,
  type ExecutionStatus,
  type TerminalStatus,
} from './vocabulary/execution-status.ts';
export { AttemptStatusSchema, StepStatusSchema, type AttemptStatus, type StepStatus } from './vocabulary/step-status.ts';
export { StepErrorCode } from './vocabulary/step-error-code.ts';
export { ExecutionErrorCode } from './vocabulary/execution-error-code.ts';

// Subjects, streams and buckets
export { PARTITIONS, partitionOf } from './partitions.ts';
export { decodeToken, encodeToken, kvStreamName, kvSubjectPrefix, names, validateBucketName, type Names } from './subjects.ts';

// Configuration, logging, process lifecycle
export { HealthFileSchema, loadConfig, ReplicasSchema, type Config } from './config.ts';
export { createLogger, silentLogger, type Logger } from './logger.ts';
export { exitOnSignals } from './shutdown.ts';
export { bootOrExit, EXIT_INVALID_CONFIG } from './boot.ts';
export { armFailpoint, disarmFailpoints, failpoint, FailpointError, type FailpointAction } from './failpoints.ts';

// Durations, expressions, JSON Schema
export { DurationSchema, durationMs, parseDuration, type Duration } from './duration.ts';
export {
  compileExpression,
  compileTemplate,
  evaluateCondition,
  renderTemplate,
  type CompiledExpression,
  type ExpressionScope,
} from './expressions.ts';
export { EXPRESSION_LIMITS } from './expressions/limits.ts';
export { compileJsonSchema } from './json-schema.ts';
export { exceedsJsonDepth, exceedsJsonTextDepth, jsonDepthError, MAX_JSON_DEPTH } from './json-depth.ts';

// Workflow definitions: schema, validation, builders, file formats
export {
  ExpressionSchema,
  NameSchema,
  WorkflowDefinitionSchema,
  type Dependency,
  type HumanStep,
  type InputMapping,
  type OnError,
  type RetryPolicy,
  type Step,
  type TaskStep,
  type TaskStepInput,
  type WaitStep,
  type WaitStepInput,
  type WorkflowStep,
  type WorkflowDefinition,
  type WorkflowDefinitionInput,
} from './definition/schema.ts';
// Each step kind's part of the definition schema, for the engine's step-kind modules.
export { TaskStepSchema } from './definition/steps/task.ts';
export { WaitStepSchema } from './definition/steps/wait.ts';
export { HumanStepSchema } from './definition/steps/human.ts';
export { WorkflowStepSchema } from './definition/steps/workflow.ts';
export { validateDefinition } from './definition/validate.ts';
export { checkDefinitionLimits, MAX_DEFINITION_BYTES, MAX_DEFINITION_STEPS } from './definition/limits.ts';
export { dependencyName } from './definition/dependencies.ts';
export { workflow, type HumanOptions, type TaskOptions, type WaitOptions, type WorkflowBuilder } from './definition/builder.ts';
export { FlowBuilder, type BranchStep, type ErrorStrategy, type FlowStep, type HumanTaskOptions } from './definition/flow-builder.ts';
export { formatOf, parseDefinition, serializeDefinition, type DefinitionFormat } from './definition/formats.ts';

// Wire messages: one codec each
export { codec, type Codec } from './messages/codec.ts';
export { EpochMsSchema, ExecutionIdSchema, JsonObjectSchema, type JsonObject } from './messages/common.ts';
export { triggerCodec, TriggerMessageSchema, type TriggerMessage } from './messages/trigger.ts';
export { executionIdFor } from './messages/execution-id.ts';
export { stepCommandCodec, type StepCommand } from './messages/step-command.ts';
export { stepReplyCodec, StepErrorSchema, StepReplySchema, type StepError, type StepReply } from './messages/step-reply.ts';
export { signalCodec, type SignalMessage } from './messages/signal.ts';
export { controlCodec, type ControlMessage } from './messages/control.ts';
export { timerCodec, TimerKindSchema, type TimerFired, type TimerKind } from './messages/timer.ts';
export {
  lifecycleCodec,
  LifecycleEventSchema,
  STEP_PROGRESS_EVENTS,
  type LifecycleEvent,
  type LifecycleType,
} from './messages/lifecycle.ts';
export {
  escalatedDataOf,
  ExecutionEscalatedDataSchema,
  ExecutionRewoundDataSchema,
  StepEscalatedDataSchema,
  type ExecutionEscalatedData,
  type ExecutionRewoundData,
  type StepEscalatedData,
} from './messages/escalation.ts';
export {
  alertCodec,
  AlertEventSchema,
  AlertKindSchema,
  type AlertEvent,
  type AlertEventType,
  type AlertKind,
  type AlertSeverity,
} from './messages/alert.ts';
// Alert rules and notification routes (SQUADFLOW_ALERTS, docs/alerts.md)
export {
  AlertRuleSchema,
  type AlertRule,
  type BreakerOpenRule,
  type EscalationUnansweredRule,
  type FailureRateRule,
  type StuckRule,
} from './alerts/alert-rules.ts';
export { NOTIFY_LEDGER_TTL_MS, NotifyConfigSchema, RecipientSchema, type NotifyConfig, type Recipient } from './alerts/notify-config.ts';
export {
  AlertsFileSchema,
  loadAlertsConfig,
  NO_ALERTS,
  parseAlertsConfig,
  type AlertsConfig,
  type AlertsFile,
} from './alerts/alerts-config.ts';
export { inboundCodec, type InboundMessage } from './messages/inbound.ts';

// Seed 004's lead records (written by the WhatsApp squad, read by the gateway)
export {
  LEAD_STATUSES,
  LeadHistoryEntrySchema,
  leadKey,
  LeadRecordSchema,
  LeadStatusSchema,
  MAX_LEAD_HISTORY,
  type LeadHistoryEntry,
  type LeadRecord,
  type LeadStatus,
} from './leads/lead-record.ts';
export { heartbeatCodec, type HeartbeatMessage } from './messages/heartbeat.ts';

// Tracing (OpenTelemetry): span names, W3C trace context over message headers, spans emitted after the fact, the SDK start
export { ServiceNames, SpanAttributes, SpanNames, TRACEPARENT, TRACER_NAME, TRACESTATE } from './tracing/names.ts';
export {
  contextFromHeaders,
  deterministicSpanId,
  deterministicTraceId,
  formatTraceparent,
  parseTraceparent,
  traceHeaders,
  tracingEnabled,
} from './tracing/trace-context.ts';
export { emitFinishedSpan, type FinishedSpan } from './tracing/finished-span.ts';
export { PinnableIdGenerator, withPinnedIds } from './tracing/pinned-ids.ts';
export { startTracing, type Tracing } from './tracing/start-tracing.ts';
