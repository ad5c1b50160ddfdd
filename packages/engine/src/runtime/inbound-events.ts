/**
 * What an inbound message means to an execution's machine: the pure
 * translation of a squad's reply, a heartbeat or an operator's control into
 * the machine event the orchestrator applies.
 */
import { StepErrorCode, type ControlMessage, type HeartbeatMessage, type StepReply } from '@squadflow/shared';
import { machineEvent } from '../compile/events.ts';
import type { MachineEvent } from '../compile/index.ts';

/** A reply's result as the machine sees it: a successful reply over `maxBytes` on the wire fails with PAYLOAD_TOO_LARGE. */
export function replyResult(r: StepReply, bytes: number, maxBytes: number) {
  if (r.ok && bytes > maxBytes) {
    return {
      attempt: r.attempt,
      ok: false,
      error: {
        message: `the reply is ${bytes} bytes, over the ${maxBytes}-byte bound for a step's output`,
        code: StepErrorCode.PAYLOAD_TOO_LARGE,
        retryable: false,
      },
    };
  }
  return {
    attempt: r.attempt,
    ok: r.ok,
    ...(r.output === undefined ? {} : { output: r.output }),
    ...(r.error ? { error: r.error } : {}),
  };
}

export function heartbeatEvent(h: HeartbeatMessage): MachineEvent {
  const progress = h.progress === undefined ? {} : { progress: h.progress };
  return machineEvent.heartbeat(h.step, h.compensation, { attempt: h.attempt, ...progress });
}

/**
 * The controls that are machine events; a rewind (retry from a step) rebuilds the snapshot instead
 * (rewind-execution.ts), and a rearm arms the execution's timers on its partition's holder.
 */
export type MachineControl = Exclude<ControlMessage, { action: 'rewind' | 'rearm' }>;

export function controlEvent(c: MachineControl): MachineEvent {
  switch (c.action) {
    case 'cancel':
      return machineEvent.cancel(c.reason);
    case 'pause':
      return machineEvent.pause(c.reason);
    case 'resume':
      return machineEvent.resume();
    case 'watch':
      return machineEvent.watch({ ...c.watcher, mode: 'wait' });
    case 'compensate':
      return machineEvent.compensate({ ...c.watcher, mode: 'compensation' });
    default:
      return machineEvent.resolve(c.action, c.step);
  }
}
