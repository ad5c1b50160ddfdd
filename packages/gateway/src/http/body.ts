/**
 * Request bodies: JSON only (anything else is 415). The raw bytes are kept on
 * `request.rawBody`, because webhook signatures are HMACs over exactly the
 * bytes the sender signed, not over a re-serialisation of the parsed JSON.
 * Routes marked `deferJson` get no parsed body: they check the signature
 * first and parse afterwards, so an unsigned body is never even parsed.
 */
import type { FastifyBodyParser, FastifyInstance } from 'fastify';
import { HttpError } from './errors.ts';

/** Replaces fastify's parsers with one JSON parser that keeps the raw body. */
export function installJsonParser(app: FastifyInstance): void {
  app.removeAllContentTypeParsers();
  const parser: FastifyBodyParser<Buffer> = (request, raw, done) => {
    request.rawBody = raw;
    if (request.routeOptions.config?.deferJson) return done(null, undefined);
    try {
      done(null, parseJson(raw));
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
 */
export function parseJson(raw: Buffer | undefined): unknown {
  const text = raw?.toString('utf8') ?? '';
  if (text.trim() === '') return undefined;
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
