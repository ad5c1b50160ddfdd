/**
 * The deployment files agree with each other and with the project: what the
 * Dockerfile copies and installs, the secrets compose asks for and the users
 * nats-server knows, and the readers the process proof relies on
 * (Dockerfile stages, .dockerignore, compose interpolation).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { DEPLOY_USERS, deployEnv, renderDeployEnv } from '../../scripts/deploy-env.ts';
import { passwordVariable } from '../../scripts/nats-authorization.ts';
import { readHandoffChainSettings } from '@squadflow/squads/catalog';
import { interpolateString, loadCompose } from './compose.ts';
import { dockerignore, parseDockerfile, parseEnvArgs } from './dockerfile.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

describe('the Dockerfile', () => {
  const stages = parseDockerfile(read('Dockerfile'));
  const [build, final] = stages;

  it('installs with the pnpm version package.json names, after copying every workspace package.json and the patches', () => {
    const packageManager = (JSON.parse(read('package.json')) as { packageManager: string }).packageManager;
    const runs = build!.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs[0]).toBe(`npm install -g ${packageManager}`);
    const install = build!.instructions.findIndex((i) => i.keyword === 'RUN' && i.args.startsWith('pnpm install'));
    expect(build!.instructions[install]!.args).toBe('pnpm install --frozen-lockfile');
    const copiedBefore = build!.instructions
      .slice(0, install)
      .filter((i) => i.keyword === 'COPY')
      .map((i) => i.args);
    const workspace = readdirSync(join(ROOT, 'packages')).map((p) => `packages/${p}/package.json packages/${p}/`);
    expect(copiedBefore).toEqual(
      expect.arrayContaining(['package.json pnpm-lock.yaml pnpm-workspace.yaml ./', 'patches/ patches/', ...workspace]),
    );
  });

  it('ends in a stage from node:20-slim with the bundles and workflows only, run as an unprivileged user', () => {
    expect(stages).toHaveLength(2);
    expect([build!.from, build!.name, final!.from]).toEqual(['node:20-slim', 'build', 'node:20-slim']);
    expect(final!.instructions.filter((i) => i.keyword === 'COPY').map((i) => i.args)).toEqual([
      '--from=build /app/dist/ dist/',
      'workflows/ workflows/',
    ]);
    expect(final!.instructions.filter((i) => i.keyword === 'RUN')).toEqual([]);
    expect(final!.instructions.find((i) => i.keyword === 'USER')?.args).toBe('node');
  });

  it('parses ENV in both forms', () => {
    expect(parseEnvArgs('NODE_ENV=production     MALLOC_ARENA_MAX=2 X="a b"')).toEqual({
      NODE_ENV: 'production',
      MALLOC_ARENA_MAX: '2',
      X: 'a b',
    });
    expect(parseEnvArgs('CI true')).toEqual({ CI: 'true' });
  });
});

describe('.dockerignore', () => {
  const ignored = dockerignore(ROOT);
  it('keeps secrets, dependencies and build output out of the context, and the sources in', () => {
    for (const path of [
      '.env',
      '.env.local',
      '.git',
      'node_modules',
      'packages/engine/node_modules',
      'packages/engine/node_modules/x/y.js',
      'dist',
      'dist/orchestrator.mjs',
      'packages/gateway/dist/ui/index.html',
    ]) {
      expect([path, ignored(path)]).toEqual([path, true]);
    }
    for (const path of [
      'packages/engine/src/index.ts',
      'workflows/abandoned_cart_recovery.yaml',
      'pnpm-lock.yaml',
      'packages/cli/package.json',
      'scripts/build.ts',
      'packages/gateway/ui/src/main.tsx',
    ]) {
      expect([path, ignored(path)]).toEqual([path, false]);
    }
  });
});

describe('secrets and users', () => {
  const authorizationVariables = [...read('deploy/nats/authorization.conf').matchAll(/password: \$(\w+)/g)].map((m) => m[1]);

  it('scripts/deploy-env.ts makes a password for every user nats-server knows, each starting with a letter, and an API token', () => {
    const env = deployEnv();
    expect(DEPLOY_USERS.map(passwordVariable).sort()).toEqual([...authorizationVariables].sort());
    for (const variable of authorizationVariables) expect(env[variable!]).toMatch(/^p[0-9a-f]{32}$/);
    expect(env['SQUADFLOW_NATS_ROUTE_PASSWORD']).toMatch(/^p[0-9a-f]{32}$/);
    expect(env['SQUADFLOW_API_TOKENS']).toMatch(/^ops:t[0-9a-f]{48}:read\+trigger\+admin$/);
    expect(
      renderDeployEnv(env)
        .split('\n')
        .filter((l) => l && !l.startsWith('#')),
    ).toHaveLength(Object.keys(env).length);
  });

  it('every NATS node of both compose files gets every password, and compose refuses to start without them', () => {
    const env = deployEnv();
    const single = loadCompose([join(ROOT, 'docker-compose.yml')], env);
    const cluster = loadCompose([join(ROOT, 'docker-compose.yml'), join(ROOT, 'docker-compose.cluster.yml')], env);
    for (const node of [single.services['nats']!, ...['nats', 'nats-2', 'nats-3'].map((n) => cluster.services[n]!)]) {
      expect(Object.keys(node.environment).sort()).toEqual([...authorizationVariables].sort());
    }
    const { SQUADFLOW_NATS_GATEWAY_PASSWORD: _, ...missing } = env;
    expect(() => loadCompose([join(ROOT, 'docker-compose.yml')], missing)).toThrow(/SQUADFLOW_NATS_GATEWAY_PASSWORD.*deploy-env/);
  });

  it('each service connects as its own user', () => {
    const project = loadCompose([join(ROOT, 'docker-compose.yml')], deployEnv());
    const users = Object.values(project.services)
      .filter((s) => s.environment['SQUADFLOW_NATS_URL'])
      .map((s) => [s.name, /^nats:\/\/([a-z_]+):/.exec(s.environment['SQUADFLOW_NATS_URL']!)?.[1]]);
    expect(Object.fromEntries(users)).toEqual({
      orchestrator: 'orchestrator',
      gateway: 'gateway',
      inventory: 'squad_inventory',
      whatsapp: 'squad_whatsapp',
      traffic: 'squad_traffic',
      lead_scraper: 'squad_lead_scraper',
      google_ads: 'squad_google_ads',
      agency: 'squad_agency',
      notifier: 'notifier',
    });
  });
});

describe('the agency squad in compose', () => {
  it('chains the handoffs by default, and SQUADFLOW_CHAIN_HANDOFFS=false reaches the squad as off', () => {
    const agency = (env: Record<string, string>) =>
      loadCompose([join(ROOT, 'docker-compose.yml'), join(ROOT, 'docker-compose.cluster.yml')], { ...deployEnv(), ...env }).services[
        'agency'
      ]!.environment;
    expect(readHandoffChainSettings(agency({}))).toEqual({ enabled: true, maxHops: 5 });
    expect(readHandoffChainSettings(agency({ SQUADFLOW_CHAIN_HANDOFFS: 'false', SQUADFLOW_HANDOFF_MAX_HOPS: '2' }))).toEqual({
      enabled: false,
      maxHops: 2,
    });
    // The other squads do not publish triggers: the variables are the agency's alone.
    const single = loadCompose([join(ROOT, 'docker-compose.yml')], deployEnv());
    expect(single.services['agency']!.environment['SQUADFLOW_CHAIN_HANDOFFS']).toBe('true');
    expect(single.services['inventory']!.environment['SQUADFLOW_CHAIN_HANDOFFS']).toBeUndefined();
  });
});

describe('compose interpolation', () => {
  const env = { SET: 'v', EMPTY: '' };
  it.each([
    ['${SET}', 'v'],
    ['$SET/x', 'v/x'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-${SET}}', 'v'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['$$SET', '$SET'],
    ['a${SET:?need it}b', 'avb'],
  ])('%s → %s', (text, expected) => {
    expect(interpolateString(text, env)).toBe(expected);
  });
  it('stops on a required variable with its message', () => {
    expect(() => interpolateString('${EMPTY:?set EMPTY}', env)).toThrow('required variable EMPTY is missing a value: set EMPTY');
    expect(interpolateString('${EMPTY?set EMPTY}', env)).toBe('');
  });
});
