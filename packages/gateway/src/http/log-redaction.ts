/**
 * What the request log may show of a URL. fastify logs every request's URL
 * at info level, query string included; Meta's verification `GET` carries
 * `WHATSAPP_VERIFY_TOKEN` as `hub.verify_token`, so the raw URL would put a
 * secret into every log pipeline. Redacted:
 * - every query value on webhook routes (providers put tokens there);
 * - elsewhere, query values whose name says secret (`token`, `secret`, `signature`, `password`, `api_key`, `auth`);
 * - any configured secret (verify token, app secret, webhook secrets, API
 *   tokens) wherever it appears in the URL, raw or percent-encoded, and in
 *   logged error messages (which may quote a path parameter).
 */
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '../config.ts';

export const REDACTED = '[redacted]';
const SECRET_NAME = /token|secret|signature|password|api[_-]?key|auth/i;
/** Shorter "secrets" would blank out ordinary URL text. */
const MIN_SECRET_LENGTH = 8;

/** The secrets of a configuration, as they could appear in a URL. */
export function configuredSecrets(config: GatewayConfig): string[] {
  const raw = [
    config.whatsapp.verifyToken,
    config.whatsapp.appSecret,
    ...config.webhookRoutes.map((r) => r.secretValue),
    ...config.tokens.map((t) => t.token),
  ].filter((s): s is string => typeof s === 'string' && s.length >= MIN_SECRET_LENGTH);
  return [...new Set(raw.flatMap((s) => [s, encodeURIComponent(s)]))];
}

/** Redacts configured secrets and secret-looking query values from what the log shows. */
export interface Redaction {
  /** One URL (path and query). */
  url(url: string): string;
  /** Any text (an error message): configured secrets only. */
  text(text: string): string;
}

export function redaction(secrets: readonly string[]): Redaction {
  const text = (value: string): string => {
    let out = value;
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
    return out;
  };
  const url = (value: string): string => {
    const q = value.indexOf('?');
    if (q === -1) return text(value);
    const path = value.slice(0, q);
    const everything = path.startsWith('/webhooks/');
    const query = value
      .slice(q + 1)
      .split('&')
      .map((pair) => {
        const eq = pair.indexOf('=');
        if (eq === -1) return pair;
        return everything || SECRET_NAME.test(pair.slice(0, eq)) ? `${pair.slice(0, eq)}=${REDACTED}` : pair;
      })
      .join('&');
    return text(`${path}?${query}`);
  };
  return { url, text };
}

/**
 * pino serializer for `req` (replacing fastify's, which logs `req.url` as
 * is): the same fields, with the URL redacted.
 */
export function requestSerializer(redact: Redaction) {
  return (req: FastifyRequest) => ({
    method: req.method,
    url: redact.url(req.url),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  });
}
