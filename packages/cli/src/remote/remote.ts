/**
 * What a command needs from a running squadflow, whichever way it is reached:
 * over the HTTP API (`HttpRemote`, the default) or over NATS with an
 * `EngineClient` (`engineRemote`: `SQUADFLOW_NATS_URL`, and `run`'s one-shot
 * in-memory squadflow). Both raise `SquadflowError`s with the engine's codes,
 * so commands handle "not found" or "invalid context" the same either way.
 */
import type {
  ExecutionView,
  HumanDecision,
  HumanTask,
  HumanTaskFilter,
  RetryFromStepAccepted,
  ScheduleSpec,
  ScheduleView,
  WorkflowSummary,
  WorkflowInsights,
} from '@squadflow/engine';
import type { ExecutionStatus, LeadRecord, WorkflowDefinition } from '@squadflow/shared';

export interface TriggerRequest {
  idempotencyKey?: string;
  version?: number;
  /** `false`: create the execution `pending` without starting it (`startExecution` starts it). */
  start?: boolean;
}

export interface ExecutionFilter {
  limit?: number;
  status?: ExecutionStatus[];
  workflow?: string;
  /** Part of an execution id, or an exact idempotency or correlation key. */
  q?: string;
}

export interface LeadFilter {
  status?: string[];
  limit?: number;
  cursor?: string;
}

export interface Registered {
  name: string;
  version: number;
  created: boolean;
}

export interface Remote {
  /** Where it talks to, for messages: `http://127.0.0.1:8080`, `NATS nats://127.0.0.1:4222 (prefix sqf)`. */
  readonly where: string;
  trigger(workflow: string, context: Record<string, unknown>, options?: TriggerRequest): Promise<string>;
  /** `null` when there is no such execution. */
  getExecution(executionId: string): Promise<ExecutionView | null>;
  listExecutions(filter: ExecutionFilter): Promise<ExecutionView[]>;
  /** Starts an execution created with `start: false`; one that already started is left as it is. */
  startExecution(executionId: string): Promise<void>;
  cancel(executionId: string, reason?: string): Promise<void>;
  pause(executionId: string, reason?: string): Promise<void>;
  resume(executionId: string): Promise<void>;
  resolveEscalation(executionId: string, action: 'retry' | 'skip' | 'abort', step?: string): Promise<void>;
  /** Runs a failed or escalated execution again from a completed step (`POST /v1/executions/{id}/retry`). */
  retryFromStep(executionId: string, fromStep: string): Promise<RetryFromStepAccepted>;
  /** Resolves with the signal id. */
  signal(key: string, data: unknown, options?: { signalId?: string }): Promise<string>;
  listWorkflows(): Promise<WorkflowSummary[]>;
  getWorkflow(name: string, version?: number): Promise<WorkflowDefinition>;
  /** A workflow's insights from its newest `limit` executions. */
  insights(name: string, limit?: number): Promise<WorkflowInsights>;
  registerWorkflow(definition: WorkflowDefinition): Promise<Registered>;
  listSchedules(): Promise<ScheduleView[]>;
  /** `null` when there is no such schedule. */
  getSchedule(id: string): Promise<ScheduleView | null>;
  createSchedule(spec: ScheduleSpec): Promise<ScheduleView>;
  pauseSchedule(id: string): Promise<ScheduleView>;
  resumeSchedule(id: string): Promise<ScheduleView>;
  deleteSchedule(id: string): Promise<void>;
  /** The human steps waiting for a decision. */
  listHumanTasks(filter: HumanTaskFilter): Promise<HumanTask[]>;
  /**
   * Delivers a decision to an open human task. `by` names who decided when
   * the remote is NATS; over HTTP the gateway names the token instead.
   */
  decideHumanTask(executionId: string, step: string, decision: HumanDecision, by: string): Promise<HumanTask>;
  /**
   * Seed 004's leads, as the gateway serves them (`GET /v1/leads`): only over
   * HTTP (the lead bucket is the WhatsApp squad's, which the engine does not read).
   */
  listLeads?(filter: LeadFilter): Promise<{ leads: LeadRecord[]; nextCursor?: string }>;
  /** One lead with its history; throws a not-found error (exit 3) when there is none. */
  getLead?(phone: string): Promise<LeadRecord>;
  /** Lets go of connections (and of a one-shot squadflow). */
  close(): Promise<void>;
}
