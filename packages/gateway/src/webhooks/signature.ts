import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureFormat {
  /** Text before the digest, e.g. `sha256=` (Meta's `X-Hub-Signature-256`). */
  prefix?: string;
  encoding?: 'hex' | 'base64';
}

/**
 * Whether `header` is the HMAC-SHA256 of the raw body under `secret`. The
 * digest is compared with `timingSafeEqual` (after checking its length, which
 * is public: always 32 bytes), so a forger learns nothing from timing.
 */
export function verifyHmacSha256(raw: Buffer, header: string | undefined, secret: string, format: SignatureFormat = {}): boolean {
  if (!header || !secret) return false;
  const prefix = format.prefix ?? '';
  const value = header.trim();
  if (!value.toLowerCase().startsWith(prefix.toLowerCase())) return false;
  const digest = value.slice(prefix.length);
  const encoding = format.encoding ?? 'hex';
  const valid = encoding === 'hex' ? /^[0-9a-f]{64}$/i.test(digest) : /^[A-Za-z0-9+/]{43}=$/.test(digest);
  if (!valid) return false;
  const presented = Buffer.from(digest, encoding);
  const expected = createHmac('sha256', secret).update(raw).digest();
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The header value a sender would put: `<prefix><hex digest>` (tests, docs, clients). */
export function signHmacSha256(raw: Buffer | string, secret: string, prefix = 'sha256='): string {
  return prefix + createHmac('sha256', secret).update(raw).digest('hex');
}
