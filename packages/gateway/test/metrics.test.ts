/**
 * `/metrics` kept without scanning the stored executions (issue 13, part 4):
 * counters and histograms move as executions end (from the lifecycle
 * stream), gauges of executions in flight and waiting follow them (from the
 * index), on memory and on NATS. What a scrape reads is bounded in
 * packages/engine/test/read-bounds.test.ts; how long it takes, in
 * `pnpm bench --scenario readscale`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflow } from '@squadflow/shared';
import { until } from '@squadflow/transport/testing';
import { echoWorkflow, startStack, waitingWorkflow, type Stack } from './support.ts';

/** A step whose action the squad does not have: it fails at once with `UNKNOWN_ACTION`, not retried. */
const failing = workflow('failing').task('boom', { squad: 'alpha', action: 'missing' }).build();

/** The value of one series, by its name and labels as written; undefined when absent. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe.each(['memory', 'nats'] as const)('execution metrics on /metrics (%s)', (kind) => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ kind, workflows: [echoWorkflow(), failing, waitingWorkflow()] });
    // The gateway follows the lifecycle stream once ready: the first request makes it ready.
    await stack.gateway.app.ready();
  });
  afterAll(() => stack?.close());

  const scrape = async (): Promise<string> => {
    const res = await stack.gateway.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    return res.body;
  };
  /** Scrapes until `series` reads `value` (counters move as events arrive, counts as the index catches up). */
  const reaches = (series: string, value: number) =>
    until(`${series} = ${value}`, scrape, (text) => sample(text, series) === value, 15_000);

  it('counts ended executions, observes their durations and counts step errors by code, per workflow', async () => {
    const ok = await Promise.all([1, 2, 3].map((n) => stack.client.trigger('echo', { n })));
    const bad = await Promise.all([1, 2].map((n) => stack.client.trigger('failing', { n })));
    for (const id of ok) expect((await stack.client.waitFor(id, undefined, 20_000)).status).toBe('completed');
    for (const id of bad) expect((await stack.client.waitFor(id, undefined, 20_000)).status).toBe('failed');

    await reaches('squadflow_executions_ended_total{workflow="echo",status="completed"}', 3);
    await reaches('squadflow_executions_ended_total{workflow="failing",status="failed"}', 2);
    const text = await reaches('squadflow_step_errors_total{workflow="failing",step="boom",code="UNKNOWN_ACTION"}', 2);
    expect(sample(text, 'squadflow_execution_duration_seconds_count{workflow="echo",status="completed"}')).toBe(3);
    // Every execution ends within a day: all land at or below the last finite bucket, none below 0.
    expect(sample(text, 'squadflow_execution_duration_seconds_bucket{le="86400",workflow="echo",status="completed"}')).toBe(3);
    expect(sample(text, 'squadflow_execution_duration_seconds_sum{workflow="echo",status="completed"}')).toBeGreaterThan(0);
    expect(sample(text, 'squadflow_step_duration_seconds_count{workflow="echo",step="echo"}')).toBe(3);
    expect(sample(text, 'squadflow_step_errors_total{workflow="echo",step="echo",code="UNKNOWN_ACTION"}')).toBeUndefined();

    // Stored counts (from the index): the success ratio per workflow, the ended ones by workflow and status.
    const stored = await reaches('squadflow_workflow_executions{workflow="failing",status="failed"}', 2);
    expect(sample(stored, 'squadflow_execution_success_ratio{workflow="failing"}')).toBe(0);
    expect(sample(stored, 'squadflow_execution_success_ratio{workflow="echo"}')).toBe(1);
    expect(sample(stored, 'squadflow_workflow_executions{workflow="echo",status="completed"}')).toBe(3);
  });

  it('shows an execution waiting on a signal while it waits, and no longer once it ended', async () => {
    const id = await stack.client.trigger('waiter', { order_id: 'o-1' });
    await stack.client.waitFor(id, ['waiting'], 20_000);
    const waiting = await reaches('squadflow_workflow_executions{workflow="waiter",status="waiting"}', 1);
    expect(sample(waiting, 'squadflow_executions{status="waiting"}')).toBe(1);
    expect(sample(waiting, 'squadflow_executions_active')).toBe(1);

    await stack.client.signal('order_o-1', { paid: true });
    expect((await stack.client.waitFor(id, undefined, 20_000)).status).toBe('completed');
    const ended = await reaches('squadflow_executions_ended_total{workflow="waiter",status="completed"}', 1);
    await until('no execution waiting', scrape, (text) => sample(text, 'squadflow_executions_active') === 0, 15_000);
    expect(sample(ended, 'squadflow_execution_duration_seconds_count{workflow="waiter",status="completed"}')).toBe(1);
    expect(sample(await scrape(), 'squadflow_workflow_executions{workflow="waiter",status="waiting"}')).toBeUndefined();
  });
});
