/** The CLI as a real process with no server named: `run` starts a one-shot in-memory squadflow; usage errors and --help. */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfferToMarketingOutputSchema } from '@squadflow/squads/catalog';
import { runCli } from './support.ts';

const SAMPLE = 'examples/handoffs/offer_to_marketing.json';
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'squadflow-cli-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('squadflow run without a server (one-shot in-memory squadflow)', () => {
  it('runs offer_to_marketing from the sample input, exits 0 and writes the seed-shaped output to --output', async () => {
    const out = join(dir, 'out.json');
    const result = await runCli(['run', 'offer_to_marketing', '--input', SAMPLE, '--output', out]);
    expect(result.stderr).not.toContain('squadflow:');
    expect(result.stderr).toContain('run: one-shot in-memory squadflow in this process (no server is used');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`output written to ${out}`);
    const written = OfferToMarketingOutputSchema.parse(JSON.parse(await readFile(out, 'utf8')));
    expect(written).toMatchObject({ success: true, next_step: 'marketing_campaign_creation' });
    expect(written.workflow_id).toMatch(/^offer_to_marketing_ex_/);
    expect(written.handoff_data.marketing_brief).toMatchObject({ campaign_name: 'Widget Pro_launch', budget_allocation: '$10,000' });
  });

  it('exits 2 naming the file and the field when the input misses a required field', async () => {
    const file = join(dir, 'missing-field.json');
    const { product_name: _dropped, ...rest } = JSON.parse(await readFile(SAMPLE, 'utf8')) as Record<string, unknown>;
    await writeFile(file, JSON.stringify(rest));
    const result = await runCli(['run', 'offer_to_marketing', '--input', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: product_name: Required`);
    expect(result.stdout).toBe('');
  });

  it('exits 2 naming the file when the input is not valid JSON', async () => {
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "product_name": ');
    const result = await runCli(['run', 'offer_to_marketing', '--input', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: invalid JSON`);
  });

  it('exits 2 naming the file when the input file does not exist', async () => {
    const file = join(dir, 'nowhere.json');
    const result = await runCli(['run', 'offer_to_marketing', '--input', file]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(`${file}: cannot read input: no such file`);
  });

  it('exits 3 for a workflow that is not registered', async () => {
    const result = await runCli(['run', 'no_such_workflow', '--input', SAMPLE]);
    expect(result.code).toBe(3);
    expect(result.stderr).toContain('no_such_workflow');
  });

  it('prints the execution as parseable JSON with --json, and errors as JSON on stderr', async () => {
    const ok = await runCli(['run', 'feedback_to_offer', '--input', 'examples/handoffs/feedback_to_offer.json', '--json']);
    expect(ok.code).toBe(0);
    const view = JSON.parse(ok.stdout) as {
      status: string;
      output: { handoff_data: { feedback_analysis: { client_satisfaction_score: number } } };
    };
    expect(view.status).toBe('completed');
    expect(view.output.handoff_data.feedback_analysis.client_satisfaction_score).toBe(92);

    const bad = await runCli(['run', 'no_such_workflow', '--data', '{}', '--json']);
    expect(bad.code).toBe(3);
    expect(JSON.parse(bad.stderr)).toMatchObject({ error: { code: 'WORKFLOW_NOT_FOUND', exitCode: 3 } });
  });

  it('exits 1 when the execution fails and says which step failed', async () => {
    const deal = JSON.parse(await readFile('examples/handoffs/sales_to_fulfillment.json', 'utf8')) as Record<string, unknown>;
    const result = await runCli(['run', 'sales_to_fulfillment', '--data', JSON.stringify({ ...deal, status: 'negotiation' })]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain('sales_to_fulfillment failed');
    expect(result.stdout).toContain('only closed_won deals go to fulfillment');
  });

  it('prints a line per step status change with --wait, then the result', async () => {
    const result = await runCli(['run', 'marketing_to_sales', '--input', 'examples/handoffs/marketing_to_sales.json', '--wait', '--json']);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; step?: string; status?: string });
    // marketing_to_sales hands on to sales_to_fulfillment: its own steps are the ones before the first handoff.
    const handedOn = events.findIndex((e) => e.event === 'handoff');
    const steps = events.slice(0, handedOn).filter((e) => e.event === 'step');
    expect(steps.filter((e) => e.status === 'completed').map((e) => e.step)).toEqual([
      'validate_input',
      'transform_data',
      'create_handoff_package',
      'execute_handoff',
    ]);
    expect(events.at(-1)).toMatchObject({ event: 'result', execution: { status: 'completed' } });
  });

  it('follows the agency chain with --wait: one offer hands on through all five handoffs to feedback → offer', async () => {
    const result = await runCli(['run', 'offer_to_marketing', '--input', SAMPLE, '--wait']);
    expect(result.stderr).not.toContain('squadflow:');
    expect(result.code).toBe(0);
    const handoffs = result.stdout.split('\n').filter((line) => line.startsWith('-- '));
    expect(handoffs.map((line) => /^-- (\w+) handed on to (\w+) \(execution ex_\w+, hop (\d)\)$/.exec(line)?.slice(1))).toEqual([
      ['offer_to_marketing', 'marketing_to_sales', '1'],
      ['marketing_to_sales', 'sales_to_fulfillment', '2'],
      ['sales_to_fulfillment', 'fulfillment_to_feedback', '3'],
      ['fulfillment_to_feedback', 'feedback_to_offer', '4'],
    ]);
    const table = result.stdout.slice(result.stdout.indexOf('chain of 5 handoffs:')).split('\n').slice(2, 7);
    expect(table.map((row) => row.split(/\s+/).slice(0, 2))).toEqual([
      ['offer_to_marketing', 'completed'],
      ['marketing_to_sales', 'completed'],
      ['sales_to_fulfillment', 'completed'],
      ['fulfillment_to_feedback', 'completed'],
      ['feedback_to_offer', 'completed'],
    ]);
    expect(table[4]).toContain('none (nothing_to_hand_on)');
  });

  it('follows the chain in --json too: a handoff event per hop, and the chain in the result', async () => {
    const result = await runCli(['run', 'offer_to_marketing', '--input', SAMPLE, '--wait', '--json']);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; workflow?: string; chain?: Array<{ workflow: string; status: string }> });
    expect(events.filter((e) => e.event === 'handoff').map((e) => e.workflow)).toEqual([
      'marketing_to_sales',
      'sales_to_fulfillment',
      'fulfillment_to_feedback',
      'feedback_to_offer',
    ]);
    const last = events.at(-1)!;
    expect(last.event).toBe('result');
    expect(last.chain?.map((v) => [v.workflow, v.status])).toEqual([
      ['offer_to_marketing', 'completed'],
      ['marketing_to_sales', 'completed'],
      ['sales_to_fulfillment', 'completed'],
      ['fulfillment_to_feedback', 'completed'],
      ['feedback_to_offer', 'completed'],
    ]);
  });

  it('starts nothing with --no-chain-handoffs, and the output says so', async () => {
    const result = await runCli(['run', 'offer_to_marketing', '--input', SAMPLE, '--wait', '--no-chain-handoffs', '--json']);
    expect(result.code).toBe(0);
    const events = result.stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { event: string; chain?: unknown; execution?: { output: { next_handoff: unknown } } });
    expect(events.filter((e) => e.event === 'handoff')).toEqual([]);
    const last = events.at(-1)!;
    expect(last.chain).toBeUndefined();
    expect(last.execution?.output.next_handoff).toMatchObject({
      status: 'not_started',
      workflow: 'marketing_to_sales',
      reason: 'chaining_disabled',
    });
  });

  it('without --wait, says where the chain went and how to follow it', async () => {
    const result = await runCli(['run', 'offer_to_marketing', '--input', SAMPLE]);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /offer_to_marketing handed on to marketing_to_sales \(execution ex_\w+\); .*use --wait to follow the chain/,
    );
  });

  it('exits 2 with the usage line for an unknown option, an unknown command or a missing argument', async () => {
    const option = await runCli(['run', 'offer_to_marketing', '--bogus']);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('usage: squadflow run <workflow>');
    expect((await runCli(['frobnicate'])).code).toBe(2);
    expect((await runCli(['status'])).code).toBe(2);
  });

  it('documents the exit codes, how commands connect and their environment in --help', async () => {
    const result = await runCli(['--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/Exit codes:[\s\S]*3 +not found[\s\S]*5 +nothing answers/);
    expect(result.stdout).toContain('over the HTTP API at SQUADFLOW_URL (default http://127.0.0.1:8080)');
    expect(result.stdout).toMatch(/SQUADFLOW_TOKEN +bearer token/);
    expect(result.stdout).toMatch(/SQUADFLOW_NATS_URL +NATS server/);
    expect(result.stdout).not.toContain('ephemeral');
  });
});
