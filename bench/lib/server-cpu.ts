/**
 * CPU of the local nats-server process, so a figure can say what the whole
 * machine spent per execution (server included), not only our processes.
 * Found by scanning /proc for a `nats-server` whose command line listens on
 * the bench's port; undefined when the server is remote or not found.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { readCpuMs } from './rss.ts';
import { natsUrl } from './nats.ts';

let cached: number | null | undefined;

export function natsServerPid(): number | undefined {
  if (cached !== undefined) return cached ?? undefined;
  cached = null;
  const url = new URL(
    natsUrl()
      .split(',')[0]!
      .replace(/^nats:/, 'http:'),
  );
  if (!['127.0.0.1', 'localhost', '::1', '[::1]'].includes(url.hostname)) return undefined;
  const port = url.port || '4222';
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (!args[0]?.endsWith('nats-server')) continue;
      const i = args.findIndex((a) => a === '-p' || a === '--port');
      const listens = i >= 0 ? args[i + 1] : (args.find((a) => a.startsWith('--port='))?.slice(7) ?? '4222');
      if (listens === port) {
        cached = Number(entry);
        break;
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return cached ?? undefined;
}

/** CPU ms the local nats-server has used so far (NaN when unknown). */
export function serverCpuMs(): number {
  const pid = natsServerPid();
  return pid === undefined ? Number.NaN : readCpuMs(pid);
}
