/** Exporting archived executions (ended, past their retention) as JSON lines: docs/retention.md. */
import { Readable } from 'node:stream';
import { NameSchema } from '@squadflow/shared';
import type { ExecutionView } from '@squadflow/engine';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { ExecutionViewSchema } from '../schemas.ts';
import { TimeQuery } from './executions.ts';

// Strict: a misspelt filter (`?sinse=`) is refused by name, not silently ignored into a full export.
const ExportQuery = z.strictObject({
  workflow: NameSchema.optional(),
  since: TimeQuery.optional().describe('created at or after (epoch ms or ISO 8601)'),
  until: TimeQuery.optional().describe('created before (epoch ms or ISO 8601)'),
});

export function registerArchiveRoutes({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/archive/executions',
      operationId: 'exportArchivedExecutions',
      summary: 'Archived executions as JSON lines, oldest archived first',
      description:
        'Ended executions leave the hot store after the retention (default 7 days) and are kept in the archive stream ' +
        '(default 90 days). This streams them, one execution view per line (`archived: true`), filtered by workflow and ' +
        'creation time. A bulk export: it reads the whole archive in order.',
      tags: ['executions'],
      access: 'read',
      query: ExportQuery,
      responses: {
        200: { description: 'one execution per line', schema: ExecutionViewSchema, contentType: 'application/x-ndjson' },
      },
      handler: async ({ query, reply }) => {
        const views = client.exportArchive(query);
        // The first line is read before the status goes out, so a failure to reach the archive is an error answer, not an empty 200.
        const iterator = views[Symbol.asyncIterator]();
        const first = await iterator.next();
        return reply.type('application/x-ndjson').send(Readable.from(lines(first, iterator)));
      },
    }),
  );
}

async function* lines(first: IteratorResult<ExecutionView>, rest: AsyncIterator<ExecutionView>): AsyncIterable<string> {
  for (let next = first; !next.done; next = await rest.next()) yield `${JSON.stringify(next.value)}\n`;
}
