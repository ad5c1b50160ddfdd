/**
 * Floor (a): 4 sequential core request/replies to 4 responder processes —
 * the message pattern of chain4 with nothing stored. Responders run as
 * their own processes, like squads.
 */
import type { RunOne } from '../lib/load.ts';
import type { NatsConnection } from '../lib/nats.ts';
import { spawnNode, type Child } from '../lib/processes.ts';

const REQUEST = new TextEncoder().encode(JSON.stringify({ input: { payload: 'q'.repeat(170) } }));

export const responderSubject = (prefix: string, index: number): string => `${prefix}.floor.svc.${index}`;

export function startResponders(prefix: string, count = 4): Promise<Child[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      spawnNode('bench/processes/responder.ts', { label: `responder ${i}`, env: { RESPONDER_SUBJECT: responderSubject(prefix, i) } }),
    ),
  );
}

export function coreChain(nc: NatsConnection, prefix: string): RunOne {
  const subjects = [0, 1, 2, 3].map((i) => responderSubject(prefix, i));
  return async () => {
    for (const subject of subjects) await nc.request(subject, REQUEST, { timeout: 10_000 });
  };
}
