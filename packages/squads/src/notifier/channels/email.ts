import { createHash } from 'node:crypto';
import { createTransport, type Transporter } from 'nodemailer';
import { PermanentDeliveryError, type Delivery, type NotifierChannel } from '../port.ts';

/**
 * E-mail over SMTP with nodemailer, to the server of `SQUADFLOW_SMTP_URL`
 * (`smtp://user:pass@host:587`, `smtps://...:465`; credentials only from
 * the environment). The delivery id becomes the Message-ID, so a repeat
 * is recognisable by mail clients and servers. A 5xx reply (a refused
 * address) is permanent; anything else is retried by the notifier.
 */
export class EmailChannel implements NotifierChannel {
  readonly name = 'email' as const;
  private readonly transporter: Transporter;

  constructor(
    smtpUrl: string,
    private readonly from: string,
    timeoutMs: number,
  ) {
    // The URL's options (host, port, credentials, smtps) merged with ours, as nodemailer documents for `url`.
    this.transporter = createTransport({
      url: smtpUrl,
      connectionTimeout: timeoutMs,
      greetingTimeout: timeoutMs,
      socketTimeout: timeoutMs,
    });
  }

  async deliver(delivery: Delivery): Promise<void> {
    const { notification: n } = delivery;
    const digest = createHash('sha256').update(delivery.id).digest('hex').slice(0, 32);
    try {
      await this.transporter.sendMail({
        from: this.from,
        to: delivery.address,
        subject: n.subject,
        text: n.text,
        messageId: `<${digest}@squadflow>`,
        headers: { 'X-Squadflow-Delivery': delivery.id, 'X-Squadflow-Event': n.kind },
      });
    } catch (err) {
      const code = (err as { responseCode?: unknown }).responseCode;
      if (typeof code === 'number' && code >= 500) throw new PermanentDeliveryError((err as Error).message, { cause: err });
      throw err;
    }
  }

  async close(): Promise<void> {
    this.transporter.close();
  }
}
