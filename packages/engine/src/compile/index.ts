export { compileWorkflow, compileWorkflowAsync, assertContext, type CompiledWorkflow } from './compiled-workflow.ts';
export { deriveStatus } from './status.ts';
export type { Effect, ExecutionContext, MachineEvent, StepRecord, AttemptRecord, LifecycleKind, Watcher, RewindRecord } from './types.ts';
export { escalationKey } from './ids.ts';
export { statechartJson, statechartMermaid, type ChartState } from './statechart-export.ts';
