/**
 * Matrix G3, the static half: every comparison of a secret in the gateway
 * (webhook signatures, bearer tokens, the WhatsApp verify token) goes
 * through `timingSafeEqual` on buffers of a fixed or checked length, and no
 * source compares a secret with `===`/`!==` or `startsWith`. The measured
 * half (first-byte-wrong against last-byte-wrong latency) is not in CI:
 * see docs/security.md.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenVerifier, parseApiTokens } from '../src/http/auth.ts';
import { signHmacSha256 } from '../src/index.ts';
import { verifyHmacSha256 } from '../src/webhooks/signature.ts';

const SRC = join(import.meta.dirname, '../src');
const source = (file: string): string => readFileSync(join(SRC, file), 'utf8');
const allSources = (dir = SRC): string[] =>
  readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? allSources(path) : path.endsWith('.ts') ? [path] : [];
  });

describe('constant-time comparisons of secrets (matrix G3)', () => {
  it('compares HMAC digests with timingSafeEqual after a length check', () => {
    const text = source('webhooks/signature.ts');
    expect(text).toMatch(/presented\.length === expected\.length && timingSafeEqual\(presented, expected\)/);
  });

  it('compares bearer tokens and the verify token as SHA-256 digests (always 32 bytes) with timingSafeEqual', () => {
    const auth = source('http/auth.ts');
    expect(auth).toMatch(/const sha256 = \(value: string\): Buffer => createHash\('sha256'\)\.update\(value\)\.digest\(\)/);
    expect(auth).toMatch(/timingSafeEqual\(entry\.digest, presented\)/);
    // Every configured token is compared: no early exit that would tell which one matched.
    expect(auth).not.toMatch(/timingSafeEqual\([^)]*\)\)\s*return/);
    expect(source('webhooks/whatsapp.ts')).toMatch(
      /timingSafeEqual\(createHash\('sha256'\)\.update\(a\)\.digest\(\), createHash\('sha256'\)\.update\(b\)\.digest\(\)\)/,
    );
  });

  it('has no plain comparison of a secret anywhere in the gateway', () => {
    const secretish = /(secret|token|signature|digest)\w*\s*(===|!==|==|!=)|(===|!==|==|!=)\s*[\w.]*(secret|token|signature|digest)/i;
    const offenders = allSources()
      .flatMap((file) =>
        readFileSync(file, 'utf8')
          .split('\n')
          .map((line, i) => ({ file, line: i + 1, text: line })),
      )
      .filter(({ text }) => !text.trim().startsWith('*') && !text.trim().startsWith('//'))
      .filter(({ text }) => secretish.test(text) && !/typeof|\.length|undefined|=== ''/.test(text));
    expect(offenders).toEqual([]);
  });

  it('never throws on presented values of another length (timingSafeEqual would), it answers false', () => {
    const raw = Buffer.from('{"a":1}');
    for (const header of [
      '',
      'sha256=',
      'sha256=00',
      `sha256=${'0'.repeat(63)}`,
      `sha256=${'0'.repeat(65)}`,
      `sha256=${'0'.repeat(128)}`,
    ]) {
      expect(verifyHmacSha256(raw, header, 'secret', { prefix: 'sha256=' })).toBe(false);
    }
    expect(verifyHmacSha256(raw, signHmacSha256(raw, 'secret'), 'secret', { prefix: 'sha256=' })).toBe(true);
    const verifier = new TokenVerifier(parseApiTokens('a:0123456789abcdef0123:read'));
    for (const presented of ['x', '0123456789abcdef012', '0123456789abcdef01234', 'y'.repeat(4096)]) {
      expect(verifier.identify(`Bearer ${presented}`)).toBeNull();
    }
  });
});
