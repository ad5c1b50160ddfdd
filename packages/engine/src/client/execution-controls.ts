import { randomUUID } from 'node:crypto';
import {
  controlCodec,
  encodeToken,
  ExecutionIdSchema,
  signalCodec,
  SquadflowError,
  TERMINAL_STATUSES,
  toFieldIssues,
  type Names,
} from '@squadflow/shared';
import type { Transport } from '@squadflow/transport';
import type { ExecutionView } from './execution-view.ts';
import { assertFits, assertJsonDepth } from './payload-limits.ts';
import { publishChecked } from './trigger-publisher.ts';

/** Signal keys become subject tokens and KV keys (`encodeToken`: up to 3 characters a byte); NATS caps a protocol line at 4 KiB. */
const MAX_SIGNAL_KEY_BYTES = 512;

export interface ExecutionControlDeps {
  transport: Transport;
  names: Names;
  /** Largest signal message accepted, in bytes. */
  contextLimit: () => number;
  getExecution: (executionId: string) => Promise<ExecutionView | null>;
}

/**
 * What the engine client sends to running executions: controls (cancel,
 * pause, resume, escalation resolution), checked against the stored
 * execution before they go, and signals. Each is a message on the inbound
 * stream with an id of ours, so a republish is deduplicated.
 */
export class ExecutionControls {
  constructor(private readonly deps: ExecutionControlDeps) {}

  async cancel(executionId: string, reason?: string): Promise<void> {
    await this.assertActive(executionId);
    await this.control({ kind: 'control', controlId: randomUUID(), executionId, action: 'cancel', ...(reason ? { reason } : {}) });
  }

  async pause(executionId: string, reason?: string): Promise<void> {
    await this.assertActive(executionId);
    await this.control({ kind: 'control', controlId: randomUUID(), executionId, action: 'pause', ...(reason ? { reason } : {}) });
  }

  async resume(executionId: string): Promise<void> {
    await this.assertActive(executionId);
    await this.control({ kind: 'control', controlId: randomUUID(), executionId, action: 'resume' });
  }

  async resolveEscalation(executionId: string, action: 'retry' | 'skip' | 'abort', step?: string): Promise<void> {
    await this.assertActive(executionId);
    await this.control({ kind: 'control', controlId: randomUUID(), executionId, action, ...(step ? { step } : {}) });
  }

  async signal(key: string, data?: unknown, options: { signalId?: string } = {}): Promise<string> {
    if (Buffer.byteLength(key) > MAX_SIGNAL_KEY_BYTES) {
      throw new SquadflowError('INVALID_ARGUMENT', 'invalid signal key', [
        { path: 'key', message: `at most ${MAX_SIGNAL_KEY_BYTES} bytes (UTF-8)` },
      ]);
    }
    if (data !== undefined) assertJsonDepth(data, 'data', 'INVALID_ARGUMENT');
    const signalId = options.signalId ?? randomUUID();
    const message = signalCodec.parse({
      kind: 'signal',
      signalId,
      key,
      ...(data === undefined ? {} : { data }),
      sentAt: this.deps.transport.clock.now(),
    });
    const bytes = signalCodec.encode(message);
    assertFits(bytes.length, this.deps.contextLimit(), 'data', 'the signal message');
    // The id is the caller's text and the msg id a NATS header: encoded, so no CR/LF can split the header and
    // no whitespace the server trims can make two ids one.
    await publishChecked(this.deps.transport, this.deps.names.signal(key), bytes, `signal.${encodeToken(signalId)}`, 'data');
    return signalId;
  }

  private async assertActive(executionId: string): Promise<void> {
    const id = ExecutionIdSchema.safeParse(executionId);
    if (!id.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid execution id', toFieldIssues(id.error.issues, 'executionId'));
    const view = await this.deps.getExecution(executionId);
    if (!view) throw new SquadflowError('EXECUTION_NOT_FOUND', `execution ${executionId} not found`);
    if (TERMINAL_STATUSES.has(view.status))
      throw new SquadflowError('EXECUTION_ENDED', `execution ${executionId} has already ended (${view.status})`);
  }

  /** Checks the control message (a reason over 2,000 characters is refused here, not by the orchestrator later) and publishes it. */
  private control(message: Parameters<typeof controlCodec.encode>[0]): Promise<void> {
    const checked = controlCodec.schema.safeParse(message);
    if (!checked.success) throw new SquadflowError('INVALID_ARGUMENT', 'invalid control', toFieldIssues(checked.error.issues));
    return publishChecked(
      this.deps.transport,
      this.deps.names.control(message.executionId),
      controlCodec.encode(checked.data),
      `control.${message.controlId}`,
      'reason',
    );
  }
}
