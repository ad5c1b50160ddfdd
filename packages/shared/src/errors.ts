/**
 * Typed errors with stable codes. Every error squadflow raises on purpose is a
 * `SquadflowError`; `issues` names each field at fault (zod-style paths).
 */
export type ErrorCode =
  | 'INVALID_DEFINITION'
  /** A definition over `MAX_DEFINITION_STEPS` or `MAX_DEFINITION_BYTES` (definition/limits.ts). */
  | 'DEFINITION_TOO_LARGE'
  | 'INVALID_CONTEXT'
  | 'INVALID_MESSAGE'
  | 'INVALID_EXPRESSION'
  /** An expression went past one of its evaluation limits (size, time, depth): see docs/definitions.md. */
  | 'EXPRESSION_LIMIT'
  | 'INVALID_CONFIG'
  | 'INVALID_ARGUMENT'
  | 'WORKFLOW_NOT_FOUND'
  | 'EXECUTION_NOT_FOUND'
  | 'SCHEDULE_NOT_FOUND'
  | 'EXECUTION_ENDED'
  | 'CONFLICT'
  | 'TIMEOUT'
  | 'UNAVAILABLE'
  | 'PAYLOAD_TOO_LARGE';

export interface FieldIssue {
  /** Path of the field at fault, e.g. `steps.2.dependsOn.0` or `context.customer_phone`. */
  path: string;
  message: string;
}

export class SquadflowError extends Error {
  override readonly name = 'SquadflowError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly issues: FieldIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(issues.length ? `${message}: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}` : message, options);
  }

  toJSON(): { code: ErrorCode; message: string; issues: FieldIssue[] } {
    return { code: this.code, message: this.message, issues: this.issues };
  }
}

/** Converts zod issues (or anything with `path` and `message`) into field issues. */
export function toFieldIssues(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix = ''): FieldIssue[] {
  return issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}
