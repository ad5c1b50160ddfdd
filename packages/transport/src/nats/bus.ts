import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@squadflow/shared';
import type { Bus } from '../ports.ts';

/** Core NATS pub/sub. A throwing handler is logged and does not end the subscription. */
export class NatsBus implements Bus {
  constructor(
    private readonly nc: NatsConnection,
    private readonly logger?: Logger,
  ) {}

  publish(subject: string, data: Uint8Array): void {
    this.nc.publish(subject, data);
  }

  subscribe(subject: string, handler: (subject: string, data: Uint8Array) => void): { unsubscribe(): void } {
    const sub = this.nc.subscribe(subject, {
      callback: (err, msg) => {
        if (err) {
          this.logger?.error({ err, subject }, 'subscription failed');
          return;
        }
        try {
          handler(msg.subject, msg.data);
        } catch (error) {
          this.logger?.error({ err: error, subject: msg.subject }, 'bus subscriber failed');
        }
      },
    });
    return { unsubscribe: () => sub.unsubscribe() };
  }
}
