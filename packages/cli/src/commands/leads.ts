import type { LeadRecord } from '@squadflow/shared';
import { intOption, type Command } from '../command.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import { withRemote } from '../remote/index.ts';

const when = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').slice(0, 19);

/** One line per lead: phone, status, name, last change. */
export function describeLeads(leads: LeadRecord[], nextCursor?: string): string {
  if (!leads.length) return 'no leads';
  const lines = leads.map((l) => `${l.phone.padEnd(16)} ${l.status.padEnd(14)} ${(l.name ?? '-').padEnd(20)} ${when(l.updatedAt)}`);
  return [
    `${'PHONE'.padEnd(16)} ${'STATUS'.padEnd(14)} ${'NAME'.padEnd(20)} UPDATED (UTC)`,
    ...lines,
    ...(nextCursor ? [`more: --cursor ${nextCursor}`] : []),
  ].join('\n');
}

/** A lead and its status history, oldest change first. */
export function describeLead(lead: LeadRecord): string {
  const head = `${lead.phone}  ${lead.status}${lead.name ? `  ${lead.name}` : ''}${lead.segment ? `  segment ${lead.segment}` : ''}`;
  const history = lead.history.map(
    (h) => `  ${when(h.at)}  ${h.status.padEnd(14)} ${h.executionId}${h.step ? ` ${h.step}` : ''}${h.note ? `  (${h.note})` : ''}`,
  );
  return [head, ...history].join('\n');
}

export const leadsCommand: Command = {
  name: 'leads',
  summary: "Seed 004's leads and their status history (new, qualified, template_sent, activated, conversing, ...)",
  usage: 'leads [phone] [--status activated,conversing] [--limit 50] [--cursor <c>]',
  details: `  --status <s,...>   only leads in these statuses
  --limit <n>        leads per page (default 50, at most 500)
  --cursor <c>       the next page, as the previous one printed it
With a phone: that lead and every change (time, execution, step). Reads GET /v1/leads of the gateway
(SQUADFLOW_URL), not NATS. Exit 3 when there is no such lead.`,
  options: { status: { type: 'string' }, limit: { type: 'string' }, cursor: { type: 'string' } },
  positionals: { min: 0, max: 1 },
  async run({ values, positionals, out, config }) {
    const limit = intOption(values, 'limit', 50);
    return withRemote(config, async (remote) => {
      if (!remote.listLeads || !remote.getLead) {
        throw new CliError(ExitCode.USAGE, `leads reads the gateway's HTTP API; ${remote.where} is not one (set SQUADFLOW_URL)`);
      }
      const phone = positionals[0];
      if (phone !== undefined) {
        const lead = await remote.getLead(phone);
        out.result(lead, () => describeLead(lead));
        return ExitCode.OK;
      }
      const status = typeof values['status'] === 'string' ? values['status'].split(',').filter(Boolean) : undefined;
      const cursor = typeof values['cursor'] === 'string' ? values['cursor'] : undefined;
      const page = await remote.listLeads({ limit, ...(status ? { status } : {}), ...(cursor ? { cursor } : {}) });
      out.result(page, () => describeLeads(page.leads, page.nextCursor));
      return ExitCode.OK;
    });
  },
};
