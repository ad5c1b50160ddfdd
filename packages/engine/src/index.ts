export { Orchestrator, type OrchestratorOptions, type OrchestratorStats, type ApplyResult } from './runtime/orchestrator.ts';
export {
  EngineClient,
  type EngineClientOptions,
  type TriggerOptions,
  type ListExecutionsFilter,
  type ExecutionPage,
  type ArchiveExportFilter,
} from './client/engine-client.ts';
export { ArchiveExportFilterSchema } from './client/archive-export-filter.ts';
export type { RetentionOptions } from './retention/retention-options.ts';
export { TriggerNotConfirmedError } from './client/trigger-not-confirmed.ts';
export type { ExecutionView, StepView } from './client/execution-view.ts';
export type { ArmedTimer, ExecutionDetail, StepDetail } from './client/execution-detail.ts';
export type { RetryFromStepAccepted } from './client/retry-from-step.ts';
export type { EngineMetrics, StepDurationStats } from './client/metrics.ts';
export type { ExecutionCounts } from './client/execution-counts.ts';
export type { BreakerView } from './breakers/circuit-breakers.ts';
export type { WorkflowSummary, WorkflowVersion } from './store/registry.ts';
export {
  compileWorkflow,
  compileWorkflowAsync,
  statechartJson,
  statechartMermaid,
  type ChartState,
  type CompiledWorkflow,
} from './compile/index.ts';
export {
  slotKey,
  type CatchUpPolicy,
  type OverlapPolicy,
  type ScheduleSpec,
  type ScheduleView,
  type SlotOutcome,
} from './schedules/index.ts';
export {
  readDefinitionFile,
  readDefinitionFiles,
  loadDefinitionFiles,
  registerDefinitionFiles,
  type DefinitionFile,
  type RegisteredDefinitionFile,
} from './workflows/definition-files.ts';
export {
  computeInsights,
  criticalPath,
  type Advice,
  type DurationStats,
  type StepInsights,
  type ThroughputBucket,
  type WorkflowInsights,
} from './insights/workflow-insights.ts';
export {
  workflowGraph,
  type GraphEdge,
  type GraphEdgeKind,
  type GraphNode,
  type GraphNodeType,
  type GraphRetry,
  type WorkflowGraph,
} from './graph/workflow-graph.ts';
export { graphMermaid } from './graph/graph-mermaid.ts';
export {
  HumanDecisionSchema,
  type HumanDecision,
  type HumanDecisionOutput,
  type HumanTask,
  type HumanTaskFilter,
} from './client/human-tasks.ts';
export { AlertEvaluator, type AlertEvaluatorOptions, type AlertLook } from './alerts/alert-evaluator.ts';
export { AlertStates, type AlertState } from './alerts/alert-states.ts';
