/**
 * Bearer API tokens with scopes. `SQUADFLOW_API_TOKENS` lists them as
 * `name:token:scope1+scope2`, comma-separated. Scopes do not imply each other.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { SquadflowError, type FieldIssue } from '@squadflow/shared';

export const SCOPES = ['read', 'trigger', 'admin'] as const;
/** `read`: queries; `trigger`: start executions, send signals; `admin`: register workflows, cancel/pause/resume/escalation. */
export type Scope = (typeof SCOPES)[number];

export interface ApiToken {
  /** Shown in logs and used as the rate-limit key; never the secret. */
  name: string;
  token: string;
  scopes: Scope[];
}

/** Who made a request. */
export interface Principal {
  name: string;
  scopes: ReadonlySet<Scope>;
}

const NAME = /^[A-Za-z0-9_.-]{1,64}$/;
const TOKEN = /^[\x21-\x2B\x2D-\x39\x3B-\x7E]{16,512}$/; // printable ASCII except "," and ":"
const VARIABLE = 'SQUADFLOW_API_TOKENS';

/** Parses `name:token:scope+scope,...`; throws `INVALID_CONFIG` naming the entry (never echoing the token). */
export function parseApiTokens(value: string): ApiToken[] {
  const issues: FieldIssue[] = [];
  const tokens: ApiToken[] = [];
  const entries = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  entries.forEach((entry, i) => {
    const path = `${VARIABLE}.${i}`;
    const parts = entry.split(':');
    if (parts.length !== 3) {
      issues.push({ path, message: 'expected name:token:scope1+scope2' });
      return;
    }
    const [name, token, scopeList] = parts as [string, string, string];
    if (!NAME.test(name)) issues.push({ path: `${path}.name`, message: 'letters, digits, "_", "." or "-" (max 64)' });
    if (!TOKEN.test(token)) issues.push({ path: `${path}.token`, message: 'at least 16 printable characters, no "," or ":"' });
    const scopes = scopeList.split('+').filter(Boolean);
    const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
    if (!scopes.length || unknown.length) {
      issues.push({ path: `${path}.scopes`, message: `scopes are ${SCOPES.join(', ')} joined with "+"` });
    }
    if (tokens.some((t) => t.name === name)) issues.push({ path: `${path}.name`, message: `duplicate token name "${name}"` });
    tokens.push({ name, token, scopes: scopes as Scope[] });
  });
  if (issues.length) throw new SquadflowError('INVALID_CONFIG', `invalid ${VARIABLE}`, issues);
  return tokens;
}

const sha256 = (value: string): Buffer => createHash('sha256').update(value).digest();

/**
 * Looks a presented token up in constant time: both sides are hashed to 32
 * bytes (so lengths never differ) and compared with `timingSafeEqual`, and
 * every configured token is compared, so timing tells nothing about which.
 */
export class TokenVerifier {
  private readonly entries: Array<{ digest: Buffer; principal: Principal }>;

  constructor(tokens: readonly ApiToken[]) {
    this.entries = tokens.map((t) => ({ digest: sha256(t.token), principal: { name: t.name, scopes: new Set(t.scopes) } }));
  }

  /** Authentication is on when at least one token is configured. */
  get enabled(): boolean {
    return this.entries.length > 0;
  }

  /** The principal of an `Authorization: Bearer <token>` header, or null. */
  identify(authorization: string | undefined): Principal | null {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) return null;
    const presented = sha256(match[1]!);
    let found: Principal | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(entry.digest, presented)) found = entry.principal;
    }
    return found;
  }
}
