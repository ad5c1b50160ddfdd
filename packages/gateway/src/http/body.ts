/**
 * Request bodies: JSON only (anything else is 415). The raw bytes are kept on
 * `request.rawBody`, because webhook signatures are HMACs over exactly the
 * bytes the sender signed, not over a re-serialisation of the parsed JSON.
 * Routes marked `deferJson` get no parsed body: they check the signature
 * first and parse afterwards, so an unsigned body is never even parsed.
 * Nesting is checked on the raw bytes before `JSON.parse` (see
 * `MAX_JSON_DEPTH`): what recurses later (the reviver, JSON Schema,
 * `JSON.stringify`) never sees a body nested too deeply.
 */
import { exceedsJsonTextDepth, jsonDepthError, type ErrorCode } from '@squadflow/shared';
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';

/** What a route calls its body in error issues, and the code of a body it refuses (e.g. `context`, `INVALID_CONTEXT`). */
export interface BodyField {
  path: string;
  code: ErrorCode;
}

const ANY_BODY: BodyField = { path: 'body', code: 'INVALID_ARGUMENT' };

/** Replaces fastify's parsers with one JSON parser that keeps the raw body. */
export function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parser: FastifyBodyParser<Buffer> = (request, raw, done) => {
    request.rawBody = raw;
    if (request.routeOptions.config?.deferJson) return done(null, undefined);
    try {
      done(null, parseJson(raw, request.routeOptions.config?.bodyField));
    } catch (err) {
      done(err as Error, undefined);
    }
  };
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parser);
  app.addContentTypeParser(/^application\/[a-z0-9.+-]+\+json$/i, { parseAs: 'buffer' }, parser);
}

/**
 * Parses a JSON body; an empty body is `undefined`. Throws 400 `INVALID_JSON`
 * with the parser's reason, and refuses `__proto__` / `constructor.prototype`
 * keys (prototype poisoning once the data is merged into other objects).
 * A body nested deeper than `MAX_JSON_DEPTH` is refused with `field`'s code
 * and path, before it is parsed.
 */
export function parseJson(raw: Buffer | undefined, field: BodyField = ANY_BODY): unknown {
  const text = raw?.toString('utf8') ?? '';
  if (text.trim() === '') return undefined;
  if (exceedsJsonTextDepth(raw!)) throw jsonDepthError(field.path, field.code);
  try {
    // The reviver costs time, so it only runs when a suspicious key may be there.
    return /__proto__|constructor/.test(text) ? JSON.parse(text, refusePoison) : (JSON.parse(text) as unknown);
  } catch (err) {
    throw new HttpError(400, 'INVALID_JSON', `the body is not valid JSON: ${(err as Error).message}`);
  }
}

function refusePoison(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new SyntaxError('"__proto__" is not allowed as a key');
  if (key === 'constructor' && value !== null && typeof value === 'object' && Object.hasOwn(value, 'prototype')) {
    throw new SyntaxError('"constructor.prototype" is not allowed');
  }
  return value;
}
