import { randomBytes } from 'node:crypto';

/**
 * Span ids chosen by the caller. The SDK asks its `IdGenerator` for the id
 * of every span it starts; squadflow's spans that outlive a process (an
 * execution lasts hours and may end on another replica) are emitted once,
 * at their end, with an explicit start time and an id derived from the
 * execution or command id (`deterministicSpanId`), which their children
 * already used as their parent id. `withPinnedIds` hands that id to the
 * generator for the one synchronous `startSpan` it wraps; every other span
 * gets a random id.
 */
let pinnedTraceId: string | undefined;
let pinnedSpanId: string | undefined;

/** Runs `start` (one synchronous `tracer.startSpan`) with the span (and, for a root span, trace) id given. */
export function withPinnedIds<T>(ids: { spanId: string; traceId?: string }, start: () => T): T {
  pinnedSpanId = ids.spanId;
  pinnedTraceId = ids.traceId;
  try {
    return start();
  } finally {
    pinnedSpanId = undefined;
    pinnedTraceId = undefined;
  }
}

/** The SDK's `IdGenerator` (structurally): the pinned ids once, else random ones. */
export class PinnableIdGenerator {
  generateTraceId(): string {
    const id = pinnedTraceId;
    pinnedTraceId = undefined;
    return id ?? randomHex(16);
  }

  generateSpanId(): string {
    const id = pinnedSpanId;
    pinnedSpanId = undefined;
    return id ?? randomHex(8);
  }
}

function randomHex(bytes: number): string {
  for (;;) {
    const hex = randomBytes(bytes).toString('hex');
    if (/[^0]/.test(hex)) return hex;
  }
}
