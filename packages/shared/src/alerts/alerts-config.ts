import { readFileSync } from 'node:fs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { DurationSchema, durationMs } from '../duration.ts';
import { SquadflowError, toFieldIssues } from '../errors.ts';
import { AlertRuleSchema, type AlertRule } from './alert-rules.ts';
import { NotifyConfigSchema, type NotifyConfig } from './notify-config.ts';

/**
 * The alerts file (`SQUADFLOW_ALERTS`, docs/alerts.md): rules the engine
 * evaluates and whom the notifier tells. Everything is off by default: no
 * file, no rules, nobody notified.
 */
export const AlertsFileSchema = z
  .strictObject({
    /** How often the evaluator looks (one replica at a time). */
    evaluateEvery: DurationSchema.default('30s'),
    rules: z.array(AlertRuleSchema).max(200).default([]),
    notify: NotifyConfigSchema.default(NotifyConfigSchema.parse({})),
  })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.rules.forEach((rule, i) => {
      if (seen.has(rule.id)) ctx.addIssue({ code: 'custom', path: ['rules', i, 'id'], message: `duplicate rule id "${rule.id}"` });
      seen.add(rule.id);
    });
  });
export type AlertsFile = z.output<typeof AlertsFileSchema>;

/** The alerts file compiled: durations in ms. */
export interface AlertsConfig {
  evaluateEveryMs: number;
  rules: AlertRule[];
  notify: NotifyConfig;
}

/** Alerts off: no rules, nobody notified. */
export const NO_ALERTS: AlertsConfig = compile(AlertsFileSchema.parse({}));

/**
 * Validates an alerts document (already parsed JSON or YAML). Throws
 * `INVALID_CONFIG` with one issue per bad field, named by its path
 * (`rules.0.threshold`), prefixed with `source` when given.
 */
export function parseAlertsConfig(data: unknown, source?: string): AlertsConfig {
  const parsed = AlertsFileSchema.safeParse(data);
  if (!parsed.success) {
    throw new SquadflowError('INVALID_CONFIG', `${source ?? 'alerts configuration'}: invalid`, toFieldIssues(parsed.error.issues));
  }
  return compile(parsed.data);
}

/**
 * The alerts configuration of this process: `SQUADFLOW_ALERTS` is a path to
 * a `.json`, `.yaml` or `.yml` file, or the JSON itself (starting with `{`).
 * Unset: {@link NO_ALERTS}. A file that cannot be read or parsed, or that
 * fails the schema, throws `INVALID_CONFIG` naming the variable and field.
 */
export function loadAlertsConfig(env: Record<string, string | undefined> = process.env): AlertsConfig {
  const value = env['SQUADFLOW_ALERTS']?.trim();
  if (!value) return NO_ALERTS;
  const inline = value.startsWith('{');
  const source = inline ? 'SQUADFLOW_ALERTS' : `SQUADFLOW_ALERTS (${value})`;
  let text = value;
  if (!inline) {
    try {
      text = readFileSync(value, 'utf8');
    } catch (err) {
      throw new SquadflowError('INVALID_CONFIG', `${source}: cannot be read`, [
        { path: 'SQUADFLOW_ALERTS', message: (err as Error).message },
      ]);
    }
  }
  return parseAlertsConfig(parseText(text, inline || value.endsWith('.json'), source), source);
}

/** JSON or YAML (data only: no custom tags) to a value; a syntax error names the variable. */
function parseText(text: string, json: boolean, source: string): unknown {
  try {
    if (json) return JSON.parse(text);
    const doc = parseDocument(text, { strict: true, uniqueKeys: true });
    if (doc.errors[0]) throw doc.errors[0];
    return doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    const message = (err as Error).message.split('\n')[0]!;
    throw new SquadflowError('INVALID_CONFIG', `${source}: not valid ${json ? 'JSON' : 'YAML'}`, [{ path: 'SQUADFLOW_ALERTS', message }]);
  }
}

function compile(file: AlertsFile): AlertsConfig {
  return { evaluateEveryMs: durationMs(file.evaluateEvery), rules: file.rules, notify: file.notify };
}
