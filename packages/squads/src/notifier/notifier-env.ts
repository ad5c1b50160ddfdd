import { SquadflowError, toFieldIssues, type NotifyConfig } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';
import { z } from 'zod';
import { openOutboxClient } from '../catalog/whatsapp/outbox.ts';
import { CloudApiWhatsAppClient } from '../catalog/whatsapp/cloud-api-client.ts';
import { wantsCloudApi } from '../catalog/whatsapp/env.ts';
import { EmailChannel } from './channels/email.ts';
import { WebhookChannel } from './channels/webhook.ts';
import { WhatsAppChannel } from './channels/whatsapp.ts';
import type { NotifierChannel } from './port.ts';
import { durationMs } from '@squadflow/shared';

/**
 * The notifier's secrets, only from the environment:
 *
 * | variable | meaning |
 * |---|---|
 * | SQUADFLOW_SMTP_URL | the SMTP server e-mails go through: `smtp://user:pass@host:587` or `smtps://...:465` |
 * | SQUADFLOW_NOTIFY_WEBHOOK_SECRET | the HMAC-SHA256 key webhooks are signed with (at least 16 characters) |
 * | WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID | the WhatsApp Cloud API, as for the WhatsApp squad; unset: the outbox in KV |
 */
export const NotifierEnvSchema = z.object({
  SQUADFLOW_SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  SQUADFLOW_NOTIFY_WEBHOOK_SECRET: z.string().min(16, 'must be at least 16 characters').optional(),
});

type Env = Record<string, string | undefined>;

/**
 * The channels the environment configures. A recipient address for a
 * channel whose secret is missing stops the start with `INVALID_CONFIG`
 * naming the variable: notifications must not silently go nowhere.
 */
export async function channelsFromEnv(
  config: NotifyConfig,
  transport: Transport,
  prefix: string,
  env: Env = process.env,
): Promise<NotifierChannel[]> {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = NotifierEnvSchema.safeParse(cleaned);
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid notifier environment', toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  const recipients = Object.values(config.recipients);
  const missing = [
    ...(recipients.some((r) => r.email) && !e.SQUADFLOW_SMTP_URL ? ['SQUADFLOW_SMTP_URL'] : []),
    ...(recipients.some((r) => r.webhook) && !e.SQUADFLOW_NOTIFY_WEBHOOK_SECRET ? ['SQUADFLOW_NOTIFY_WEBHOOK_SECRET'] : []),
  ];
  if (missing.length) {
    throw new SquadflowError(
      'INVALID_CONFIG',
      'notification recipients need a channel that is not configured',
      missing.map((path) => ({ path, message: 'required by the recipients of SQUADFLOW_ALERTS' })),
    );
  }
  const timeoutMs = durationMs(config.timeout);
  const whatsapp = wantsCloudApi(cleaned) ? CloudApiWhatsAppClient.fromEnv(cleaned) : await openOutboxClient(transport, prefix);
  return [
    ...(e.SQUADFLOW_SMTP_URL ? [new EmailChannel(e.SQUADFLOW_SMTP_URL, config.emailFrom, timeoutMs)] : []),
    ...(e.SQUADFLOW_NOTIFY_WEBHOOK_SECRET ? [new WebhookChannel(e.SQUADFLOW_NOTIFY_WEBHOOK_SECRET, timeoutMs)] : []),
    new WhatsAppChannel(whatsapp),
  ];
}
