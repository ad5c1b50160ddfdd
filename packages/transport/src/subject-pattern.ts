/**
 * NATS naming grammar, used by the in-memory adapter (and to validate KV keys
 * up front in both): subjects are tokens separated by `.`, `*` matches one
 * token, `>` one or more trailing tokens. Kept identical to the server's and
 * client's rules so the embedded mode accepts and rejects what NATS would.
 */
import { SquadflowError } from '@squadflow/shared';

/** A compiled subject pattern; `matches` is on the publish hot path, so literal and `x.>` patterns skip tokenising. */
export class SubjectPattern {
  readonly tokens: readonly string[];
  private readonly kind: 'literal' | 'prefix' | 'general';
  /** For `prefix` patterns: everything before `>`, including the trailing dot. */
  private readonly prefix: string;

  constructor(readonly pattern: string) {
    validateSubject(pattern, true);
    this.tokens = pattern.split('.');
    const wildcards = this.tokens.filter((t) => t === '*' || t === '>').length;
    if (wildcards === 0) this.kind = 'literal';
    else if (wildcards === 1 && this.tokens.at(-1) === '>') this.kind = 'prefix';
    else this.kind = 'general';
    this.prefix = this.kind === 'prefix' ? pattern.slice(0, -1) : '';
  }

  matches(subject: string): boolean {
    if (this.kind === 'literal') return subject === this.pattern;
    // `>` needs at least one token after the prefix.
    if (this.kind === 'prefix') return subject.length > this.prefix.length && subject.startsWith(this.prefix);
    return tokensMatch(this.tokens, subject.split('.'));
  }
}

function tokensMatch(pattern: readonly string[], subject: readonly string[]): boolean {
  for (let i = 0; i < pattern.length; i++) {
    const p = pattern[i];
    if (p === '>') return subject.length > i;
    if (i >= subject.length) return false;
    if (p !== '*' && p !== subject[i]) return false;
  }
  return pattern.length === subject.length;
}

/** True when `subject` (a literal subject) matches `pattern` (which may hold wildcards). */
export function subjectMatches(pattern: string, subject: string): boolean {
  return tokensMatch(pattern.split('.'), subject.split('.'));
}

/** True when some literal subject matches both patterns (the server's "subjects overlap" check). */
export function subjectsOverlap(a: string, b: string): boolean {
  const ta = a.split('.');
  const tb = b.split('.');
  const n = Math.min(ta.length, tb.length);
  for (let i = 0; i < n; i++) {
    const x = ta[i];
    const y = tb[i];
    if (x === '>' || y === '>') return true;
    if (x !== '*' && y !== '*' && x !== y) return false;
  }
  return ta.length === tb.length;
}

/** True when every subject matched by `sub` is also matched by `sup`. */
export function isSubsetOf(sub: string, sup: string): boolean {
  const a = sub.split('.');
  const b = sup.split('.');
  for (let i = 0; i < b.length; i++) {
    const s = b[i];
    if (s === '>') return a.length > i;
    const t = a[i];
    if (t === undefined || t === '>') return false;
    if (s === '*') continue;
    if (t === '*' || t !== s) return false;
  }
  return a.length === b.length;
}

const BAD_TOKEN = /[\s]/;
// Publish-path fast check: non-empty tokens without whitespace, none of them a bare wildcard.
const LITERAL = /^[^\s.]+(?:\.[^\s.]+)*$/;
const WILDCARD_TOKEN = /(?:^|\.)[*>](?:\.|$)/;

/** Throws `INVALID_ARGUMENT` unless `subject` is a valid subject (`wildcards`: a valid pattern). */
export function validateSubject(subject: string, wildcards: boolean): void {
  if (!wildcards) {
    if (LITERAL.test(subject) && !WILDCARD_TOKEN.test(subject)) return;
    throw new SquadflowError('INVALID_ARGUMENT', `invalid subject ${JSON.stringify(subject)}`);
  }
  const tokens = subject.split('.');
  const ok = tokens.every((t, i) => {
    if (t === '' || BAD_TOKEN.test(t)) return false;
    if (t === '>') return i === tokens.length - 1;
    return true;
  });
  if (!ok) throw new SquadflowError('INVALID_ARGUMENT', `invalid subject ${JSON.stringify(subject)}`);
}

const BAD_NAME = /[.*>/\\\s]/;

/** Stream and consumer names: the rules the NATS client enforces (no `.`, `*`, `>`, `/`, `\`, whitespace). */
export function validateName(kind: 'stream' | 'durable', name: string): void {
  if (name === '' || BAD_NAME.test(name)) throw new SquadflowError('INVALID_ARGUMENT', `invalid ${kind} name ${JSON.stringify(name)}`);
}

// The NATS client's KV rules, so a key that works embedded also works on NATS.
const VALID_KEY = /^[-/=.\w]+$/;
const VALID_KEY_FILTER = /^[-/=.>*\w]+$/;
/** Bucket names are the subject module's: one rule for both adapters. */
export { validateBucketName } from '@squadflow/shared';

/** Throws `INVALID_ARGUMENT` unless `key` is a valid KV key (`filter`: a key pattern with `*`/`>`). */
export function validateKey(key: string, options: { filter?: boolean } = {}): void {
  const grammar = options.filter ? VALID_KEY_FILTER : VALID_KEY;
  const ok = !key.startsWith('.') && !key.endsWith('.') && !key.includes('..') && grammar.test(key);
  if (!ok) throw new SquadflowError('INVALID_ARGUMENT', `invalid key ${JSON.stringify(key)}`);
}
