/**
 * Gateway configuration from the environment, validated with zod. Every error
 * names the variable at fault (`SQUADFLOW_API_TOKENS.1`, `SQUADFLOW_PORT`), and
 * secrets never appear in messages. The variables are documented in
 * packages/gateway/README.md.
 */
import { readFileSync } from 'node:fs';
import { NameSchema, SquadflowError, toFieldIssues, type FieldIssue } from '@squadflow/shared';
import { z } from 'zod';
import { parseApiTokens, type ApiToken } from './http/auth.ts';
import { compileWebhookRoutes, type WebhookRoute } from './webhooks/generic-config.ts';

export interface WhatsAppConfig {
  /** `WHATSAPP_VERIFY_TOKEN`: answers Meta's `GET` verification; unset = verification refused. */
  verifyToken?: string;
  /** `WHATSAPP_APP_SECRET`: the HMAC key of `X-Hub-Signature-256`; unset = every `POST` refused. */
  appSecret?: string;
  /** Workflow started for a message nobody waits for. */
  conversationWorkflow: string;
}

export interface GatewayConfig {
  host: string;
  port: number;
  /** Bearer tokens; empty = no authentication, loopback only. */
  tokens: ApiToken[];
  /** Largest request body in bytes (413 beyond; a chunked body is cut off as soon as it crosses it). */
  bodyLimit: number;
  /**
   * Time for the whole request (headers and body) to arrive, in ms: a body
   * trickled byte by byte or a chunked body that never ends gets 408 and
   * its connection closed. Headers alone get at most 10 s of it. Answers may
   * take longer (`?wait=`): this bounds only what the client sends.
   */
  requestTimeoutMs: number;
  /** Requests per minute per token (per IP without one); 0 = unlimited. */
  rateLimitPerMinute: number;
  /** Trust `X-Forwarded-For` for the client IP (behind a reverse proxy). */
  trustProxy: boolean;
  /** Upper bound of `?wait=` on a trigger. */
  maxWaitMs: number;
  /** How long `/readyz` waits for NATS before answering 503. */
  readyTimeoutMs: number;
  whatsapp: WhatsAppConfig;
  webhookRoutes: WebhookRoute[];
  /** Server-sent event streams (`GET /v1/events`) open at once; the next one is answered 503. */
  maxEventStreams: number;
  /** A `: keepalive` comment on an idle event stream this often (ms), so proxies and the idle timeout keep it open. */
  eventKeepaliveMs: number;
}

/** Defaults of every setting (what an empty environment gives). */
export const DEFAULT_GATEWAY_CONFIG: GatewayConfig = {
  host: '127.0.0.1',
  port: 8080,
  tokens: [],
  bodyLimit: 1024 * 1024,
  requestTimeoutMs: 30_000,
  rateLimitPerMinute: 600,
  trustProxy: false,
  maxWaitMs: 60_000,
  readyTimeoutMs: 2_000,
  whatsapp: { conversationWorkflow: 'lead_conversation' },
  webhookRoutes: [],
  maxEventStreams: 100,
  eventKeepaliveMs: 15_000,
};

const BYTE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1024, kib: 1024, m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2 };

/** `1048576`, `512k`, `1mb`, `2MiB` → bytes (binary units). */
const ByteSizeSchema = z.string().transform((value, ctx) => {
  const match = /^(\d+)\s*([a-z]*)$/i.exec(value.trim());
  const unit = match ? BYTE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined || Number(match[1]) <= 0) {
    ctx.addIssue({ code: 'custom', message: 'expected a size in bytes, e.g. 1048576, 512k or 1m' });
    return z.NEVER;
  }
  return Number(match[1]) * unit;
});

const BooleanSchema = z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

/** The variables read here (others, like `SQUADFLOW_NATS_URL`, belong to `loadConfig` in @squadflow/shared). */
export const GatewayEnvSchema = z.object({
  SQUADFLOW_HOST: z.string().min(1).optional(),
  SQUADFLOW_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
  SQUADFLOW_API_TOKENS: z.string().optional(),
  SQUADFLOW_BODY_LIMIT: ByteSizeSchema.optional(),
  SQUADFLOW_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).optional(),
  SQUADFLOW_RATE_LIMIT: z.coerce.number().int().min(0).optional(),
  SQUADFLOW_TRUST_PROXY: BooleanSchema.optional(),
  SQUADFLOW_MAX_WAIT_MS: z.coerce.number().int().min(0).max(3_600_000).optional(),
  WHATSAPP_VERIFY_TOKEN: z.string().min(1).optional(),
  WHATSAPP_APP_SECRET: z.string().min(1).optional(),
  WHATSAPP_CONVERSATION_WORKFLOW: NameSchema.optional(),
  SQUADFLOW_WEBHOOK_ROUTES: z.string().optional(),
  SQUADFLOW_WEBHOOK_ROUTES_FILE: z.string().min(1).optional(),
  SQUADFLOW_MAX_EVENT_STREAMS: z.coerce.number().int().min(0).max(100_000).optional(),
});

