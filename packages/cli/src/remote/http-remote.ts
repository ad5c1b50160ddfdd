import type {
  ExecutionView,
  HumanDecision,
  HumanTask,
  HumanTaskFilter,
  RetryFromStepAccepted,
  ScheduleSpec,
  ScheduleView,
  WorkflowInsights,
  WorkflowSummary,
} from '@squadflow/engine';
import { SquadflowError, type LeadRecord, type WorkflowDefinition } from '@squadflow/shared';
import { httpError, unreachable } from './http-errors.ts';
import type { ExecutionFilter, LeadFilter, Registered, Remote, TriggerRequest } from './remote.ts';

/** How long one request may take before the server counts as not answering. */
const REQUEST_TIMEOUT_MS = 30_000;

const path = (...parts: string[]): string => parts.map(encodeURIComponent).join('/');

/** A `Remote` over the gateway's HTTP API (`/v1/...`; packages/gateway/README.md). */
export class HttpRemote implements Remote {
  constructor(
    private readonly base: string,
    private readonly token?: string,
  ) {}

  get where(): string {
    return this.base;
  }

  async trigger(workflow: string, context: Record<string, unknown>, options: TriggerRequest = {}): Promise<string> {
    const params = new URLSearchParams();
    if (options.version !== undefined) params.set('version', String(options.version));
    if (options.start === false) params.set('start', 'false');
    const query = params.size ? `?${params}` : '';
    const headers: Record<string, string> = options.idempotencyKey === undefined ? {} : { 'idempotency-key': options.idempotencyKey };
    const accepted = await this.send<{ executionId: string }>(
      'POST',
      `/v1/workflows/${path(workflow)}/executions${query}`,
      context,
      headers,
    );
    return accepted.executionId;
  }

  getExecution(executionId: string): Promise<ExecutionView | null> {
    return orNull(this.send<ExecutionView>('GET', `/v1/executions/${path(executionId)}`), 'EXECUTION_NOT_FOUND');
  }

  async listExecutions(filter: ExecutionFilter): Promise<ExecutionView[]> {
    const query = new URLSearchParams();
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    if (filter.workflow !== undefined) query.set('workflow', filter.workflow);
    if (filter.status?.length) query.set('status', filter.status.join(','));
    if (filter.q !== undefined) query.set('q', filter.q);
    return (await this.send<{ executions: ExecutionView[] }>('GET', `/v1/executions?${query}`)).executions;
  }

  async startExecution(executionId: string): Promise<void> {
    await this.send('POST', `/v1/executions/${path(executionId)}/start`);
  }

  async cancel(executionId: string, reason?: string): Promise<void> {
    await this.send('POST', `/v1/executions/${path(executionId)}/cancel`, reason === undefined ? {} : { reason });
  }

  async pause(executionId: string, reason?: string): Promise<void> {
    await this.send('POST', `/v1/executions/${path(executionId)}/pause`, reason === undefined ? {} : { reason });
  }

  async resume(executionId: string): Promise<void> {
    await this.send('POST', `/v1/executions/${path(executionId)}/resume`);
  }

  async resolveEscalation(executionId: string, action: 'retry' | 'skip' | 'abort', step?: string): Promise<void> {
    await this.send('POST', `/v1/executions/${path(executionId)}/escalation`, { action, ...(step === undefined ? {} : { step }) });
  }

  async retryFromStep(executionId: string, fromStep: string): Promise<RetryFromStepAccepted> {
    const accepted = await this.send<RetryFromStepAccepted>('POST', `/v1/executions/${path(executionId)}/retry`, { fromStep });
    return { executionId, fromStep: accepted.fromStep, steps: accepted.steps, controlId: accepted.controlId };
  }

  async signal(key: string, data: unknown, options: { signalId?: string } = {}): Promise<string> {
    const headers: Record<string, string> = options.signalId === undefined ? {} : { 'idempotency-key': options.signalId };
    // No data is JSON null: the gateway's body is the signal's data, and a POST without a body has none.
    return (await this.send<{ signalId: string }>('POST', `/v1/signals/${path(key)}`, data ?? null, headers)).signalId;
  }

