/**
 * `squadflow notifier` as its own OS process (the compose service's
 * command): refuses a bad alerts file naming the field (exit 2), delivers an
 * alert published on NATS to the SMTP server, and stops on SIGTERM with 0.
 */
import { spawnSync } from 'node:child_process';
import { alertCodec, names, type AlertEvent } from '@squadflow/shared';
import { connectNatsTransport, type Transport } from '@squadflow/transport';
import { cleanupPrefix, natsUrl, spawnTsProcess, uniquePrefix, type ChildHandle } from '@squadflow/transport/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { startSmtpReceiver, type ReceivedMail, type Receiver } from './receivers.ts';

const CLI = 'packages/cli/src/main.ts';

describe('squadflow notifier (process)', () => {
  let child: ChildHandle | undefined;
  let smtp: Receiver<ReceivedMail> | undefined;
  let transport: Transport | undefined;
  const prefix = uniquePrefix('notifier');
  afterEach(async () => {
    await child?.stop();
    await transport?.close();
    await smtp?.close();
    await cleanupPrefix(prefix);
    child = transport = smtp = undefined;
  });

  it('refuses a bad SQUADFLOW_ALERTS with exit 2, naming the field', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', CLI, 'notifier'], {
      env: { ...process.env, SQUADFLOW_NATS_URL: natsUrl(), SQUADFLOW_PREFIX: prefix, SQUADFLOW_ALERTS: '{"notify":{"alerts":"ops"}}' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('notify.alerts');
  });

  it('delivers an alert from NATS to the SMTP server, and stops on SIGTERM', async () => {
    smtp = await startSmtpReceiver();
    const alerts = { notify: { recipients: { ops: { email: 'ops@example.com' } }, alerts: ['ops'] } };
    child = await spawnTsProcess(
      CLI,
      { SQUADFLOW_NATS_URL: natsUrl(), SQUADFLOW_PREFIX: prefix, SQUADFLOW_ALERTS: JSON.stringify(alerts), SQUADFLOW_SMTP_URL: smtp.url },
      { label: 'notifier', args: ['notifier'] },
    );
    transport = await connectNatsTransport({ servers: natsUrl(), name: `test-${prefix}` });
    const at = Date.now();
    const event: AlertEvent = {
      ...{ id: 'open.whatsapp.send.1.firing', type: 'alert.firing', alert: 'open.whatsapp.send', rule: 'open', kind: 'breaker_open' },
      ...{ severity: 'critical', summary: 'circuit breaker whatsapp.send is open', breaker: 'whatsapp.send', value: 5, threshold: 0 },
      since: at,
      at,
    };
    await transport.streams.publish(names(prefix).alert('open', 'firing'), alertCodec.encode(event), { msgId: event.id });
    const [mail] = await smtp.received.count(1, 20_000);
    expect(mail).toMatchObject({ to: ['ops@example.com'], subject: '[FIRING] critical: circuit breaker whatsapp.send is open' });
    child.kill('SIGTERM');
    expect(await child.exited).toBe(0);
  });
});
