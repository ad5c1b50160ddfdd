import { createHmac } from 'node:crypto';
import { PermanentDeliveryError, type Delivery, type NotifierChannel } from '../port.ts';

/** Headers of a notification webhook (docs/alerts.md). */
export const WEBHOOK_SIGNATURE_HEADER = 'x-squadflow-signature-256';
export const WEBHOOK_DELIVERY_HEADER = 'x-squadflow-delivery';
export const WEBHOOK_EVENT_HEADER = 'x-squadflow-event';

/** What a webhook receiver gets as the JSON body. */
export interface WebhookBody {
  id: string;
  kind: string;
  recipient: string;
  subject: string;
  text: string;
  event: unknown;
}

/**
 * POSTs the notification as JSON, signed the way the gateway checks inbound
 * webhooks (Meta's `X-Hub-Signature-256` style): `sha256=<hex HMAC-SHA256 of
 * the raw body>` under the secret from `SQUADFLOW_NOTIFY_WEBHOOK_SECRET`, in
 * `X-Squadflow-Signature-256`. `X-Squadflow-Delivery` is the idempotency id:
 * the same on every retry, so a receiver drops a repeat. A 2xx is delivered;
 * 408, 429 and 5xx (and network errors) are retried by the notifier; any
 * other status is permanent.
 */
export class WebhookChannel implements NotifierChannel {
  readonly name = 'webhook' as const;

  constructor(
    private readonly secret: string,
    private readonly timeoutMs: number,
  ) {}

  async deliver(delivery: Delivery): Promise<void> {
    const { notification: n } = delivery;
    const body: WebhookBody = {
      id: delivery.id,
      kind: n.kind,
      recipient: delivery.recipient,
      subject: n.subject,
      text: n.text,
      event: n.event,
    };
    const raw = JSON.stringify(body);
    const response = await fetch(delivery.address, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [WEBHOOK_SIGNATURE_HEADER]: `sha256=${createHmac('sha256', this.secret).update(raw).digest('hex')}`,
        [WEBHOOK_DELIVERY_HEADER]: delivery.id,
        [WEBHOOK_EVENT_HEADER]: n.kind,
      },
      body: raw,
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    await response.body?.cancel();
    if (response.ok) return;
    const message = `webhook ${new URL(delivery.address).origin} answered ${response.status}`;
    if (response.status === 408 || response.status === 429 || response.status >= 500) throw new Error(message);
    throw new PermanentDeliveryError(message);
  }
}
