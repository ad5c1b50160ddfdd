/** What the API shows of execution data: secret-named properties redacted at any depth, the rest untouched. */
import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../src/http/secret-redaction.ts';

describe('redactSecrets', () => {
  it('redacts secret-named properties at any depth and inside arrays, whatever their case or value', () => {
    const input = {
      name: 'Ana',
      API_KEY: 'a',
      apiKey: { nested: 'object' },
      'api-key': 'b',
      headers: { Authorization: 'Bearer x', accept: 'json' },
      list: [{ password: 'p', keep: 1 }, 'plain', [{ client_secret: 's' }]],
      deep: { a: { b: { c: { refreshToken: 't', privateKey: 'k', private_key: 'k2', credentials: ['c'] } } } },
    };
    expect(redactSecrets(input)).toEqual({
      name: 'Ana',
      API_KEY: '[redacted]',
      apiKey: '[redacted]',
      'api-key': '[redacted]',
      headers: { Authorization: '[redacted]', accept: 'json' },
      list: [{ password: '[redacted]', keep: 1 }, 'plain', [{ client_secret: '[redacted]' }]],
      deep: {
        a: { b: { c: { refreshToken: '[redacted]', privateKey: '[redacted]', private_key: '[redacted]', credentials: '[redacted]' } } },
      },
    });
  });

  it('returns a copy and leaves the input as it was; values that are not objects pass through', () => {
    const input = { token: 'x', inner: { secret: 'y' } };
    const out = redactSecrets(input);
    expect(out).not.toBe(input);
    expect(input).toEqual({ token: 'x', inner: { secret: 'y' } });
    for (const value of ['text', 42, null, undefined, true]) expect(redactSecrets(value)).toBe(value);
  });
});
