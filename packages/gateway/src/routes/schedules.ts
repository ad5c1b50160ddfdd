/** Durable schedules (docs/schedules.md): list, create, read, pause, resume, delete. */
import type { ScheduleSpec } from '@squadflow/engine';
import { SquadflowError } from '@squadflow/shared';
import { z } from 'zod';
import type { GatewayDeps } from '../deps.ts';
import { defineRoute } from '../http/route.ts';
import { ScheduleIdParams, ScheduleSpecSchema, ScheduleViewSchema } from '../schemas.ts';

/** `/v1/schedules/{id}`: where a schedule can be read. */
export const scheduleLocation = (id: string): string => `/v1/schedules/${id}`;

const theSchedule = { 200: { description: 'the schedule', schema: ScheduleViewSchema } };

export function registerScheduleRoutes({ client, routes }: GatewayDeps): void {
  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/schedules',
      operationId: 'listSchedules',
      summary: 'Every schedule, by id',
      tags: ['schedules'],
      access: 'read',
      responses: { 200: { description: 'the schedules', schema: z.object({ schedules: z.array(ScheduleViewSchema) }) } },
      handler: async () => ({ schedules: await client.listSchedules() }),
    }),
  );

  routes.add(
    defineRoute({
      method: 'POST',
      url: '/v1/schedules',
      operationId: 'createSchedule',
      summary: 'Create a schedule that starts a workflow once per slot (cron, every or at)',
      description:
        'The body is the spec (docs/schedules.md). A bad spec is 400 `INVALID_ARGUMENT` naming each field; an unknown ' +
        'workflow 404; a context the workflow refuses 422 `INVALID_CONTEXT`; a taken id 409 `CONFLICT`.',
      tags: ['schedules'],
      access: 'admin',
      // The engine validates (exactly one timing field, cron syntax, time zone) and names the field at fault.
      body: { schema: ScheduleSpecSchema, required: true, validate: false },
      responses: { 201: { description: 'created', schema: ScheduleViewSchema, headers: { Location: 'the schedule' } } },
      handler: async ({ body, reply }) => {
        const created = await client.createSchedule(body as ScheduleSpec);
        return reply.code(201).header('location', scheduleLocation(created.id)).send(created);
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'GET',
      url: '/v1/schedules/:id',
      operationId: 'getSchedule',
      summary: 'A schedule: its spec, state, next slot and what became of the last one',
      tags: ['schedules'],
      access: 'read',
      params: ScheduleIdParams,
      responses: theSchedule,
      handler: async ({ params }) => {
        const schedule = await client.getSchedule(params.id);
        if (!schedule) throw scheduleNotFound(params.id);
        return schedule;
      },
    }),
  );

  routes.add(
    defineRoute({
      method: 'DELETE',
      url: '/v1/schedules/:id',
      operationId: 'deleteSchedule',
      summary: 'Delete a schedule; runs it started go on',
      tags: ['schedules'],
      access: 'admin',
      params: ScheduleIdParams,
      responses: { 204: { description: 'deleted' } },
      handler: async ({ params, reply }) => {
        await client.deleteSchedule(params.id);
        return reply.code(204).send();
      },
    }),
  );

  const changes = [
    {
      action: 'pause',
      operationId: 'pauseSchedule',
      summary: 'Stop firing (a run in progress goes on); pausing a paused or finished schedule changes nothing',
      run: (id: string) => client.pauseSchedule(id),
    },
    {
      action: 'resume',
      operationId: 'resumeSchedule',
      summary: 'Fire again from the next slot (slots that fell due while paused are skipped)',
      run: (id: string) => client.resumeSchedule(id),
    },
  ] as const;
  for (const { action, operationId, summary, run } of changes) {
    routes.add(
      defineRoute({
        method: 'POST',
        url: `/v1/schedules/:id/${action}`,
        operationId,
        summary,
        tags: ['schedules'],
        access: 'admin',
        params: ScheduleIdParams,
        responses: theSchedule,
        handler: async ({ params }) => run(params.id),
      }),
    );
  }
}

function scheduleNotFound(id: string): SquadflowError {
  return new SquadflowError('SCHEDULE_NOT_FOUND', `schedule "${id}" not found`, [{ path: 'id', message: 'no such schedule' }]);
}
