import { describe, expect, it } from 'vitest';
import { loadConfig, SquadflowError } from '../src/index.ts';

describe('loadConfig', () => {
  it('uses the documented defaults for an empty environment (embedded mode: no NATS URL)', () => {
    expect(loadConfig({})).toEqual({
      natsUrl: undefined,
      prefix: 'sqf',
      logLevel: 'info',
      concurrency: 256,
      squadLimits: {},
      maxEventAttempts: 5,
      replicas: 1,
      stepProgressEvents: true,
    });
  });

  it('reads every variable', () => {
    expect(
      loadConfig({
        SQUADFLOW_NATS_URL: 'nats://a:4222,nats://b:4222',
        SQUADFLOW_PREFIX: 'prod_1',
        SQUADFLOW_LOG_LEVEL: 'debug',
        SQUADFLOW_SQUAD_LIMITS: 'whatsapp=8,inventory=16',
        SQUADFLOW_CONCURRENCY: '64',
        SQUADFLOW_MAX_EVENT_ATTEMPTS: '3',
        SQUADFLOW_WORKFLOWS: 'workflows/',
        SQUADFLOW_REPLICAS: '3',
        SQUADFLOW_HEALTH_FILE: '/tmp/squadflow.health',
        SQUADFLOW_STEP_PROGRESS_EVENTS: 'off',
      }),
    ).toEqual({
      natsUrl: 'nats://a:4222,nats://b:4222',
      prefix: 'prod_1',
      logLevel: 'debug',
      concurrency: 64,
      squadLimits: { whatsapp: 8, inventory: 16 },
      maxEventAttempts: 3,
      workflowsPath: 'workflows/',
      replicas: 3,
      healthFile: '/tmp/squadflow.health',
      stepProgressEvents: false,
    });
  });

  it('treats empty variables as unset', () => {
    expect(loadConfig({ SQUADFLOW_NATS_URL: '', SQUADFLOW_PREFIX: '', SQUADFLOW_CONCURRENCY: '' })).toEqual(loadConfig({}));
  });

  it('ignores variables that are not its own', () => {
    expect(loadConfig({ PATH: '/usr/bin', SQUADFLOW_UNKNOWN: 'x' })).toEqual(loadConfig({}));
  });

  it.each([
    ['SQUADFLOW_PREFIX', 'Bad-Prefix'],
    ['SQUADFLOW_LOG_LEVEL', 'verbose'],
    ['SQUADFLOW_CONCURRENCY', 'lots'],
    ['SQUADFLOW_CONCURRENCY', '0'],
    ['SQUADFLOW_CONCURRENCY', '2.5'],
    ['SQUADFLOW_SQUAD_LIMITS', 'whatsapp=0'],
    ['SQUADFLOW_SQUAD_LIMITS', 'whatsapp'],
    ['SQUADFLOW_MAX_EVENT_ATTEMPTS', '0'],
    ['SQUADFLOW_REPLICAS', '0'],
    ['SQUADFLOW_REPLICAS', '7'],
    ['SQUADFLOW_REPLICAS', 'three'],
    ['SQUADFLOW_HEALTH_FILE', 'relative/health'],
    ['SQUADFLOW_STEP_PROGRESS_EVENTS', 'false'],
  ])('rejects %s=%s with INVALID_CONFIG naming the variable', (variable, value) => {
    let error: unknown;
    try {
      loadConfig({ [variable]: value });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(SquadflowError);
    expect((error as SquadflowError).code).toBe('INVALID_CONFIG');
    expect((error as SquadflowError).issues.map((i) => i.path)).toEqual([variable]);
    expect((error as SquadflowError).message).toContain(variable);
  });

  it('reports every bad variable at once', () => {
    expect(() => loadConfig({ SQUADFLOW_PREFIX: '1x', SQUADFLOW_LOG_LEVEL: 'loud' })).toThrow(
      expect.objectContaining({
        issues: [expect.objectContaining({ path: 'SQUADFLOW_PREFIX' }), expect.objectContaining({ path: 'SQUADFLOW_LOG_LEVEL' })],
      }),
    );
  });

  it('reads process.env by default', () => {
    const saved = process.env['SQUADFLOW_PREFIX'];
    process.env['SQUADFLOW_PREFIX'] = 'from_env';
    try {
      expect(loadConfig().prefix).toBe('from_env');
    } finally {
      if (saved === undefined) delete process.env['SQUADFLOW_PREFIX'];
      else process.env['SQUADFLOW_PREFIX'] = saved;
    }
  });
});
