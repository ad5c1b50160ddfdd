/**
 * Reads compose files the way `docker compose` does, for the parts squadflow's
 * files use: YAML with anchors and merge keys, `${VAR}` interpolation
 * (`:-`, `-`, `:?`, `?`, `:+`, `+`, `$$`), several files merged in order
 * (mappings merged key by key, `command` and `healthcheck.test` replaced,
 * `ports` and `volumes` appended), environment as a map or a list,
 * `deploy.replicas`, `depends_on` with conditions, health checks and the
 * restart policy. Anything else a service sets that the process runner
 * cannot honour is an error, so the test cannot silently drift from the file.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export type Condition = 'service_started' | 'service_healthy' | 'service_completed_successfully';
export type RestartPolicy = 'no' | 'always' | 'unless-stopped' | 'on-failure';

export interface HealthCheck {
  /** The command, without its `CMD` marker. */
  test: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

export interface ComposeService {
  name: string;
  image?: string;
  build: boolean;
  command: string[];
  environment: Record<string, string>;
  dependsOn: Record<string, Condition>;
  healthcheck?: HealthCheck;
  replicas: number;
  restart: RestartPolicy;
  /** `source:target[:ro]` as written (source: a named volume or a path relative to the project). */
  volumes: string[];
  ports: string[];
  stopGracePeriodMs: number;
}

export interface ComposeProject {
  name: string;
  services: Record<string, ComposeService>;
  volumes: string[];
}

/** The keys of a service this reader understands; any other is refused. */
const SERVICE_KEYS = new Set([
  'image',
  'build',
  'command',
  'environment',
  'depends_on',
  'healthcheck',
  'deploy',
  'restart',
  'volumes',
  'ports',
  'stop_grace_period',
]);

export function loadCompose(files: readonly string[], env: Record<string, string | undefined>): ComposeProject {
  let merged: Record<string, unknown> = {};
  for (const file of files) {
    const raw = parse(readFileSync(file, 'utf8'), { merge: true }) as Record<string, unknown>;
    merged = mergeFile(merged, interpolate(raw, env, file) as Record<string, unknown>);
  }
  const services = Object.fromEntries(
    Object.entries((merged['services'] ?? {}) as Record<string, Record<string, unknown>>).map(([name, raw]) => [
      name,
      toService(name, raw),
    ]),
  );
  for (const service of Object.values(services)) {
    for (const dep of Object.keys(service.dependsOn)) {
      if (!services[dep]) throw new Error(`service ${service.name} depends on unknown service ${dep}`);
    }
  }
  return {
    name: String(merged['name'] ?? 'compose'),
    services,
    volumes: Object.keys((merged['volumes'] ?? {}) as Record<string, unknown>),
  };
}

/** Compose interpolation of every string in `value`. */
export function interpolate(value: unknown, env: Record<string, string | undefined>, where = 'compose file'): unknown {
  if (typeof value === 'string') return interpolateString(value, env, where);
  if (Array.isArray(value)) return value.map((v) => interpolate(v, env, where));
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, interpolate(v, env, where)]));
  }
  return value;
}

export function interpolateString(text: string, env: Record<string, string | undefined>, where = 'compose file'): string {
  let out = '';
  for (let i = 0; i < text.length;) {
    const c = text[i]!;
    if (c !== '$') {
      out += c;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      out += expand(text.slice(i + 2, end), env, where);
      i = end + 1;
    } else {
      const name = /^[A-Za-z_][A-Za-z0-9_]*/.exec(text.slice(i + 1))?.[0];
      if (!name) throw new Error(`${where}: invalid interpolation in "${text}"`);
      out += env[name] ?? '';
      i += 1 + name.length;
    }
  }
  return out;
}

/** Index of the `}` closing a `${` whose body starts at `from` (defaults may hold `${...}` themselves). */
function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{' && text[i - 1] === '$') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new Error(`unclosed \${ in "${text}"`);
}

function expand(body: string, env: Record<string, string | undefined>, where: string): string {
  const match = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([\s\S]*))?$/.exec(body);
  if (!match) throw new Error(`${where}: invalid interpolation \${${body}}`);
  const [, name, op, arg = ''] = match as unknown as [string, string, string | undefined, string | undefined];
  const value = env[name];
  const unset = value === undefined;
  const empty = unset || value === '';
  switch (op) {
    case undefined:
      return value ?? '';
    case ':-':
      return empty ? interpolateString(arg, env, where) : value!;
    case '-':
      return unset ? interpolateString(arg, env, where) : value;
    case ':?':
    case '?':
      if (op === ':?' ? empty : unset) throw new Error(`${where}: required variable ${name} is missing a value: ${arg}`);
      return value!;
    case ':+':
      return empty ? '' : interpolateString(arg, env, where);
    case '+':
      return unset ? '' : interpolateString(arg, env, where);
    default:
      throw new Error(`${where}: unsupported interpolation operator ${op}`);
  }
}

