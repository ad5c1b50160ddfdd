/**
 * The saga: after a step with `onError: compensate` fails and the running
 * steps have settled, the compensations of completed steps run one at a
 * time, in reverse completion order. Each compensation has the step's retry
 * policy and timeout; one that still fails escalates, and an operator's
 * signal retries it, skips it, or aborts (the execution ends `failed`).
 */
export function compensatingState(): Record<string, unknown> {
  const next = [{ guard: 'compHasNext', target: 'preparing', reenter: true, actions: ['compNext'] }, { target: '#workflow.compensated' }];
  return {
    initial: 'preparing',
    entry: ['compStart'],
    states: {
      preparing: {
        entry: ['compEvaluate'],
        on: {
          ceval: [
            { guard: 'compEvalFailed', target: 'escalated', actions: ['compEvalError'] },
            { guard: 'compEvalOk', target: 'running', actions: ['compApplyEval'] },
          ],
        },
      },
      running: {
        entry: ['compDispatch'],
        on: {
          creply: [
            { guard: 'compReplyOk', target: 'done', actions: ['compSucceed'] },
            { guard: 'compCanRetry', target: 'backoff', actions: ['compFailAttempt'] },
            { guard: 'compCurrent', target: 'escalated', actions: ['compFailAttempt'] },
          ],
          cheartbeat: { guard: 'compCurrentHeartbeat', actions: ['compHeartbeat'] },
          ctimer: [
            { guard: 'compTimeoutRetry', target: 'backoff', actions: ['compTimeoutAttempt'] },
            { guard: 'compTimeoutCurrent', target: 'escalated', actions: ['compTimeoutAttempt'] },
          ],
        },
      },
      backoff: {
        entry: ['compBackoff'],
        on: { ctimer: { guard: 'compBackoffFired', target: 'running', actions: ['compBackoffFired'] } },
      },
      escalated: {
        entry: ['compEscalate'],
        on: {
          resolve: [
            { guard: { type: 'resolveIs', params: { action: 'retry' } }, target: 'running', actions: ['compResolved', 'compRetry'] },
            { guard: { type: 'resolveIs', params: { action: 'skip' } }, target: 'done', actions: ['compResolved', 'compSkipped'] },
            {
              guard: { type: 'resolveIs', params: { action: 'abort' } },
              target: '#workflow.failed',
              actions: ['compResolved', 'compAbort'],
            },
          ],
        },
      },
      // A transient state would need an eventless transition; instead `done`
      // decides on the same internal event the saga raises for itself.
      done: {
        entry: ['raiseCompNext'],
        // While paused, the next compensation waits for the resume.
        on: { 'comp.next': [{ guard: 'isPaused' }, ...next], resumed: next },
      },
    },
  };
}
