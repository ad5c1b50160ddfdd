import { AlertEvaluator } from '@squadflow/engine';
import type { AlertsConfig, Logger } from '@squadflow/shared';
import { channelsFromEnv, startNotifier, type RunningNotifier } from '@squadflow/squads';
import type { Transport } from '@squadflow/transport';

export interface AlertingOptions {
  transport: Transport;
  prefix: string;
  logger: Logger;
  /** The alerts file (`loadAlertsConfig()`). */
  alerts: AlertsConfig;
  /** Where the notifier's secrets come from (default `process.env`). */
  env?: Record<string, string | undefined>;
}

/** The alert evaluator and the notifier of one process; either may be absent. */
export interface Alerting {
  evaluator: AlertEvaluator | undefined;
  notifier: RunningNotifier | undefined;
  stop(): Promise<void>;
}

const NOTIFIER_ENV = ['SQUADFLOW_SMTP_URL', 'SQUADFLOW_NOTIFY_WEBHOOK_SECRET'];

/**
 * Alerts and notifications in the embedded runtime (docs/alerts.md): the
 * evaluator when there are rules, the notifier when there are routes or
 * recipients, or a notification channel in the environment. Nothing
 * otherwise: both are off by default.
 */
export async function startAlerting(options: AlertingOptions): Promise<Alerting> {
  const { transport, prefix, logger, alerts } = options;
  const env = options.env ?? process.env;
  const { recipients, alerts: alertRoute, escalations } = alerts.notify;
  const routed = Object.keys(recipients).length > 0 || alertRoute.length > 0 || escalations.default.length > 0;
  const wantsNotifier = routed || Object.keys(escalations.workflows).length > 0 || NOTIFIER_ENV.some((name) => env[name]);
  const notifier = wantsNotifier
    ? await startNotifier({
        transport,
        prefix,
        logger: logger.child({ component: 'notifier' }),
        config: alerts.notify,
        channels: await channelsFromEnv(alerts.notify, transport, prefix, env),
      })
    : undefined;
  const evaluator = alerts.rules.length
    ? await AlertEvaluator.start({
        transport,
        prefix,
        logger: logger.child({ component: 'alerts' }),
        rules: alerts.rules,
        intervalMs: alerts.evaluateEveryMs,
      })
    : undefined;
  return {
    evaluator,
    notifier,
    stop: async () => {
      await evaluator?.stop();
      await notifier?.stop();
    },
  };
}