/** Merges a later file over an earlier one, service by service (docs.docker.com/compose/how-tos/multiple-compose-files/merge). */
function mergeFile(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    if (key.startsWith('x-')) continue;
    if (key === 'services') {
      const services = { ...((base['services'] ?? {}) as Record<string, Record<string, unknown>>) };
      for (const [name, service] of Object.entries(value as Record<string, Record<string, unknown>>)) {
        services[name] = services[name] ? mergeService(services[name], service) : service;
      }
      out['services'] = services;
    } else if (key === 'volumes') {
      out['volumes'] = { ...((base['volumes'] ?? {}) as object), ...((value ?? {}) as object) };
    } else out[key] = value;
  }
  return out;
}

function mergeService(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(over)) {
    const was = base[key];
    if (key === 'environment') out[key] = { ...environmentOf(was), ...environmentOf(value) };
    else if (key === 'ports' || key === 'volumes') out[key] = [...((was as unknown[]) ?? []), ...((value as unknown[]) ?? [])];
    else if (key === 'depends_on') out[key] = { ...dependsOnOf(was), ...dependsOnOf(value) };
    else if (key === 'command') out[key] = value;
    else if (isMapping(was) && isMapping(value)) out[key] = { ...was, ...value };
    else out[key] = value;
  }
  return out;
}

const isMapping = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

function environmentOf(value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  const entries: Array<[string, unknown]> = Array.isArray(value)
    ? value.map((line: string) => {
        const at = line.indexOf('=');
        return at < 0 ? [line, undefined] : [line.slice(0, at), line.slice(at + 1)];
      })
    : Object.entries(value as Record<string, unknown>);
  return Object.fromEntries(entries.filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => [k, String(v)]));
}

function dependsOnOf(value: unknown): Record<string, Condition> {
  if (value === undefined || value === null) return {};
  if (Array.isArray(value)) return Object.fromEntries(value.map((name: string) => [name, 'service_started' as const]));
  return Object.fromEntries(
    Object.entries(value as Record<string, { condition?: Condition }>).map(([name, spec]) => [name, spec?.condition ?? 'service_started']),
  );
}

function toService(name: string, raw: Record<string, unknown>): ComposeService {
  const unknown = Object.keys(raw).filter((k) => !SERVICE_KEYS.has(k));
  if (unknown.length) throw new Error(`service ${name}: the process runner does not handle ${unknown.join(', ')}`);
  const command = raw['command'];
  if (!Array.isArray(command) || command.some((a) => typeof a !== 'string')) {
    throw new Error(`service ${name}: command must be a list of strings (exec form), got ${JSON.stringify(command)}`);
  }
  const deploy = (raw['deploy'] ?? {}) as { replicas?: number };
  return {
    name,
    ...(typeof raw['image'] === 'string' ? { image: raw['image'] } : {}),
    build: raw['build'] !== undefined,
    command: command as string[],
    environment: environmentOf(raw['environment']),
    dependsOn: dependsOnOf(raw['depends_on']),
    ...(raw['healthcheck'] ? { healthcheck: healthCheckOf(name, raw['healthcheck'] as Record<string, unknown>) } : {}),
    replicas: deploy.replicas ?? 1,
    restart: (raw['restart'] as RestartPolicy | undefined) ?? 'no',
    volumes: ((raw['volumes'] ?? []) as string[]).map(String),
    ports: ((raw['ports'] ?? []) as unknown[]).map(String),
    stopGracePeriodMs: durationMs(raw['stop_grace_period'] ?? '10s'),
  };
}

function healthCheckOf(service: string, raw: Record<string, unknown>): HealthCheck {
  const test = raw['test'];
  if (!Array.isArray(test) || test[0] !== 'CMD') throw new Error(`service ${service}: healthcheck.test must be ["CMD", ...]`);
  return {
    test: test.slice(1).map(String),
    intervalMs: durationMs(raw['interval'] ?? '30s'),
    timeoutMs: durationMs(raw['timeout'] ?? '30s'),
    retries: Number(raw['retries'] ?? 3),
    startPeriodMs: durationMs(raw['start_period'] ?? '0s'),
  };
}

/** Compose durations: `1m30s`, `10s`, `500ms`. */
export function durationMs(value: unknown): number {
  const text = String(value);
  let total = 0;
  let rest = text;
  while (rest) {
    const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)/.exec(rest);
    if (!m) throw new Error(`not a compose duration: ${text}`);
    total += Number(m[1]) * { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    rest = rest.slice(m[0].length);
  }
  return total;
}
