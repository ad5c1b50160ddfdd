import type { NatsConnection } from '@nats-io/transport-node';
import type { Logger } from '@squadflow/shared';
import {
  joinServiceAnswers,
  ServiceInfoSchema,
  ServiceStatsSchema,
  type DiscoverOptions,
  type DiscoveredService,
  type ServiceDirectory,
} from '../services.ts';
import type { z } from 'zod';

const DEFAULT_WAIT_MS = 500;
/** Answers come in a burst; once none came for this long, the burst is over. */
const STALL_MS = 100;

/**
 * Discovery over the NATS services API: `$SRV.INFO[.<name>]` and
 * `$SRV.STATS[.<name>]` as scatter-gather requests (every instance
 * answers), collected until answers stall or `waitMs` passes. An answer
 * that does not parse is skipped (logged): another program's service must
 * not break the listing.
 */
export class NatsServices implements ServiceDirectory {
  constructor(
    private readonly nc: NatsConnection,
    private readonly logger?: Logger,
  ) {}

  async discover(options: DiscoverOptions = {}): Promise<DiscoveredService[]> {
    const suffix = options.name === undefined ? '' : `.${options.name}`;
    const wait = options.waitMs ?? DEFAULT_WAIT_MS;
    const [infos, stats] = await Promise.all([
      this.gather(`$SRV.INFO${suffix}`, ServiceInfoSchema, wait),
      this.gather(`$SRV.STATS${suffix}`, ServiceStatsSchema, wait),
    ]);
    return joinServiceAnswers(infos, stats);
  }

  private async gather<S extends z.ZodType>(subject: string, schema: S, maxWait: number): Promise<Array<z.output<S>>> {
    const out: Array<z.output<S>> = [];
    let answers: AsyncIterable<{ data: Uint8Array; json(): unknown }>;
    try {
      answers = await this.nc.requestMany(subject, undefined, { strategy: 'stall', stall: STALL_MS, maxWait });
    } catch (err) {
      this.logger?.debug({ err, subject }, 'service discovery request failed');
      return out;
    }
    try {
      for await (const msg of answers) {
        if (msg.data.length === 0) continue; // a no-responders status
        let value: unknown;
        try {
          value = msg.json();
        } catch {
          continue;
        }
        const parsed = schema.safeParse(value);
        if (parsed.success) out.push(parsed.data);
        else this.logger?.debug({ subject }, 'a service discovery answer did not parse; skipped');
      }
    } catch (err) {
      // No responders ends the iteration with an error: nobody is registered.
      this.logger?.debug({ err, subject }, 'service discovery ended');
    }
    return out;
  }
}
