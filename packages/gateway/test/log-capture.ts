/**
 * A logger that keeps every line it writes, at every level, so a test can
 * search the whole log of a run for secrets.
 */
import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@squadflow/shared';

export interface CapturedLog {
  logger: Logger;
  lines: string[];
  /** The lines that contain `needle` (raw or percent-encoded). */
  containing(needle: string): string[];
}

export function captureLog(): CapturedLog {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  return {
    logger: createLogger({ level: 'trace' }, sink),
    lines,
    containing: (needle) => lines.filter((l) => l.includes(needle) || l.includes(encodeURIComponent(needle))),
  };
}
