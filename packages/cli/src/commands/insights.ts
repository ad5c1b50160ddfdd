import type { WorkflowInsights } from '@squadflow/engine';
import { intOption, type Command } from '../command.ts';
import { ExitCode } from '../exit-codes.ts';
import { formatDuration } from '../format.ts';
import { explainUnknownWorkflow } from '../input.ts';
import { withRemote } from '../remote/index.ts';

const percent = (x: number | null): string => (x === null ? '-' : `${Math.round(x * 100)}%`);

/** The text report: outcomes, durations, the critical path, per-step figures, then the advice. */
export function describeInsights(i: WorkflowInsights): string {
  const lines = [`${i.workflow}: ${i.sampled} newest executions, ${i.ended} ended`];
  if (i.durations) {
    const d = i.durations;
    lines.push(`  duration     p50 ${formatDuration(d.p50Ms)}  p95 ${formatDuration(d.p95Ms)}  p99 ${formatDuration(d.p99Ms)}`);
  }
  lines.push(
    `  success      ${percent(i.successRate)}${i.errors.length ? `  errors: ${i.errors.map((e) => `${e.code} ${e.count}`).join(', ')}` : ''}`,
  );
  if (i.criticalPath.length) lines.push(`  critical     ${i.criticalPath.join(' → ')}`);
  const width = Math.max(4, ...i.steps.map((s) => s.step.length));
  lines.push('', `  ${'STEP'.padEnd(width)}  P50       P95       RETRIED  RETRY OK  ON CRITICAL PATH`);
  for (const s of i.steps) {
    const onPath = s.criticalShare ? `${percent(s.criticalShare)} of runs, ${percent(s.meanShareOfDuration)} of their time` : '-';
    lines.push(
      `  ${s.step.padEnd(width)}  ${formatDuration(s.p50Ms).padEnd(8)}  ${formatDuration(s.p95Ms).padEnd(8)}  ${String(s.retried).padEnd(7)}  ${percent(s.retrySuccessRate).padEnd(8)}  ${onPath}`,
    );
  }
  lines.push('', i.advice.length ? 'Advice:' : 'Advice: none', ...i.advice.map((a) => `  - ${a.message}`));
  return lines.join('\n');
}

export const insightsCommand: Command = {
  name: 'insights',
  summary: "A workflow's insights: durations, success and errors, critical path, retries, and advice",
  usage: 'insights <workflow> [--limit 500]',
  details: `  --limit <n>   how many of the newest executions to read (default 500, at most 1000)
The same data as GET /v1/workflows/<workflow>/insights. Advice names steps that could run in
parallel (they read none of a dependency's output), slow steps, and steps whose retries mostly fail.`,
  options: { limit: { type: 'string' } },
  positionals: { min: 1, max: 1 },
  async run({ values, positionals, out, config }) {
    const workflow = positionals[0]!;
    const limit = intOption(values, 'limit', 500);
    return withRemote(config, async (remote) => {
      const insights = await remote.insights(workflow, limit).catch((err: unknown) => explainUnknownWorkflow(err, remote, workflow));
      out.result(insights, () => describeInsights(insights));
      return ExitCode.OK;
    });
  },
};
