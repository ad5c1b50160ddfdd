import { executionIdFor, names, traceHeaders, triggerCodec, type JsonObject } from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';

/** Starts the next handoff's workflow. The same key starts it once and always names the same execution. */
export interface HandoffStarter {
  /** Resolves with the id of the execution the trigger starts (or started before, for a repeated key). */
  start(workflow: string, context: JsonObject, idempotencyKey: string): Promise<string>;
}

/**
 * Starts a workflow the way any outside service does: a trigger message on
 * `<prefix>.in.trigger.<workflow>` (squads never call the engine). The
 * execution id is the one the engine derives from the key
 * (`executionIdFor`, the trigger contract), sent in the message too, so the
 * id returned is the real one without a read back. A repeated publish is
 * dropped by JetStream's dedup window (`Nats-Msg-Id`), and after the window
 * by the engine, which finds the execution stored under that id.
 */
export function triggerPublisher(transport: Transport, prefix = 'sqf'): HandoffStarter {
  const n = names(prefix);
  return {
    async start(workflow, context, idempotencyKey) {
      const executionId = executionIdFor(workflow, idempotencyKey);
      const message = triggerCodec.encode({
        kind: 'trigger',
        workflow,
        executionId,
        idempotencyKey,
        context,
        requestedAt: transport.clock.now(),
      });
      // The handler's span is active here: the next execution joins the trace of the one that handed on.
      const headers = traceHeaders();
      await transport.streams.publish(n.trigger(workflow), message, { msgId: `trigger.${executionId}`, ...(headers ? { headers } : {}) });
      return executionId;
    },
  };
}
