import { z } from 'zod';

/** Where one step of an execution stands (the execution view's `steps[].status`). */
export const StepStatusSchema = z.enum([
  'blocked',
  'evaluating',
  'delayed',
  'running',
  'backoff',
  'waiting',
  'escalated',
  'paused',
  'completed',
  'skipped',
  'failed',
  'halted',
  'compensating',
  'compensated',
]);
export type StepStatus = z.output<typeof StepStatusSchema>;

/** How one attempt of a step (or of its compensation) ended, or `running`. */
export const AttemptStatusSchema = z.enum(['running', 'completed', 'failed', 'timed_out', 'abandoned']);
export type AttemptStatus = z.output<typeof AttemptStatusSchema>;