  async listWorkflows(): Promise<WorkflowSummary[]> {
    return (await this.send<{ workflows: WorkflowSummary[] }>('GET', '/v1/workflows')).workflows;
  }

  insights(name: string, limit?: number): Promise<WorkflowInsights> {
    return this.send('GET', `/v1/workflows/${path(name)}/insights${limit === undefined ? '' : `?limit=${limit}`}`);
  }

  getWorkflow(name: string, version?: number): Promise<WorkflowDefinition> {
    return this.send('GET', `/v1/workflows/${path(name)}${version === undefined ? '' : `?version=${version}`}`);
  }

  registerWorkflow(definition: WorkflowDefinition): Promise<Registered> {
    return this.send('PUT', `/v1/workflows/${path(definition.name)}`, definition);
  }

  async listSchedules(): Promise<ScheduleView[]> {
    return (await this.send<{ schedules: ScheduleView[] }>('GET', '/v1/schedules')).schedules;
  }

  getSchedule(id: string): Promise<ScheduleView | null> {
    return orNull(this.send<ScheduleView>('GET', `/v1/schedules/${path(id)}`), 'SCHEDULE_NOT_FOUND');
  }

  createSchedule(spec: ScheduleSpec): Promise<ScheduleView> {
    return this.send('POST', '/v1/schedules', spec);
  }

  pauseSchedule(id: string): Promise<ScheduleView> {
    return this.send('POST', `/v1/schedules/${path(id)}/pause`);
  }

  resumeSchedule(id: string): Promise<ScheduleView> {
    return this.send('POST', `/v1/schedules/${path(id)}/resume`);
  }

  async deleteSchedule(id: string): Promise<void> {
    await this.send('DELETE', `/v1/schedules/${path(id)}`);
  }

  async listHumanTasks(filter: HumanTaskFilter): Promise<HumanTask[]> {
    const query = new URLSearchParams();
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    if (filter.assignee !== undefined) query.set('assignee', filter.assignee);
    if (filter.workflow !== undefined) query.set('workflow', filter.workflow);
    return (await this.send<{ tasks: HumanTask[] }>('GET', `/v1/human-tasks?${query}`)).tasks;
  }

  async decideHumanTask(executionId: string, step: string, decision: HumanDecision): Promise<HumanTask> {
    return (await this.send<{ task: HumanTask }>('POST', `/v1/human-tasks/${path(executionId, step)}`, decision)).task;
  }

  listLeads(filter: LeadFilter): Promise<{ leads: LeadRecord[]; nextCursor?: string }> {
    const query = new URLSearchParams();
    if (filter.status?.length) query.set('status', filter.status.join(','));
    if (filter.limit !== undefined) query.set('limit', String(filter.limit));
    if (filter.cursor !== undefined) query.set('cursor', filter.cursor);
    return this.send('GET', `/v1/leads?${query}`);
  }

  getLead(phone: string): Promise<LeadRecord> {
    return this.send('GET', `/v1/leads/${path(phone)}`);
  }

  async close(): Promise<void> {
    // fetch keeps no connection this process must close.
  }

  /** One request; a JSON answer of 2xx resolves, anything else throws the matching error. */
  private async send<T = unknown>(method: string, route: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + route, {
        method,
        headers: {
          accept: 'application/json',
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
          ...headers,
        },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
    } catch (err) {
      throw unreachable(this.base, err);
    }
    const text = await res.text().catch(() => '');
    let parsed: unknown = undefined;
    if (text && (res.headers.get('content-type') ?? '').includes('json')) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = undefined;
      }
    }
    if (res.status >= 400) throw httpError(this.base, res.status, parsed, res.headers.get('retry-after'));
    return parsed as T;
  }
}

/** `null` for the given not-found code; any other error goes on. */
async function orNull<T>(request: Promise<T>, code: SquadflowError['code']): Promise<T | null> {
  try {
    return await request;
  } catch (err) {
    if (err instanceof SquadflowError && err.code === code) return null;
    throw err;
  }
}
