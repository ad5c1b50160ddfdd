/** Back-pressure at the gateway: a full stream is a 503 naming the limit; consumer backlogs are gauges with a warning at 90 %. */
import { names, type Logger } from '@squadflow/shared';
import { StreamFullError, type ConsumerBacklog, type Transport } from '@squadflow/transport';
import { Registry } from 'prom-client';
import { describe, expect, it, vi } from 'vitest';
import { toErrorAnswer } from '../src/http/errors.ts';
import { BacklogGauges } from '../src/routes/backlog-gauges.ts';

describe('back-pressure', () => {
  it('a full stream is 503 UNAVAILABLE with Retry-After, naming the limit and saying nothing was stored', () => {
    const answer = toErrorAnswer(new StreamFullError('p.in.trigger.orders', 'max_msgs'), 'req-1');
    expect(answer.statusCode).toBe(503);
    expect(answer.headers['retry-after']).toMatch(/^\d+$/);
    expect(answer.internal).toBe(false);
    expect(answer.body.error).toMatchObject({
      code: 'UNAVAILABLE',
      details: { outcome: 'refused', reason: 'STREAM_FULL', limit: 'max_msgs' },
    });
    expect(answer.body.error.message).toMatch(/max_msgs.*not stored/);
  });

  it('publishes each consumer backlog as gauges and warns once per crossing of 90 % of max_ack_pending', async () => {
    const n = names('bp');
    let ackPending = 9;
    const backlog = async (stream: string): Promise<ConsumerBacklog[]> =>
      stream === n.streams.commands
        ? [{ stream, durable: 'bp_squad_alpha', ackPending, maxAckPending: 10, pending: 40, redelivered: 0 }]
        : [];
    const transport = { streams: { backlog } } as unknown as Transport;
    const warn = vi.fn();
    const registry = new Registry();
    const gauges = new BacklogGauges(registry, { warn } as unknown as Logger);

    await gauges.update(transport, n);
    const text = await registry.metrics();
    expect(text).toContain(`squadflow_consumer_ack_pending{stream="${n.streams.commands}",consumer="bp_squad_alpha"} 9`);
    expect(text).toContain(`squadflow_consumer_max_ack_pending{stream="${n.streams.commands}",consumer="bp_squad_alpha"} 10`);
    expect(text).toContain(`squadflow_consumer_pending{stream="${n.streams.commands}",consumer="bp_squad_alpha"} 40`);
    expect(text).toContain(`squadflow_consumer_ack_pending_ratio{stream="${n.streams.commands}",consumer="bp_squad_alpha"} 0.9`);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toMatchObject({ consumer: 'bp_squad_alpha', ackPending: 9, maxAckPending: 10 });

    await gauges.update(transport, n); // still saturated: no second line
    expect(warn).toHaveBeenCalledTimes(1);
    ackPending = 3;
    await gauges.update(transport, n);
    ackPending = 10;
    await gauges.update(transport, n); // saturated again: warned again
    expect(warn).toHaveBeenCalledTimes(2);
  });
});
