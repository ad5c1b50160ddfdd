/**
 * `squadflow start` runs alerts and notifications in its one process
 * (docs/alerts.md): with an alerts configuration, a human task's assignee
 * is told (here on WhatsApp, through the squad's outbox) and a stuck
 * execution raises an alert to the alert route; without one, neither runs.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAlertsConfig, silentLogger, workflow, serializeDefinition } from '@squadflow/shared';
import { listWhatsAppOutbox } from '@squadflow/squads/catalog';
import { kvBounds, until } from '@squadflow/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startEmbedded, type Embedded } from '../src/index.ts';

describe('startEmbedded with alerts', () => {
  let embedded: Embedded | undefined;
  let dir: string | undefined;
  afterEach(async () => {
    await embedded?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
    embedded = dir = undefined;
  });

  it('tells a human task assignee and raises an alert for a stuck execution, in the one process', async () => {
    dir = mkdtempSync(join(tmpdir(), 'alerting-'));
    const task = workflow('approval').human('approve', { assignee: '+55 11 90000-0001', title: 'Approve it' }).build();
    writeFileSync(join(dir, 'approval.yaml'), serializeDefinition(task, 'yaml'));
    const alerts = parseAlertsConfig({
      evaluateEvery: '100ms',
      rules: [{ id: 'stuck_tasks', kind: 'stuck', workflow: 'approval', statuses: ['waiting'], limit: '300ms' }],
      notify: { recipients: { ops: { whatsapp: '+55 11 90000-0002' } }, alerts: ['ops'] },
    });
    embedded = await startEmbedded({ prefix: 'sqf', logger: silentLogger(), workflowsPath: dir, alerts });
    const { transport } = embedded;
    await embedded.client.trigger('approval', {});

    const [assigned] = await until(
      'the assignment',
      () => listWhatsAppOutbox(transport, 'sqf', { phone: '+5511900000001' }),
      (m) => m.length === 1,
    );
    expect(assigned!.text).toContain('Task for you: Approve it');
    const [alert] = await until(
      'the alert',
      () => listWhatsAppOutbox(transport, 'sqf', { phone: '+5511900000002' }),
      (m) => m.length === 1,
    );
    expect(alert!.text).toContain('[FIRING] warning: approval: 1 execution(s) in waiting for more than 300ms');
    expect(await kvBounds(transport, 'sqf_notify')).toEqual({ ttlMs: 8 * 86_400_000 });
    expect(await kvBounds(transport, 'sqf_alerts')).not.toBeNull();
  });

  it('runs neither the evaluator nor the notifier without an alerts configuration', async () => {
    embedded = await startEmbedded({ prefix: 'sqf', logger: silentLogger(), alerts: parseAlertsConfig({}) });
    // The buckets each would have created on start (the evaluator's records and lease, the notifier's ledger) do not exist.
    expect(await kvBounds(embedded.transport, 'sqf_alerts')).toBeNull();
    expect(await kvBounds(embedded.transport, 'sqf_notify')).toBeNull();
  });
});
