/**
 * Live lifecycle events as server-sent events: `GET /v1/events`. A tail of
 * the lifecycle stream (transport `Streams.tail`: an ephemeral consumer
 * that is deleted when the client leaves), filtered by workflow in the
 * subject and by execution and type here. The event id is the stream
 * sequence, so `Last-Event-ID` resumes exactly where a client left off
 * (for as long as the stream keeps events: 7 days).
 */
import { LifecycleEventSchema, lifecycleCodec, NameSchema, type LifecycleEvent, type Logger } from '@squadflow/shared';
import type { StoredStreamMessage, Tail } from '@squadflow/transport';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { EventStream } from '../http/event-stream.ts';
import { HttpError } from '../http/errors.ts';
import { defineRoute } from '../http/route.ts';
import { redactSecrets } from '../http/secret-redaction.ts';

const TypeSchema = LifecycleEventSchema.shape.type;

const EventsQuery = z.object({
  workflow: NameSchema.optional(),
  execution: z.string().min(1).max(200).optional(),
  types: z
    .string()
    .describe('comma-separated lifecycle types: execution.started,step.completed')
    .transform((s) => s.split(',').filter(Boolean))
    .pipe(z.array(TypeSchema).min(1))
    .optional(),
});

const EventsHeaders = z.object({
  'Last-Event-ID': z
    .string()
    .regex(/^\d{1,15}$/, 'expected the id of an event this stream sent (a stream sequence)')
    .optional(),
});

/** Decodes each stored lifecycle message, keeps those the query asks for, and sends them (redacted) with their sequence as id. */
function relay(stream: EventStream, query: z.output<typeof EventsQuery>, logger: Logger): (m: StoredStreamMessage) => void {
  return (m) => {
    let event: LifecycleEvent;
    try {
      event = lifecycleCodec.decode(m.data);
    } catch (err) {
      logger.warn({ err, subject: m.subject, seq: m.seq }, 'event stream: an invalid lifecycle message was skipped');
      return;
    }
    if (query.execution !== undefined && event.executionId !== query.execution) return;
    if (query.types !== undefined && !query.types.includes(event.type)) return;
    stream.send(m.seq, event.type, redactSecrets(event));
  };
}

export function registerEventRoutes({ transport, names, config, routes, logger }: GatewayDeps, app: FastifyInstance): void {
  const open = new Set<EventStream>();
  // fastify waits for answers in flight before it closes, and these never end by themselves.
  app.addHook('preClose', async () => {
    for (const stream of open) stream.close();
  });

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/events',
      operationId: 'streamEvents',
      summary: 'Live lifecycle events as server-sent events (`text/event-stream`)',
      description:
        'Each event: `id:` the stream sequence, `event:` the lifecycle type, `data:` the lifecycle event JSON; a `: keepalive` comment ' +
        'every 15 s. `Last-Event-ID` resumes after that event. Filters: `workflow`, `execution`, `types`. Read with fetch streaming ' +
        '(the `Authorization` header), not EventSource. At most SQUADFLOW_MAX_EVENT_STREAMS streams at once (503 beyond).',
      tags: ['events'],
      access: 'read',
      query: EventsQuery,
      headers: EventsHeaders,
      responses: {
        200: { description: 'the event stream', contentType: 'text/event-stream', schema: z.string() },
        503: { description: 'too many event streams open (`UNAVAILABLE`, `Retry-After`)' },
      },
      handler: async ({ query, headers, request, reply }) => {
        if (open.size >= config.maxEventStreams) {
          throw new HttpError(503, 'UNAVAILABLE', `at most ${config.maxEventStreams} event streams at once`, [], { 'retry-after': '5' });
        }
        const tail = transport.streams.tail?.bind(transport.streams);
        if (!tail) throw new HttpError(503, 'NOT_CONFIGURED', 'this transport cannot follow a stream');
        const stream = new EventStream(request, reply, config.eventKeepaliveMs);
        const deliver = relay(stream, query, logger);
        const last = headers['Last-Event-ID'];
        const subject = names.lifecycleFilter({
          ...(query.workflow ? { workflow: query.workflow } : {}),
          ...(query.types?.length === 1 ? { type: query.types[0] } : {}),
        });
        // A tail that ends by itself (its consumer vanished) ends the answer: the client resumes with Last-Event-ID.
        const onEnd = (reason: string): void => {
          logger.warn({ reason }, 'event stream: the lifecycle tail ended; closing the stream');
          stream.close();
        };
        const from = last === undefined ? {} : { fromSeq: Number(last) + 1 };
        const running: Tail = await tail(names.streams.lifecycle, subject, { ...from, onEnd }, deliver);
        if (stream.isClosed) {
          await running.stop();
          throw new HttpError(503, 'UNAVAILABLE', 'the lifecycle stream ended before the event stream opened', [], { 'retry-after': '1' });
        }
        stream.open();
        open.add(stream);
        stream.onClose(() => {
          open.delete(stream);
          void running.stop().catch((err: unknown) => logger.warn({ err }, 'event stream: the tail did not stop cleanly'));
        });
        return reply;
      },
    }),
  );
}
