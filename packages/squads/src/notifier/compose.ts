import { escalatedDataOf, type AlertEvent, type LifecycleEvent, type NotifyConfig } from '@squadflow/shared';
import type { Notification } from './port.ts';

/** A notification and the recipient names it goes to. */
export interface Addressed {
  notification: Notification;
  to: string[];
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const dataOf = (event: LifecycleEvent): Record<string, unknown> =>
  event.data && typeof event.data === 'object' ? (event.data as Record<string, unknown>) : {};

/**
 * Who is told what about a lifecycle event (pure): a human task's assignee
 * when it starts (`step.waiting` of kind human), the new assignee of an
 * escalated task (`step.escalated`), the step's escalation target and the
 * workflow's escalation route for an execution parked as escalated. Other
 * events tell nobody.
 */
export function composeLifecycle(event: LifecycleEvent, config: NotifyConfig): Addressed | undefined {
  const data = dataOf(event);
  const where = `workflow ${event.workflow}, execution ${event.executionId}, step ${event.step ?? '-'}`;
  const task = str(data['title']) ?? event.step ?? 'a task';
  const key = str(data['key']);
  const answer = key ? `\nDecide by sending the signal "${key}" (or in the squadflow UI's human tasks).` : '';
  switch (event.type) {
    case 'step.waiting': {
      const assignee = str(data['assignee']);
      if (data['kind'] !== 'human' || !assignee) return undefined;
      const due = typeof data['dueAt'] === 'number' ? `\nDue ${new Date(data['dueAt']).toISOString()}.` : '';
      return {
        to: [assignee],
        notification: {
          kind: 'human_task.assigned',
          subject: `Task for you: ${task}`,
          text: `You are asked to decide: ${task}\n(${where})${due}${answer}`,
          event,
        },
      };
    }
    case 'step.escalated': {
      const to = str(data['to']);
      if (!to) return undefined;
      return {
        to: [to],
        notification: {
          kind: 'human_task.escalated',
          subject: `Escalated to you: ${task}`,
          text: `Nobody decided "${task}" in time (escalation level ${String(data['level'] ?? '?')}); it is now yours.\n(${where})${answer}`,
          event,
        },
      };
    }
    case 'execution.escalated': {
      // The step's escalation target first (who the definition names), then the workflow's escalation route.
      const escalated = escalatedDataOf(event.data);
      const route = config.escalations.workflows[event.workflow] ?? config.escalations.default;
      const to = [...(escalated.target === undefined ? [] : [escalated.target]), ...route];
      if (!to.length) return undefined;
      // The step's error, or for a failed compensation `{ compensation: true, error }`.
      const cause = escalated.error ?? escalated;
      const error = cause.message ?? cause.code ?? 'a step failed';
      const what = escalated.compensation === true ? 'its compensation failed' : error;
      const target = escalated.target === undefined ? '' : ` It is escalated to ${escalated.target}.`;
      return {
        to,
        notification: {
          kind: 'execution.escalated',
          subject: `Escalation: ${event.workflow} needs a decision`,
          text: `Execution ${event.executionId} of ${event.workflow} stopped at step ${event.step ?? '-'}: ${what}${what === error ? '' : ` (${error})`}.${target}\nResolve it with retry, skip or abort (squadflow resolve ${event.executionId} <retry|skip|abort>), or retry from an earlier step (squadflow retry ${event.executionId} --from <step>).`,
          event,
        },
      };
    }
    default:
      return undefined;
  }
}

/** An alert goes to the alert route (`notify.alerts`), and to the recipients it names (the targets of unanswered escalations). */
export function composeAlert(event: AlertEvent, config: NotifyConfig): Addressed | undefined {
  const to = [...config.alerts, ...(event.recipients ?? [])];
  if (!to.length) return undefined;
  const firing = event.type === 'alert.firing';
  const executions = event.executions?.length ? `\nExecutions: ${event.executions.join(', ')}` : '';
  return {
    to,
    notification: {
      kind: event.type,
      subject: `[${firing ? 'FIRING' : 'RESOLVED'}] ${event.severity}: ${event.summary}`,
      text: `${firing ? 'Alert firing' : 'Alert resolved'}: ${event.alert} (rule ${event.rule}, ${event.kind})\n${event.summary}${executions}\nSince ${new Date(event.since).toISOString()}.`,
      event,
    },
  };
}
