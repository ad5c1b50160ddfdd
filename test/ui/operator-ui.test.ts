/**
 * The operator UI in a real browser (Debian's chromium through
 * playwright-core) against a real `squadflow start` on NATS: watch a node go
 * from running to done without a reload, cancel an execution, resolve a human
 * task from the inbox, read a workflow's insights. Each page is saved to
 * test-results/ui/<name>.png (docs/ui.md says what each one shows).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildUi } from '@squadflow/gateway/ui-build';
import { collectPageErrors, launchBrowser, screenshot, type Browser } from './browser.ts';
import { startSquadflow, TOKEN, TOOLS, VIEWER_TOKEN, type Squadflow } from './squadflow.ts';

/** Two steps that take a moment each (the fixture squad's `sleep`), then a quick one. */
const SLOW = {
  name: 'ui_slow',
  description: 'Two slow steps and a quick one, for the browser tests',
  steps: [
    { name: 'prepare', squad: TOOLS, action: 'sleep', input: '{ "ms": ms }' },
    { name: 'ship', squad: TOOLS, action: 'sleep', input: '{ "ms": ms }', dependsOn: ['prepare'] },
    { name: 'notify', squad: TOOLS, action: 'noop', dependsOn: ['ship'] },
  ],
};
/** Waits for a signal that never comes: it stays `waiting` until cancelled. */
const HOLD = { name: 'ui_hold', steps: [{ name: 'hold', type: 'wait', signal: 'hold_{order}' }] };
/** A human review, then a task that reads the decision. */
const REVIEW = {
  name: 'ui_review',
  steps: [
    {
      name: 'review',
      type: 'human',
      assignee: 'ops@example.com',
      title: 'Approve the refund',
      timeout: '1h',
      escalations: [{ after: '30m', to: 'lead@example.com' }],
    },
    { name: 'refund', squad: TOOLS, action: 'noop', dependsOn: ['review'] },
  ],
};

/** Its first step fails for good and escalates: an operator resolves it. */
const ESCALATE = {
  name: 'ui_escalate',
  steps: [
    { name: 'reserve', squad: TOOLS, action: 'noop' },
    {
      name: 'charge',
      squad: TOOLS,
      action: 'fail',
      input: '{ "message": "card declined" }',
      onError: 'escalate',
      escalationTarget: 'billing-lead',
      dependsOn: ['reserve'],
    },
    { name: 'receipt', squad: TOOLS, action: 'noop', dependsOn: ['charge'] },
  ],
};

let browser: Browser;
let squadflow: Squadflow | undefined;
let page: Page;
let pageErrors: string[];

const nodeIn = (step: string, state: string) => `[data-testid="node-${step}"][data-state="${state}"]`;

beforeAll(async () => {
  // Once per run: a no-op while packages/gateway/dist/ui is newer than the UI sources (pnpm install built it).
  await buildUi({ ifStale: true });
  browser = await launchBrowser();
}, 120_000);

afterAll(async () => {
  await browser?.close();
});

beforeEach(async () => {
  squadflow = await startSquadflow();
  for (const definition of [SLOW, HOLD, REVIEW, ESCALATE]) await squadflow.register(definition);
  page = await browser.context.newPage();
  pageErrors = collectPageErrors(page);
  // Every test but the first starts with the token in place (the first goes through the dialog).
  // (Browser-side code as strings: this file is type-checked without the DOM library.)
  await page.addInitScript({ content: `localStorage.setItem('squadflow.token', ${JSON.stringify(TOKEN)})` });
});

afterEach(async () => {
  await page?.close();
  await squadflow?.stop();
  squadflow = undefined;
  expect(pageErrors.filter((e) => !/Failed to load resource/.test(e))).toEqual([]);
});

