/** The machine and versions a run measured on, and the results files. */
import { execSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connectRaw, natsUrl } from './nats.ts';

const ROOT = new URL('../../', import.meta.url);
export const RESULTS_DIR = fileURLToPath(new URL('bench/results/', ROOT));

function version(pkgDir: string, name: string): string {
  try {
    return (JSON.parse(readFileSync(new URL(`${pkgDir}/node_modules/${name}/package.json`, ROOT), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

function git(): { commit: string; dirty: boolean } {
  try {
    const commit = execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim();
    return { commit, dirty: execSync('git status --porcelain', { encoding: 'utf8' }).trim() !== '' };
  } catch {
    return { commit: 'unknown', dirty: false };
  }
}

export async function environment(): Promise<Record<string, unknown>> {
  const nc = await connectRaw('bench-info');
  const server = nc.info;
  await nc.close();
  return {
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? 'unknown', memoryGb: Math.round(totalmem() / 2 ** 30), kernel: release() },
    // The bench squads' delivery (bench/processes/noop-squad.ts): at-least-once is the like-for-like one beside BullMQ.
    squadDelivery: process.env['BENCH_SQUAD_DELIVERY'] || 'at-most-once',
    // Passed through to the orchestrator process: `off` leaves out step.completed / step.skipped (docs/gateway.md).
    stepProgressEvents: process.env['SQUADFLOW_STEP_PROGRESS_EVENTS'] || 'on',
    versions: {
      node: process.version,
      natsServer: server?.version ?? 'unknown',
      natsUrl: natsUrl().replace(/\/\/[^@]*@/, '//'),
      packages: {
        xstate: version('packages/engine', 'xstate'),
        '@nats-io/transport-node': version('packages/engine', '@nats-io/transport-node'),
        '@nats-io/jetstream': version('packages/engine', '@nats-io/jetstream'),
        '@nats-io/kv': version('packages/engine', '@nats-io/kv'),
        zod: version('packages/engine', 'zod'),
        pino: version('packages/squads', 'pino'),
        tsx: version('.', 'tsx'),
      },
      squadflow: git(),
    },
  };
}

/** `bench/results/<stamp>-<scenario>.json`; returns the path relative to the repo. */
export function writeResult(stamp: string, scenario: string, payload: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const name = `${stamp}-${scenario}.json`;
  writeFileSync(new URL(`bench/results/${name}`, ROOT), `${compactJson(payload)}\n`);
  return `bench/results/${name}`;
}

/** Indented JSON, but arrays of numbers and strings (raw samples, table rows) on one line each: small files, readable diffs. */
function compactJson(value: unknown): string {
  const inline: string[] = [];
  const flat = (v: unknown): v is unknown[] =>
    Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' || typeof x === 'string');
  const text = JSON.stringify(value, (_k, v: unknown) => (flat(v) ? `@@${inline.push(JSON.stringify(v)) - 1}@@` : v), 1);
  return text.replace(/"@@(\d+)@@"/g, (_m, i: string) => inline[Number(i)]!);
}

export function writeText(stamp: string, suffix: string, text: string): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  writeFileSync(new URL(`bench/results/${stamp}-${suffix}`, ROOT), text);
  return `bench/results/${stamp}-${suffix}`;
}

/** A filename-safe timestamp: 2025-01-31T12-00-00Z. */
export const stampNow = (): string =>
  new Date()
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/:/g, '-');
