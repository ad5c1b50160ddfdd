/**
 * Probing NATS permissions: connect as a user (with the transport, so with
 * that user's own inbox), try an action, and wait for the server's
 * permissions violation naming the subject. Shared by the least-privilege
 * test (nats-permissions.test.ts) and the deployment proof (test/deploy/).
 */
import { connectNatsTransport, natsConnectionOf, type Transport } from '@squadflow/transport';

type Connection = NonNullable<ReturnType<typeof natsConnectionOf>>;

export interface Probe {
  transport: Transport;
  nc: Connection;
  /** Every error the server reported to this connection. */
  errors: string[];
}

/** How long a denied action has to show its permissions violation. */
const VIOLATION_WITHIN_MS = 3_000;

/** A connection to `url` (carrying the user's credentials), recording every error the server reports to it. */
export async function connectProbe(url: string, name: string): Promise<Probe> {
  const transport = await connectNatsTransport({ servers: url, name });
  const nc = natsConnectionOf(transport)!;
  const errors: string[] = [];
  void (async () => {
    for await (const s of nc.status()) if (s.type === 'error') errors.push(String((s as { error?: unknown }).error));
  })();
  return { transport, nc, errors };
}

/** Runs `action` and waits for the server's permissions violation naming `subject`. */
export async function expectViolation(probe: Probe, subject: string, action: () => unknown): Promise<void> {
  const before = probe.errors.length;
  try {
    await action();
  } catch {
    // A request to a denied subject also fails on the client side (timeout / permission error): the server's word counts.
  }
  const deadline = Date.now() + VIOLATION_WITHIN_MS;
  while (Date.now() < deadline) {
    if (probe.errors.slice(before).some((e) => /permissions violation/i.test(e) && e.includes(subject))) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`no permissions violation for ${subject}; errors: ${probe.errors.slice(before).join(' | ') || 'none'}`);
}

export const publishes = (probe: Probe, subject: string) => () => probe.nc.publish(subject, '{}');
export const requests = (probe: Probe, subject: string) => () => probe.nc.request(subject, '{}', { timeout: 500 });
export const subscribes = (probe: Probe, subject: string) => async () => {
  probe.nc.subscribe(subject, { callback: () => undefined });
  await probe.nc.flush();
};
