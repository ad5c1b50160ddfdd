import type { ExecutionView, ScheduleView, StepView, WorkflowSummary } from '@squadflow/engine';

/** `850ms`, `12.3s`, `4m05s`. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(1)}s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes}m${String(Math.round((ms % 60_000) / 1_000)).padStart(2, '0')}s`;
}

function time(epochMs: number | undefined): string {
  return epochMs === undefined ? '-' : new Date(epochMs).toISOString();
}

/** Left-aligned columns, two spaces apart; the header is the first row. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((r) => (r[col] ?? '').length)));
  return rows.map((r) => r.map((cell, col) => (col === r.length - 1 ? cell : cell.padEnd(widths[col]!))).join('  ')).join('\n');
}

function stepNote(step: StepView): string {
  if (step.error) return `${step.error.code ? `${step.error.code}: ` : ''}${step.error.message}`;
  if (step.reason) return step.reason;
  if (step.outcome) return `outcome: ${step.outcome}`;
  return '';
}

function stepDuration(step: StepView): string {
  return step.startedAt !== undefined && step.endedAt !== undefined ? formatDuration(step.endedAt - step.startedAt) : '-';
}

/** The per-step history of an execution, one row per step. */
export function stepsTable(view: ExecutionView): string {
  if (!view.steps.length) return '(no steps started)';
  return table([
    ['STEP', 'STATUS', 'ATTEMPTS', 'DURATION', 'NOTE'],
    ...view.steps.map((s) => [s.name, s.status, String(s.attempts.length), stepDuration(s), stepNote(s)]),
  ]);
}

/** Status and per-step history, as `squadflow status` prints them. */
export function describeExecution(view: ExecutionView): string {
  const lines = [
    `execution  ${view.executionId}`,
    `workflow   ${view.workflow}${view.version ? ` v${view.version}` : ''}`,
    `status     ${view.status}`,
    `created    ${time(view.createdAt)}`,
  ];
  if (view.endedAt !== undefined) lines.push(`ended      ${time(view.endedAt)} (${formatDuration(view.endedAt - view.createdAt)})`);
  if (view.idempotencyKey) lines.push(`key        ${view.idempotencyKey}`);
  if (view.error) lines.push(`error      ${view.error.code}: ${view.error.message}`);
  if (view.cancelReason) lines.push(`reason     ${view.cancelReason}`);
  return `${lines.join('\n')}\n\n${stepsTable(view)}`;
}

/** One line per execution, newest first, as `squadflow ls` prints them. */
export function executionsTable(views: readonly ExecutionView[]): string {
  if (!views.length) return '(no executions)';
  return table([
    ['EXECUTION', 'WORKFLOW', 'STATUS', 'CREATED', 'DURATION'],
    ...views.map((v) => [
      v.executionId,
      v.workflow,
      v.status,
      time(v.createdAt),
      v.endedAt === undefined ? '-' : formatDuration(v.endedAt - v.createdAt),
    ]),
  ]);
}

export function workflowsTable(workflows: readonly WorkflowSummary[]): string {
  if (!workflows.length) return '(no workflows registered)';
  return table([
    ['WORKFLOW', 'VERSION', 'STEPS', 'DESCRIPTION'],
    ...workflows.map((w) => [w.name, `v${w.version}`, String(w.steps), w.description ?? '']),
  ]);
}

/** When a schedule fires, as its spec says: `cron 0 9 * * * (America/Sao_Paulo)`, `every 1h`, `at 2026-03-01T12:00:00.000Z`. */
export function scheduleTiming(s: ScheduleView): string {
  if (s.cron !== undefined) return `cron ${s.cron}${s.timezone === 'UTC' ? '' : ` (${s.timezone})`}`;
  if (s.every !== undefined) return `every ${String(s.every)}`;
  return `at ${time(s.at)}`;
}

export function schedulesTable(schedules: readonly ScheduleView[]): string {
  if (!schedules.length) return '(no schedules)';
  return table([
    ['SCHEDULE', 'WORKFLOW', 'WHEN', 'STATE', 'NEXT', 'LAST'],
    ...schedules.map((s) => [
      s.id,
      s.workflow,
      scheduleTiming(s),
      s.state,
      time(s.nextAt),
      s.lastOutcome ? `${s.lastOutcome.result}${s.lastOutcome.executionId ? ` ${s.lastOutcome.executionId}` : ''}` : '-',
    ]),
  ]);
}

/** One schedule, as `squadflow schedules get` prints it. */
export function describeSchedule(s: ScheduleView): string {
  const lines = [
    `schedule   ${s.id}`,
    `workflow   ${s.workflow}${s.version ? ` v${s.version}` : ''}`,
    `when       ${scheduleTiming(s)}`,
    `state      ${s.state}`,
    `next       ${time(s.nextAt)}`,
    `overlap    ${s.overlap}, catch-up ${s.catchUp}`,
    `context    ${JSON.stringify(s.context)}`,
  ];
  if (s.lastOutcome)
    lines.push(
      `last       ${time(s.lastOutcome.slot)} ${s.lastOutcome.result}${s.lastOutcome.executionId ? ` ${s.lastOutcome.executionId}` : ''}`,
    );
  return lines.join('\n');
}
