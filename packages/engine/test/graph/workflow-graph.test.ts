/** The workflow graph and its Mermaid flowchart, from the seed definitions (workflows/*.yaml) and a human task. */
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { workflow, WorkflowDefinitionSchema } from '@squadflow/shared';
import { graphMermaid } from '../../src/graph/graph-mermaid.ts';
import { workflowGraph } from '../../src/graph/workflow-graph.ts';
import { readDefinitionFile } from '../../src/workflows/definition-files.ts';
import { compileWorkflow } from '../../src/compile/compiled-workflow.ts';
import { statechartJson } from '../../src/compile/statechart-export.ts';

const seed = (name: string) => readDefinitionFile(fileURLToPath(new URL(`../../../../workflows/${name}.yaml`, import.meta.url)));
const pairs = (edges: Array<{ from: string; to: string; kind: string }>) => edges.map((e) => `${e.from}->${e.to}:${e.kind}`);

describe('workflow graph', () => {
  it('draws the cart recovery workflow: edges between its steps, delays, squad.action, compensations and the saga', async () => {
    const graph = workflowGraph(await seed('abandoned_cart_recovery'), 3);
    expect(graph).toMatchObject({ workflow: 'abandoned_cart_recovery', version: 3 });
    expect(pairs(graph.edges)).toEqual([
      '__start->check_inventory:dependency',
      'check_inventory->send_whatsapp_reminder:dependency',
      'send_whatsapp_reminder->create_google_ads_audience:dependency',
      'create_google_ads_audience->compensate:create_google_ads_audience:compensation',
      'create_google_ads_audience->launch_retargeting_campaign:dependency',
      'launch_retargeting_campaign->__end:dependency',
      'launch_retargeting_campaign->compensate:launch_retargeting_campaign:compensation',
      'launch_retargeting_campaign->__compensate:compensation',
    ]);
    const node = (id: string) => graph.nodes.find((n) => n.id === id);
    expect(node('send_whatsapp_reminder')).toMatchObject({
      type: 'task',
      squad: 'whatsapp',
      action: 'send_abandoned_cart_message',
      delayMs: 300_000,
      timeoutMs: 30_000,
      condition: '$steps.check_inventory.available',
      retry: { attempts: 4, retries: 3, initialIntervalMs: 10_000, backoffCoefficient: 2, maxIntervalMs: 300_000 },
      onError: 'fail',
    });
    expect(node('create_google_ads_audience')).toMatchObject({
      delayMs: 3_600_000,
      compensation: { squad: 'google_ads', action: 'delete_audience' },
    });
    expect(node('launch_retargeting_campaign')?.onError).toBe('compensate');
    expect(node('compensate:launch_retargeting_campaign')).toMatchObject({ type: 'compensation', label: 'traffic.stop_campaign' });
    expect(graph.nodes.map((n) => n.id)).toEqual(expect.arrayContaining(['__start', '__end', '__compensate']));
  });

  it('draws a wait with its key template and timeout, and the step that runs on its timeout as a timeout edge', async () => {
    const graph = workflowGraph(await seed('lead_conversation'));
    const wait = graph.nodes.find((n) => n.type === 'wait')!;
    expect(wait.wait).toEqual({ signal: 'ai_conversation_{$replace(phone_number, /[^0-9]/, "")}', timeoutMs: 7_200_000 });
    const timeoutEdges = graph.edges.filter((e) => e.kind === 'timeout');
    expect(timeoutEdges).toEqual([expect.objectContaining({ from: wait.id, on: 'timeout', label: 'on timeout' })]);
  });

  it('draws a workflow step as a child workflow with its compensation, and a wait on another execution', () => {
    const def = workflow('orchestrated')
      .childWorkflow('design', { workflow: 'system_design', version: 2, timeout: '10m', retry: { retries: 1 }, onError: 'compensate' })
      .wait('setup', { execution: '$context.setup_execution', onError: 'skip', dependsOn: ['design'] })
      .build();
    const graph = workflowGraph(def, 1);
    expect(graph.nodes.find((n) => n.id === 'design')).toMatchObject({
      type: 'workflow',
      child: { workflow: 'system_design', version: 2, compensate: true },
      timeoutMs: 600_000,
      retry: { retries: 1 },
      onError: 'compensate',
    });
    expect(graph.nodes.find((n) => n.id === 'setup')).toMatchObject({
      type: 'wait',
      wait: { execution: '$context.setup_execution' },
      onError: 'skip',
    });
    expect(pairs(graph.edges)).toContain('design->compensate:design:compensation');
    const text = graphMermaid(graph);
    expect(text).toContain('[["design (workflow)<br/>runs system_design v2');
    expect(text).toContain('until execution $context.setup_execution ends');
    const chart = statechartJson(compileWorkflow(def, 1).machine);
    const region = chart.states['running']!.states['design']!;
    expect(region.states['running']!.entry).toEqual(['startChild']);
    expect(Object.keys(region.states)).toEqual(expect.arrayContaining(['running', 'backoff', 'completed', 'failed']));
    expect(chart.states['reopened']!.transitions.map((t) => t.target)).toEqual([['workflow.compensating'], ['workflow.compensated']]);
  });

  it("draws a human task's assignee, default signal key and escalation chain", () => {
    const def = WorkflowDefinitionSchema.parse({
      name: 'approval',
      steps: [
        { name: 'prepare', squad: 's', action: 'a' },
        {
          name: 'review',
          type: 'human',
          dependsOn: ['prepare'],
          assignee: 'ops',
          title: 'Approve the refund',
          timeout: '72h',
          escalations: [
            { after: '48h', to: 'director' },
            { after: '24h', to: 'manager' },
          ],
        },
        { name: 'charge', squad: 's', action: 'b', dependsOn: [{ step: 'review', on: 'signal' }], onError: 'escalate' },
      ],
    });
    const graph = workflowGraph(def);
    expect(graph.nodes.find((n) => n.id === 'review')).toMatchObject({
      type: 'human',
      timeoutMs: 259_200_000,
      wait: { signal: 'human_{$execution.id}_review', timeoutMs: 259_200_000 },
      human: {
        assignee: 'ops',
        title: 'Approve the refund',
        escalations: [
          { afterMs: 86_400_000, to: 'manager' },
          { afterMs: 172_800_000, to: 'director' },
        ],
      },
    });
    expect(graph.edges.filter((e) => e.kind === 'escalation').map((e) => [e.from, e.to, e.label])).toEqual([
      ['review', 'escalate:review:1', 'after 1d'],
      ['escalate:review:1', 'escalate:review:2', 'after 2d'],
      ['charge', '__escalated', 'on error'],
    ]);
    expect(graph.edges.find((e) => e.to === 'charge')).toMatchObject({ kind: 'dependency', on: 'signal' });
  });
});

