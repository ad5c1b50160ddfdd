import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { alertCodec, loadAlertsConfig, NO_ALERTS, parseAlertsConfig, SquadflowError } from '../src/index.ts';

/** The issues of the INVALID_CONFIG error `fn` throws, as `path: message`. */
function refusal(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SquadflowError);
    expect((err as SquadflowError).code).toBe('INVALID_CONFIG');
    return (err as SquadflowError).issues.map((i) => `${i.path}: ${i.message}`);
  }
  throw new Error('accepted');
}

describe('alerts configuration (SQUADFLOW_ALERTS)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  it('is off by default: no variable, no rules, nobody notified', () => {
    expect(loadAlertsConfig({})).toBe(NO_ALERTS);
    expect(NO_ALERTS).toMatchObject({ evaluateEveryMs: 30_000, rules: [], notify: { alerts: [], recipients: {} } });
  });

  it('fills defaults and compiles durations', () => {
    const config = parseAlertsConfig({
      evaluateEvery: '10s',
      rules: [
        { id: 'fails', kind: 'failure_rate', threshold: 0.2 },
        { id: 'stuck', kind: 'stuck', limit: '1h' },
        { id: 'open', kind: 'breaker_open' },
        { id: 'unanswered', kind: 'escalation_unanswered', limit: '2h' },
      ],
    });
    expect(config.evaluateEveryMs).toBe(10_000);
    expect(config.rules).toMatchObject([
      { kind: 'failure_rate', window: '15m', minExecutions: 10, severity: 'warning' },
      { kind: 'stuck', statuses: ['running', 'waiting'] },
      { kind: 'breaker_open', for: 0 },
      { kind: 'escalation_unanswered', limit: '2h' },
    ]);
  });

  it('refuses bad rules and routes with an error naming each field', () => {
    expect(refusal(() => parseAlertsConfig({ rules: [{ id: 'fails', kind: 'failure_rate', threshold: 2 }] }))).toEqual([
      'rules.0.threshold: Too big: expected number to be <=1',
    ]);
    expect(refusal(() => parseAlertsConfig({ rules: [{ id: 'stuck', kind: 'stuck', limit: 'soon' }] }))[0]).toMatch(/^rules\.0\.limit: /);
    expect(refusal(() => parseAlertsConfig({ rules: [{ id: 'x', kind: 'exploded' }] }))[0]).toMatch(/^rules\.0\.kind: /);
    expect(
      refusal(() =>
        parseAlertsConfig({
          rules: [
            { id: 'same', kind: 'breaker_open' },
            { id: 'same', kind: 'breaker_open' },
          ],
        }),
      ),
    ).toEqual(['rules.1.id: duplicate rule id "same"']);
    expect(refusal(() => parseAlertsConfig({ notify: { recipients: { ops: { email: 'not-an-address' } } } }))).toEqual([
      'notify.recipients.ops.email: Invalid email address',
    ]);
    expect(refusal(() => parseAlertsConfig({ notify: { recipients: { ops: {} } } }))).toEqual([
      'notify.recipients.ops: needs email, whatsapp or webhook',
    ]);
    expect(refusal(() => parseAlertsConfig({ rules: [], evaluateEvry: '1s' }))[0]).toMatch(/evaluateEvry/);
  });

  it('reads a YAML or JSON file, or inline JSON, and names the variable when the file is bad', () => {
    const dir = mkdtempSync(join(tmpdir(), 'alerts-'));
    dirs.push(dir);
    const yaml = join(dir, 'alerts.yaml');
    writeFileSync(
      yaml,
      'rules:\n  - id: stuck\n    kind: stuck\n    limit: 30m\nnotify:\n  alerts: [ops]\n  recipients:\n    ops: { email: ops@example.com }\n',
    );
    expect(loadAlertsConfig({ SQUADFLOW_ALERTS: yaml })).toMatchObject({
      rules: [{ id: 'stuck', limit: '30m' }],
      notify: { alerts: ['ops'] },
    });
    expect(loadAlertsConfig({ SQUADFLOW_ALERTS: '{"rules":[{"id":"b","kind":"breaker_open"}]}' }).rules).toHaveLength(1);

    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'rules:\n  - id: stuck\n    kind: stuck\n');
    expect(() => loadAlertsConfig({ SQUADFLOW_ALERTS: bad })).toThrow(`SQUADFLOW_ALERTS (${bad}): invalid: rules.0.limit`);
    writeFileSync(bad, 'rules: [\n');
    expect(refusal(() => loadAlertsConfig({ SQUADFLOW_ALERTS: bad }))[0]).toMatch(/^SQUADFLOW_ALERTS: /);
    expect(refusal(() => loadAlertsConfig({ SQUADFLOW_ALERTS: join(dir, 'missing.json') }))[0]).toMatch(/^SQUADFLOW_ALERTS: .*ENOENT/);
  });

  it('alert events are checked at the boundary like every wire message', () => {
    const event = {
      id: 'stuck.cart.1.firing',
      type: 'alert.firing',
      alert: 'stuck.cart',
      rule: 'stuck',
      kind: 'stuck',
      severity: 'warning',
      summary: 's',
      value: 1,
      threshold: 1000,
      since: 1,
      at: 1,
    };
    expect(alertCodec.decode(alertCodec.encode(event as never))).toEqual(event);
    expect(() => alertCodec.decode(new TextEncoder().encode(JSON.stringify({ ...event, type: 'alert.exploded' })))).toThrow(/type/);
  });
});
