import { runNotifierProcess } from '@squadflow/squads';
import type { Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { cliLogger } from '../session.ts';

export const notifierCommand: Command = {
  name: 'notifier',
  summary:
    'Run the notifier as its own process: human tasks, escalations and alerts by e-mail, WhatsApp and webhook (needs SQUADFLOW_NATS_URL)',
  usage: 'notifier',
  details: `Follows the lifecycle stream and tells people (docs/alerts.md): a human task's assignee, the
new assignee of an escalated task, the escalation route of an escalated execution, and the alert
route of every alert. Prints "ready"; SIGTERM/SIGINT stop it. Run it several times for replicas.
Environment: SQUADFLOW_NATS_URL (required), SQUADFLOW_PREFIX, SQUADFLOW_ALERTS (routes and
recipients), SQUADFLOW_SMTP_URL, SQUADFLOW_NOTIFY_WEBHOOK_SECRET, WHATSAPP_TOKEN and
WHATSAPP_PHONE_NUMBER_ID (else the WhatsApp outbox), SQUADFLOW_HEALTH_FILE, SQUADFLOW_LOG_LEVEL.`,
  options: {},
  positionals: { min: 0, max: 0 },
  async run({ config }) {
    if (!config.natsUrl) {
      throw new CliError(
        ExitCode.USAGE,
        'notifier: the notifier process needs SQUADFLOW_NATS_URL (`squadflow start` runs one in-process)',
        ['SQUADFLOW_NATS_URL: Required'],
      );
    }
    await runNotifierProcess({ logger: cliLogger(config, { fallback: 'info' }) });
    // It runs until a signal: exitOnSignals stops it and exits the process.
    return new Promise<number>(() => undefined);
  },
};
