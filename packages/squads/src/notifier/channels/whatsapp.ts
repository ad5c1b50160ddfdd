import type { WhatsAppClient } from '../../catalog/whatsapp/client.ts';
import { PermanentDeliveryError, type Delivery, type NotifierChannel } from '../port.ts';

/**
 * A WhatsApp text through the WhatsApp squad's own client: the Cloud API when
 * `WHATSAPP_TOKEN` and `WHATSAPP_PHONE_NUMBER_ID` are set, else the outbox in
 * KV. The delivery id is the idempotency key (the outbox stores a repeat
 * once). A non-retryable client error (a bad number, a refused message) is
 * permanent. Texts outside the 24-hour customer window need an approved
 * template on the real API; operators' own numbers usually have one open.
 */
export class WhatsAppChannel implements NotifierChannel {
  readonly name = 'whatsapp' as const;

  constructor(private readonly client: WhatsAppClient) {}

  async deliver(delivery: Delivery): Promise<void> {
    const { notification: n } = delivery;
    try {
      await this.client.send(
        { to: delivery.address, type: 'text', text: `${n.subject}\n\n${n.text}`, purpose: n.kind },
        { idempotencyKey: delivery.id },
      );
    } catch (err) {
      if ((err as Error).name === 'NonRetryableError') throw new PermanentDeliveryError((err as Error).message, { cause: err });
      throw err;
    }
  }
}
