/**
 * Where commands find a running squadflow. `SQUADFLOW_NATS_URL` set: over
 * NATS (`SQUADFLOW_PREFIX` selects the deployment). Otherwise over the HTTP
 * API at `SQUADFLOW_URL` (default the address `squadflow start` serves),
 * with `SQUADFLOW_TOKEN` as the bearer token when the server requires one.
 */
import { toFieldIssues, type Config } from '@squadflow/shared';
import { z } from 'zod';
import { CliError, ExitCode } from '../exit-codes.ts';

/** Where `squadflow start` serves the HTTP API unless `SQUADFLOW_PORT` says otherwise. */
export const DEFAULT_URL = 'http://127.0.0.1:8080';

const RemoteEnvSchema = z.object({
  SQUADFLOW_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL, e.g. http://127.0.0.1:8080' }).optional(),
  SQUADFLOW_TOKEN: z.string().trim().min(1).optional(),
});

export type Target =
  { kind: 'http'; url: string; token: string | undefined; explicit: boolean } | { kind: 'nats'; url: string; prefix: string };

/** Reads the target from the environment; a bad `SQUADFLOW_URL` is a usage error (exit 2) naming it. */
export function remoteTarget(config: Config, env: NodeJS.ProcessEnv = process.env): Target {
  const cleaned = Object.fromEntries(
    Object.keys(RemoteEnvSchema.shape)
      .map((name) => [name, env[name]] as const)
      .filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = RemoteEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    const issues = toFieldIssues(parsed.error.issues);
    const shown = issues.map((i) => `${i.path}: ${i.message}${i.path === 'SQUADFLOW_URL' ? ` (got "${env['SQUADFLOW_URL']}")` : ''}`);
    throw new CliError(ExitCode.USAGE, `invalid environment: ${shown.join('; ')}`, [], 'INVALID_CONFIG', issues);
  }
  if (config.natsUrl) return { kind: 'nats', url: config.natsUrl, prefix: config.prefix };
  const url = (parsed.data.SQUADFLOW_URL ?? DEFAULT_URL).replace(/\/+$/, '');
  return { kind: 'http', url, token: parsed.data.SQUADFLOW_TOKEN, explicit: parsed.data.SQUADFLOW_URL !== undefined };
}

/** How to get a squadflow to talk to, for "nothing answers" messages. */
export const HOW_TO_START = [
  'start one in another terminal: pnpm squadflow start (it serves http://127.0.0.1:8080; SQUADFLOW_PORT changes the port)',
  'or point SQUADFLOW_URL (HTTP API) or SQUADFLOW_NATS_URL (NATS) at a running squadflow',
];

/** A URL as messages show it: `nats://***@host` instead of a user and password. */
export function hideCredentials(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
