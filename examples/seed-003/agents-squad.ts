import { z } from 'zod';
import { defineSquad, NonRetryableError } from '@squadflow/squads';

const Any = z.record(z.string(), z.unknown()).nullish();
const Done = z.object({ by: z.string(), step: z.string(), ok: z.boolean() }).passthrough();

/** One action per agent role of seed 003; each records who did what. `fail: true` in the input makes it fail. */
function role(name: string) {
  return {
    description: `${name} agent`,
    input: Any,
    output: Done,
    handler: (input: Record<string, unknown> | null | undefined, ctx: { step: string }) => {
      if (input?.['fail'] === true) throw new NonRetryableError(`${name} cannot do ${ctx.step}`);
      return { by: name, step: ctx.step, ok: true, ...(input?.['report'] ? { report: input['report'] } : {}) };
    },
  };
}

/** The agents of seed 003 as one squad: a business analyst, engineers, QA, devops, and so on. */
export const agentsSquad = defineSquad({
  name: 'agents',
  description: 'Seed 003 agents (business analyst, engineers, QA, devops...)',
  actions: Object.fromEntries(
    [
      'business_analyst',
      'software_engineer',
      'qa_tester',
      'devops',
      'ui_designer',
      'frontend_developer',
      'backend_architect',
      'backend_developer',
      'security_agent',
      'security_engineer',
      'project_manager',
      'notification_service',
      'data_validator',
      'data_transformer',
      'sync_agent',
      'rollback',
    ].map((name) => [name, role(name)]),
  ),
});
