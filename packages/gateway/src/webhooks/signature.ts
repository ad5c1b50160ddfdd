import { createHmac, timingSafeEqual } from 'node:crypto';

export interface SignatureFormat {
  /** Text before the digest, e.g. `sha256=` (Meta's `X-Hub-Signature-256`). Compared exactly, case included. */
  prefix?: string;
  encoding?: 'hex' | 'base64';
}

/**
 * The one spelling each encoding of a 32-byte digest may take. Hex is
 * lowercase only (what Meta, GitHub and Stripe send): `Buffer.from` would
 * decode `ABCD` and `abcd` alike, and a signature with several valid
 * spellings is malleable for anything that compares or stores the header.
 */
const DIGEST: Record<NonNullable<SignatureFormat['encoding']>, RegExp> = {
  hex: /^[0-9a-f]{64}$/,
  base64: /^[A-Za-z0-9+/]{43}=$/,
};

/**
 * Whether `header` is the HMAC-SHA256 of the raw body under `secret`. The
 * header must be exactly `<prefix><digest>` (a missing, other or differently
 * cased prefix, a digest of the wrong length or alphabet, several values
 * joined by a duplicated header: all false). The digest is then compared with
 * `timingSafeEqual` after a length check (the length is public: always 32
 * bytes), so a forger learns nothing from timing.
 */
export function verifyHmacSha256(raw: Buffer, header: string | undefined, secret: string, format: SignatureFormat = {}): boolean {
  if (!header || !secret) return false;
  const prefix = format.prefix ?? '';
  if (!header.startsWith(prefix)) return false;
  const digest = header.slice(prefix.length);
  const encoding = format.encoding ?? 'hex';
  if (!DIGEST[encoding].test(digest)) return false;
  const presented = Buffer.from(digest, encoding);
  const expected = createHmac('sha256', secret).update(raw).digest();
  return presented.length === expected.length && timingSafeEqual(presented, expected);
}

/** The header value a sender would put: `<prefix><hex digest>` (tests, docs, clients). */
export function signHmacSha256(raw: Buffer | string, secret: string, prefix = 'sha256='): string {
  return prefix + createHmac('sha256', secret).update(raw).digest('hex');
}
