import { NonRetryableError } from '../../errors.ts';

/** E.164 allows at most 15 digits; shorter than 8 cannot be a full international number. */
const E164_DIGITS = /^[1-9]\d{7,14}$/;

/**
 * Normalises a phone number to E.164 digits without the `+`, the form the
 * WhatsApp Cloud API expects in `to`: `+55 11 99999-9999` → `5511999999999`.
 * A leading international `00` is dropped. Returns `null` when the result is
 * not a plausible international number.
 */
export function tryNormalizePhone(raw: string): string | null {
  let digits = raw.replace(/\D/g, '');
  if (digits.startsWith('00')) digits = digits.slice(2);
  return E164_DIGITS.test(digits) ? digits : null;
}

/**
 * Like {@link tryNormalizePhone}, but a bad number throws a non-retryable
 * `INVALID_PHONE` error: retrying cannot fix the data.
 */
export function normalizePhone(raw: string): string {
  const phone = tryNormalizePhone(raw);
  if (phone === null) {
    throw new NonRetryableError(`invalid phone number ${JSON.stringify(raw)}: expected an international number like +55 11 99999-9999`, {
      code: 'INVALID_PHONE',
    });
  }
  return phone;
}
