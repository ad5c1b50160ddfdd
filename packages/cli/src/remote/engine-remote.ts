import type { EngineClient } from '@squadflow/engine';
import type { Remote } from './remote.ts';

/** A `Remote` over an `EngineClient`: a deployment on NATS, or `run`'s one-shot in-memory squadflow. */
export function engineRemote(client: EngineClient, where: string, close: () => Promise<void>): Remote {
  return {
    where,
    close,
    trigger: (workflow, context, options = {}) => client.trigger(workflow, context, options),
    getExecution: (id) => client.getExecution(id),
    listExecutions: (filter) => client.listExecutions(filter),
    startExecution: (id) => client.start(id),
    cancel: (id, reason) => client.cancel(id, reason),
    pause: (id, reason) => client.pause(id, reason),
    resume: (id) => client.resume(id),
    resolveEscalation: (id, action, step) => client.resolveEscalation(id, action, step),
    retryFromStep: (id, fromStep) => client.retryFromStep(id, fromStep),
    signal: (key, data, options = {}) => client.signal(key, data, options),
    listWorkflows: () => client.listWorkflows(),
    getWorkflow: (name, version) => client.getWorkflow(name, version),
    insights: (name, limit) => client.insights(name, limit),
    registerWorkflow: (definition) => client.registerWorkflow(definition),
    listSchedules: () => client.listSchedules(),
    getSchedule: (id) => client.getSchedule(id),
    createSchedule: (spec) => client.createSchedule(spec),
    pauseSchedule: (id) => client.pauseSchedule(id),
    resumeSchedule: (id) => client.resumeSchedule(id),
    deleteSchedule: (id) => client.deleteSchedule(id),
    listHumanTasks: (filter) => client.listHumanTasks(filter),
    decideHumanTask: (id, step, decision, by) => client.decideHumanTask(id, step, decision, by),
  };
}
