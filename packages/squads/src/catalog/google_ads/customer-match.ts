import { sha256Hex } from '../common/ids.ts';

/**
 * Customer Match identifiers, normalised the way Google Ads requires before
 * hashing (https://developers.google.com/google-ads/api/docs/remarketing/audience-segments/customer-match/get-started):
 * phone numbers in E.164 with the `+`, emails trimmed and lower-cased, and
 * the dots of a gmail.com / googlemail.com local part removed (Gmail ignores
 * them, so `jo.ao@gmail.com` and `joao@gmail.com` are one person). Only the
 * SHA-256 hex digests ever leave the squad.
 */

/** `5511999999999` (E.164 digits, see `normalizePhone`) → `+5511999999999`. */
export function normalizeMatchPhone(e164Digits: string): string {
  return `+${e164Digits}`;
}

const GMAIL_DOMAINS = new Set(['gmail.com', 'googlemail.com']);

/** Trimmed, lower-cased; dots dropped from a Gmail local part. */
export function normalizeMatchEmail(email: string): string {
  const lower = email.trim().toLowerCase();
  const at = lower.lastIndexOf('@');
  if (at <= 0) return lower;
  const local = lower.slice(0, at);
  const domain = lower.slice(at + 1);
  return GMAIL_DOMAINS.has(domain) ? `${local.replaceAll('.', '')}@${domain}` : lower;
}

/** SHA-256 hex of the normalised phone. */
export function hashMatchPhone(e164Digits: string): string {
  return sha256Hex(normalizeMatchPhone(e164Digits));
}

/** SHA-256 hex of the normalised email. */
export function hashMatchEmail(email: string): string {
  return sha256Hex(normalizeMatchEmail(email));
}
