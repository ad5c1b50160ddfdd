import type { NotifyConfig, Recipient } from '@squadflow/shared';
import type { ChannelName } from './port.ts';

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const PHONE = /^\+[\d\s().-]{8,24}$/;

/**
 * The addresses of a recipient name: its entry in `recipients`, else the
 * name itself when it is an e-mail address or an international phone number
 * (`+55...`: WhatsApp). Unknown names have none (the notifier logs them).
 */
export function addressesOf(config: NotifyConfig, name: string): Array<{ channel: ChannelName; address: string }> {
  const entry: Recipient | undefined = config.recipients[name];
  if (entry) {
    return [
      ...(entry.email ? [{ channel: 'email' as const, address: entry.email }] : []),
      ...(entry.whatsapp ? [{ channel: 'whatsapp' as const, address: entry.whatsapp }] : []),
      ...(entry.webhook ? [{ channel: 'webhook' as const, address: entry.webhook }] : []),
    ];
  }
  if (EMAIL.test(name)) return [{ channel: 'email', address: name }];
  if (PHONE.test(name)) return [{ channel: 'whatsapp', address: name }];
  return [];
}
