import type { z } from 'zod';
import { SquadflowError, toFieldIssues } from '../errors.ts';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * One schema-backed codec per wire message: every NATS payload is encoded and
 * decoded here, never with an ad-hoc `JSON.parse`. Decoding validates and
 * throws `INVALID_MESSAGE` naming each bad field.
 */
export interface Codec<T> {
  readonly schema: z.ZodType<T>;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
  /** Validates an already-parsed value. */
  parse(value: unknown): T;
}

export function codec<S extends z.ZodType>(name: string, schema: S): Codec<z.output<S>> {
  const parse = (value: unknown): z.output<S> => {
    const result = schema.safeParse(value);
    if (!result.success) throw new SquadflowError('INVALID_MESSAGE', `invalid ${name}`, toFieldIssues(result.error.issues));
    return result.data;
  };
  return {
    schema: schema as unknown as z.ZodType<z.output<S>>,
    encode: (value) => encoder.encode(JSON.stringify(value)),
    decode: (bytes) => {
      let value: unknown;
      try {
        value = JSON.parse(decoder.decode(bytes));
      } catch (err) {
        throw new SquadflowError('INVALID_MESSAGE', `invalid ${name}: not JSON (${(err as Error).message})`);
      }
      return parse(value);
    },
    parse,
  };
}
