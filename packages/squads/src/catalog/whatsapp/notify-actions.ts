import { z } from 'zod';
import { NonRetryableError } from '../../errors.ts';
import { catalogAction } from '../common/action.ts';
import type { WhatsAppClient } from './client.ts';
import { optionalText, Phone, send, SentOutput } from './send.ts';
import { abandonedCartText, followupText, stockAlertText, welcomeText } from './texts.ts';

export interface NotifyDeps {
  client: WhatsAppClient;
  /** Who gets stock alerts when the input names nobody (e.g. the purchasing team's phone). */
  alertPhone?: string;
}

const TextOutput = SentOutput.extend({ text: z.string() });

/** Actions of seed 000's workflows: cart recovery, lead welcome and follow-up, stock alerts. */
export function notifyActions(deps: NotifyDeps) {
  return {
    /** Reminds a customer of an abandoned cart; the input is the abandoned_cart_recovery context as is. */
    send_abandoned_cart_message: catalogAction({
      description: 'Sends the abandoned-cart reminder listing the items and cart value. Input: the abandoned_cart_recovery context.',
      input: z.object({
        customer_phone: Phone,
        customer_name: optionalText,
        abandoned_items: z.array(z.object({ id: z.string().optional(), name: z.string().optional() })).default([]),
        cart_value: z.number().nonnegative().optional(),
      }),
      output: TextOutput,
      async handler(input, ctx) {
        const item_names = input.abandoned_items.map((i) => i.name ?? i.id).filter((n): n is string => !!n);
        const text = abandonedCartText({ customer_name: input.customer_name, item_names, cart_value: input.cart_value });
        return { ...(await send(deps.client, { to: input.customer_phone, type: 'text', text, purpose: 'abandoned_cart' }, ctx)), text };
      },
    }),
    /** Welcomes a new lead; the input is `lead_data` (plus an optional `segment` from qualify_new_lead). */
    send_welcome_message: catalogAction({
      description: 'Sends the welcome message to a new lead. Input: lead_data ({ phone, name }) and optionally segment.',
      input: z.object({ phone: Phone, name: optionalText, segment: optionalText }),
      output: TextOutput,
      async handler(input, ctx) {
        const text = welcomeText(input);
        return { ...(await send(deps.client, { to: input.phone, type: 'text', text, purpose: 'welcome' }, ctx)), text };
      },
    }),
    /**
     * Sends the lead's follow-up. The workflow's step delay (48 h in the seed)
     * does the scheduling, durably; this action sends when the step runs.
     */
    schedule_followup_message: catalogAction({
      description: 'Sends the follow-up message to a lead; schedule it with the step delay. Input: lead_data ({ phone, name }).',
      input: z.object({ phone: Phone, name: optionalText }),
      output: TextOutput,
      async handler(input, ctx) {
        const text = followupText(input);
        return { ...(await send(deps.client, { to: input.phone, type: 'text', text, purpose: 'followup' }, ctx)), text };
      },
    }),
    /** Alerts a supplier or the team about a critical stock level; `to` defaults to the configured alert phone. */
    send_stock_alert: catalogAction({
      description:
        'Sends a stock alert for a product to `to` (e.g. the top supplier contact) or the configured alert phone. Input: analyze_critical_stock output.',
      input: z.object({
        to: optionalText,
        product_id: z.string().min(1),
        product_name: optionalText,
        stock_level: z.number().int().nonnegative(),
        min_threshold: z.number().int().nonnegative().optional(),
        reorder_quantity: z.number().int().nonnegative().optional(),
      }),
      output: TextOutput,
      async handler(input, ctx) {
        const to = input.to ?? deps.alertPhone;
        if (to === undefined) {
          throw new NonRetryableError('no recipient for the stock alert: give `to` or configure WHATSAPP_ALERT_PHONE', {
            code: 'NO_RECIPIENT',
          });
        }
        const text = stockAlertText(input);
        return { ...(await send(deps.client, { to, type: 'text', text, purpose: 'stock_alert' }, ctx)), text };
      },
    }),
  };
}