describe('workflow graph of every seed workflow', () => {
  const files = readdirSync(fileURLToPath(new URL('../../../../workflows/', import.meta.url))).filter((f) => f.endsWith('.yaml'));

  it.each(files)('%s: every step is a node, every edge joins two nodes, and every step lies on a path from start to end', async (file) => {
    const def = await seed(file.replace(/\.yaml$/, ''));
    const graph = workflowGraph(def);
    const ids = new Set(graph.nodes.map((n) => n.id));
    expect(ids.size).toBe(graph.nodes.length);
    for (const step of def.steps) expect(ids.has(step.name)).toBe(true);
    for (const e of graph.edges) expect([ids.has(e.from), ids.has(e.to)]).toEqual([true, true]);
    const flow = graph.edges.filter((e) => e.kind === 'dependency' || e.kind === 'timeout');
    const reach = (from: string, next: (id: string) => string[]) => {
      const seen = new Set([from]);
      const queue = [from];
      while (queue.length) {
        for (const n of next(queue.shift()!)) {
          if (seen.has(n)) continue;
          seen.add(n);
          queue.push(n);
        }
      }
      return seen;
    };
    const fromStart = reach('__start', (id) => flow.filter((e) => e.from === id).map((e) => e.to));
    const toEnd = reach('__end', (id) => flow.filter((e) => e.to === id).map((e) => e.from));
    for (const step of def.steps) expect([step.name, fromStart.has(step.name), toEnd.has(step.name)]).toEqual([step.name, true, true]);
    const tasks = graph.nodes.filter((n) => n.type === 'task');
    for (const t of tasks) expect(graphMermaid(graph)).toContain(`${t.squad}.${t.action}`);
  });
});

describe('workflow graph as a Mermaid flowchart', () => {
  it('shows the cart recovery steps with squad.action, edges labelled with delays and conditions, compensations dashed', async () => {
    const text = graphMermaid(workflowGraph(await seed('abandoned_cart_recovery')));
    const lines = text.split('\n');
    expect(lines[0]).toBe('flowchart TD');
    // A screenful, not the ~188 lines of XState internals the old export printed.
    expect(lines.length).toBeLessThan(25);
    expect(text).toContain('check_inventory (task)<br/>inventory.check_stock<br/>timeout 30s · retry 3× from 10s');
    const id = (step: string) => /^ {2}(n\d+)/.exec(lines.find((l) => l.includes(`"${step} (task)`))!)![1];
    expect(lines).toContain(
      `  ${id('check_inventory')} -->|"wait 5m · if $steps.check_inventory.available"| ${id('send_whatsapp_reminder')}`,
    );
    expect(lines).toContain(`  ${id('send_whatsapp_reminder')} -->|"wait 1h"| ${id('create_google_ads_audience')}`);
    expect(text).toMatch(new RegExp(`${id('create_google_ads_audience')} -\\.->\\|"compensate"\\| n\\d+`));
    expect(text).toContain('google_ads.delete_audience');
  });

  it('escapes quotes and angle brackets in labels so they cannot end a label or open markup', () => {
    const def = workflow('quoted')
      .task('a', { squad: 's', action: 'x' })
      .task('b', { squad: 's', action: 'x', dependsOn: ['a'], condition: '$steps.a.n > 1 and $steps.a.s = "x"' })
      .build();
    const text = graphMermaid(workflowGraph(def));
    expect(text).toContain('if $steps.a.n #gt; 1 and $steps.a.s = #quot;x#quot;');
    expect(text).not.toContain('"x"');
  });
});