describe('the operator UI in chromium against squadflow start', () => {
  it('asks for a token after a 401, then shows the executions; an execution node turns from running to done without a reload', async () => {
    const sf = squadflow!;
    // This page has no token yet.
    const fresh = await browser.context.newPage();
    await fresh.addInitScript({ content: `localStorage.removeItem('squadflow.token')` });
    await fresh.goto(`${sf.url}/`);
    expect(fresh.url()).toBe(`${sf.url}/ui/`);
    await fresh.getByPlaceholder('token').fill(TOKEN);
    await fresh.getByRole('button', { name: 'Use token' }).click();
    await fresh.waitForSelector('[data-testid="executions-table"]');
    await fresh.close();

    // 4 s per step: time enough to open the page and see the first step running on a loaded CI machine.
    const id = await sf.trigger('ui_slow', { ms: 4_000 });
    await page.goto(`${sf.url}/ui/executions/${id}`);
    await page.evaluate('window.notReloaded = true');
    await page.waitForSelector('[data-testid="live"][data-connected="true"]');
    await page.waitForSelector(nodeIn('prepare', 'running'));
    expect(await page.locator('[data-testid="node-prepare"]').textContent()).toContain(`${TOOLS}.sleep`);
    await screenshot(page, 'execution');
    await page.waitForSelector(nodeIn('prepare', 'done'), { timeout: 20_000 });
    // Its successor runs now: the page refetched on step.completed.
    await page.waitForSelector(nodeIn('ship', 'running'));
    await page.waitForSelector(nodeIn('notify', 'done'), { timeout: 20_000 });
    await page.waitForSelector('.page-head .badge-completed');
    expect(await page.evaluate('window.notReloaded')).toBe(true);
    expect(await page.locator('[data-testid="timeline"] tbody tr').count()).toBe(3);
    expect((await sf.api<{ status: string }>('GET', `/v1/executions/${id}`)).body.status).toBe('completed');

    // The list shows it with the filters applied, and follows a new execution live.
    await page.goto(`${sf.url}/ui/executions?workflow=ui_slow`);
    await page.waitForSelector(`[data-testid="row-${id}"] .badge-completed`);
    await page.waitForSelector('[data-testid="live"][data-connected="true"]');
    const second = await sf.trigger('ui_slow', { ms: 1_500 });
    await page.waitForSelector(`[data-testid="row-${second}"]`);
    await page.waitForSelector(`[data-testid="row-${second}"] .badge-completed`, { timeout: 20_000 });

    // Unfiltered, with executions that wait: their current step is named.
    const held = await sf.trigger('ui_hold', { order: 'o-9' });
    const reviewed = await sf.trigger('ui_review', {});
    await page.goto(`${sf.url}/ui/executions`);
    await page.waitForSelector(`[data-testid="row-${held}"] .badge-waiting`);
    await page.waitForSelector(`[data-testid="row-${reviewed}"] .badge-waiting`);
    expect(await page.locator(`[data-testid="row-${held}"]`).textContent()).toContain('hold');
    expect(await page.locator('[data-testid="executions-table"] tbody tr').count()).toBe(4);
    await screenshot(page, 'executions');

    // Text search (q) and a status filter narrow the table; both land in the page's URL.
    await page.getByPlaceholder('search id or correlation key').fill(held);
    await page.getByRole('button', { name: 'Search' }).click();
    await page.waitForFunction(`document.querySelectorAll('[data-testid="executions-table"] tbody tr').length === 1`);
    expect(await page.locator(`[data-testid="row-${held}"]`).count()).toBe(1);
    expect(new URL(page.url()).searchParams.get('q')).toBe(held);
    await page.getByPlaceholder('search id or correlation key').fill('');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('button', { name: 'completed', exact: true }).click();
    await page.waitForFunction(`document.querySelectorAll('[data-testid="executions-table"] tbody tr').length === 2`);
    expect(await page.locator('[data-testid="executions-table"] .badge-waiting').count()).toBe(0);
    expect(new URL(page.url()).searchParams.get('status')).toBe('completed');
  });

  it('cancels a waiting execution from its page; a read-only token is refused and the acts are disabled with a hint', async () => {
    const sf = squadflow!;
    const id = await sf.trigger('ui_hold', { order: 'o-1' });

    const viewer = await browser.context.newPage();
    await viewer.addInitScript({ content: `localStorage.setItem('squadflow.token', ${JSON.stringify(VIEWER_TOKEN)})` });
    await viewer.goto(`${sf.url}/ui/executions/${id}`);
    await viewer.waitForSelector(nodeIn('hold', 'waiting'));
    await viewer.getByRole('button', { name: 'Cancel execution' }).click();
    await viewer.getByRole('alert').filter({ hasText: 'FORBIDDEN' }).waitFor();
    expect(await viewer.getByRole('button', { name: 'Cancel execution' }).isDisabled()).toBe(true);
    expect(await viewer.locator('.actions .hint').textContent()).toContain('admin scope');
    await viewer.close();
    expect((await sf.api<{ status: string }>('GET', `/v1/executions/${id}`)).body.status).toBe('waiting');

    await page.goto(`${sf.url}/ui/executions/${id}`);
    await page.waitForSelector(nodeIn('hold', 'waiting'));
    expect(await page.locator('[data-testid="node-hold"]').textContent()).toContain('signal hold_o-1');
    await page.getByLabel('reason').fill('customer called');
    await page.getByRole('button', { name: 'Cancel execution' }).click();
    await page.waitForSelector('.page-head .badge-cancelled');
    const after = await sf.api<{ status: string; cancelReason?: string }>('GET', `/v1/executions/${id}`);
    expect(after.body).toMatchObject({ status: 'cancelled', cancelReason: 'customer called' });
    expect(await page.getByRole('button', { name: 'Cancel execution' }).count()).toBe(0);
  });

  it('resolves an escalation from the execution page: its target, the failed attempt and its error show, retry from step runs it again, skip lets it complete', async () => {
    const sf = squadflow!;
    const id = await sf.trigger('ui_escalate', {});
    await page.goto(`${sf.url}/ui/executions/${id}`);
    await page.waitForSelector('.page-head .badge-escalated');
    await page.waitForSelector(nodeIn('charge', 'waiting'));
    expect(await page.locator('[data-testid="timeline-charge"]').textContent()).toContain('card declined');
    expect(await page.locator('[data-testid="actions"]').textContent()).toContain('escalated at charge to billing-lead');
    await screenshot(page, 'execution-escalated');
    // Retry from the last completed step: reserve and charge run again, charge escalates again (attempt 2).
    await page.getByRole('button', { name: 'Retry from step' }).click();
    const rewound = await sf.reaches(id, (e) => e.status === 'escalated' && (e.rewinds?.length ?? 0) === 1, 'rewound and escalated again');
    expect(rewound.steps.find((s) => s.name === 'charge')!.attempts.map((a) => a.attempt)).toEqual([1, 2]);
    await page.waitForSelector('.page-head .badge-escalated');
    await page.getByRole('button', { name: 'skip' }).click();
    await page.waitForSelector(nodeIn('charge', 'skipped'));
    await page.waitForSelector(nodeIn('receipt', 'done'));
    await page.waitForSelector('.page-head .badge-completed');
    expect((await sf.api<{ status: string }>('GET', `/v1/executions/${id}`)).body.status).toBe('completed');
  });

  it('resolves a human task from the inbox: the decision completes the step and the execution', async () => {
    const sf = squadflow!;
    const id = await sf.trigger('ui_review', {});
    await sf.reaches(id, (e) => e.status === 'waiting', 'waiting on the review');
    // Its page offers the decision too, and draws the escalation level after the human step.
    await page.goto(`${sf.url}/ui/executions/${id}`);
    await page.waitForSelector(nodeIn('review', 'waiting'));
    await page.waitForSelector('[data-testid="node-escalate:review:1"]');
    await page.waitForSelector(`[data-testid="decision-${id}-review"]`);
    await screenshot(page, 'execution-human-task');
    await page.goto(`${sf.url}/ui/human-tasks`);
    const row = page.locator(`[data-testid="task-${id}-review"]`);
    await row.waitFor();
    expect(await row.textContent()).toContain('Approve the refund');
    expect(await row.textContent()).toContain('ops@example.com');
    await screenshot(page, 'human-tasks');
    await row.getByLabel('comment').fill('looks right');
    await row.getByRole('button', { name: 'Approve' }).click();
    await row.waitFor({ state: 'detached' });
    const done = await sf.reaches(id, (e) => e.status === 'completed', 'completed after the approval');
    expect(done.steps.find((s) => s.name === 'review')?.output).toMatchObject({ decision: 'approve', comment: 'looks right' });
  });

  it('shows insights with percentiles, and the workflows, schedules and squads pages', async () => {
    const sf = squadflow!;
    const ids = await Promise.all([200, 400, 600].map((ms) => sf.trigger('ui_slow', { ms })));
    for (const id of ids) await sf.reaches(id, (e) => e.status === 'completed', 'completed');
    await page.goto(`${sf.url}/ui/insights/ui_slow`);
    for (const p of ['p50', 'p95', 'p99']) {
      const figure = page.locator(`[data-testid="${p}"] .figure-value`);
      await figure.waitFor();
      expect(await figure.textContent(), p).toMatch(/^\d+(\.\d+)? (ms|s)$/);
    }
    expect(await page.locator('[data-testid="insight-steps"] tbody tr').count()).toBe(3);
    await screenshot(page, 'insights');

    // A seed workflow: delays, a compensation and the saga drawn; its YAML and versions.
    await page.goto(`${sf.url}/ui/workflows`);
    await page.getByRole('link', { name: 'abandoned_cart_recovery' }).click();
    await page.waitForSelector('[data-testid="node-launch_retargeting_campaign"]');
    await page.waitForSelector('[data-testid="node-compensate:launch_retargeting_campaign"]');
    expect(await page.locator('[data-testid="node-send_whatsapp_reminder"]').textContent()).toContain('delay 5 min');
    expect(await page.locator('pre.code').textContent()).toContain('name: abandoned_cart_recovery');
    expect(await page.locator('[data-testid="versions"]').textContent()).toContain('v1');
    await screenshot(page, 'workflows');

    const schedule = await sf.api('POST', '/v1/schedules', {
      id: 'ui_nightly',
      workflow: 'ui_slow',
      cron: '0 2 * * *',
      context: { ms: 10 },
    });
    expect(schedule.status).toBe(201);
    await page.goto(`${sf.url}/ui/schedules`);
    const row = page.locator('[data-testid="schedule-ui_nightly"]');
    await row.waitFor();
    await row.getByRole('button', { name: 'Pause' }).click();
    await row.locator('.badge-paused').waitFor();
    expect((await sf.api<{ state: string }>('GET', '/v1/schedules/ui_nightly')).body.state).toBe('paused');
    await screenshot(page, 'schedules');

    await page.goto(`${sf.url}/ui/squads`);
    await page.waitForSelector(`[data-testid="squad-${TOOLS}"]`);
    expect(await page.locator(`[data-testid="squad-${TOOLS}"]`).textContent()).toContain('sleep');
    await screenshot(page, 'squads');
  });
});
