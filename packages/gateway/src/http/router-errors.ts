/**
 * The router's own refusals, before any route runs: a path parameter longer
 * than the router takes, or a path that is not valid percent-encoding. They
 * get the error envelope like everything else (fastify's `frameworkErrors`),
 * without echoing the URL back: it may be 16 KiB long.
 */
import { HttpError } from './errors.ts';

/**
 * The router's cap on one path parameter. It is above any URL Node accepts
 * (16 KiB of request line and headers), so every parameter reaches its route's
 * zod schema, which refuses it naming the parameter and its own limit.
 */
export const MAX_PARAM_LENGTH = 16 * 1024;

/** The envelope error for a router refusal (`FST_ERR_MAX_PARAM_LENGTH`, `FST_ERR_BAD_URL`); anything else unchanged. */
export function routerError(err: { code?: string }): unknown {
  if (err.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return new HttpError(414, 'URI_TOO_LONG', `a path parameter is longer than ${MAX_PARAM_LENGTH} characters`, [
      { path: 'params', message: `at most ${MAX_PARAM_LENGTH} characters` },
    ]);
  }
  if (err.code === 'FST_ERR_BAD_URL') {
    return new HttpError(400, 'BAD_REQUEST', 'the URL path is not valid percent-encoded UTF-8', [
      { path: 'params', message: 'not valid percent-encoding' },
    ]);
  }
  return err;
}