type Env = Record<string, string | undefined>;

/** Reads the gateway settings from the environment; throws `INVALID_CONFIG` naming each variable at fault. */
export function loadGatewayConfig(env: Env = process.env): GatewayConfig {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = GatewayEnvSchema.safeParse(cleaned);
  if (!parsed.success) throw invalid(toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  const issues: FieldIssue[] = [];
  const tokens = collect(issues, () => parseApiTokens(e.SQUADFLOW_API_TOKENS ?? ''), []);
  const routes = collect(
    issues,
    () => compileWebhookRoutes(readRoutes(e.SQUADFLOW_WEBHOOK_ROUTES, e.SQUADFLOW_WEBHOOK_ROUTES_FILE), env),
    [],
  );
  if (issues.length) throw invalid(issues);
  const d = DEFAULT_GATEWAY_CONFIG;
  const config: GatewayConfig = {
    host: e.SQUADFLOW_HOST ?? d.host,
    port: e.SQUADFLOW_PORT ?? d.port,
    tokens,
    bodyLimit: e.SQUADFLOW_BODY_LIMIT ?? d.bodyLimit,
    requestTimeoutMs: e.SQUADFLOW_REQUEST_TIMEOUT_MS ?? d.requestTimeoutMs,
    rateLimitPerMinute: e.SQUADFLOW_RATE_LIMIT ?? d.rateLimitPerMinute,
    trustProxy: e.SQUADFLOW_TRUST_PROXY ?? d.trustProxy,
    maxWaitMs: e.SQUADFLOW_MAX_WAIT_MS ?? d.maxWaitMs,
    readyTimeoutMs: d.readyTimeoutMs,
    whatsapp: {
      conversationWorkflow: e.WHATSAPP_CONVERSATION_WORKFLOW ?? d.whatsapp.conversationWorkflow,
      ...(e.WHATSAPP_VERIFY_TOKEN ? { verifyToken: e.WHATSAPP_VERIFY_TOKEN } : {}),
      ...(e.WHATSAPP_APP_SECRET ? { appSecret: e.WHATSAPP_APP_SECRET } : {}),
    },
    webhookRoutes: routes,
    maxEventStreams: e.SQUADFLOW_MAX_EVENT_STREAMS ?? d.maxEventStreams,
    eventKeepaliveMs: d.eventKeepaliveMs,
  };
  assertBindable(config);
  return config;
}

/** The defaults with `overrides` applied (tests and embedding). */
export function gatewayConfig(overrides: Partial<GatewayConfig> = {}): GatewayConfig {
  return {
    ...DEFAULT_GATEWAY_CONFIG,
    ...overrides,
    whatsapp: { ...DEFAULT_GATEWAY_CONFIG.whatsapp, ...overrides.whatsapp },
  };
}

/**
 * Without API tokens anyone who can reach the port can start and cancel
 * executions, so the gateway then listens on the loopback interface only.
 */
export function assertBindable(config: Pick<GatewayConfig, 'host' | 'tokens'>): void {
  if (config.tokens.length === 0 && !isLoopback(config.host)) {
    throw invalid([
      {
        path: 'SQUADFLOW_HOST',
        message: `refusing to listen on ${config.host} without authentication: set SQUADFLOW_API_TOKENS, or bind to 127.0.0.1`,
      },
    ]);
  }
}

/** Whether a bind address is on the loopback interface only. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

function readRoutes(inline: string | undefined, file: string | undefined): unknown {
  if (inline && file) throw invalid([{ path: 'SQUADFLOW_WEBHOOK_ROUTES', message: 'set it or SQUADFLOW_WEBHOOK_ROUTES_FILE, not both' }]);
  const [source, text] = file ? ['SQUADFLOW_WEBHOOK_ROUTES_FILE', readFile(file)] : ['SQUADFLOW_WEBHOOK_ROUTES', inline];
  if (!text) return [];
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw invalid([{ path: source, message: `not JSON: ${(err as Error).message}` }]);
  }
}

function readFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw invalid([{ path: 'SQUADFLOW_WEBHOOK_ROUTES_FILE', message: `cannot read ${file}: ${(err as Error).message}` }]);
  }
}

/** Runs `fn`, moving the issues of an `INVALID_CONFIG` error into `issues` so every problem is reported at once. */
function collect<T>(issues: FieldIssue[], fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch (err) {
    if (!(err instanceof SquadflowError) || err.code !== 'INVALID_CONFIG') throw err;
    issues.push(...err.issues);
    return fallback;
  }
}

function invalid(issues: FieldIssue[]): SquadflowError {
  return new SquadflowError('INVALID_CONFIG', 'invalid gateway environment', issues);
}
