import { SquadflowError, toFieldIssues } from '@squadflow/shared';
import { z } from 'zod';

/** Graph API base, version included: requests go to `<base>/<phone number id>/messages`. */
export const DEFAULT_GRAPH_API_BASE_URL = 'https://graph.facebook.com/v21.0';

/**
 * WhatsApp Cloud API settings from the environment:
 *
 * | variable | meaning |
 * |---|---|
 * | WHATSAPP_TOKEN | system-user or temporary access token (Bearer) |
 * | WHATSAPP_PHONE_NUMBER_ID | the business phone number id (digits), not the phone number |
 * | WHATSAPP_API_BASE_URL | optional; default `https://graph.facebook.com/v21.0` (tests point it at a local server) |
 */
const required = { error: (issue: { input: unknown }) => (issue.input === undefined ? 'required' : 'must be a string') };

export const WhatsAppEnvSchema = z.object({
  WHATSAPP_TOKEN: z.string(required),
  WHATSAPP_PHONE_NUMBER_ID: z.string(required).regex(/^\d+$/, 'must be the numeric phone number id from the WhatsApp Manager'),
  WHATSAPP_API_BASE_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
});

export interface CloudApiConfig {
  token: string;
  phoneNumberId: string;
  baseUrl: string;
}

type Env = Record<string, string | undefined>;

/** Empty variables count as unset, as in `loadConfig`: compose files often declare `VAR=`. */
function clean(env: Env): Env {
  return Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
}

/** True when either Cloud API credential is set, i.e. the operator meant to use the real API. */
export function wantsCloudApi(env: Env): boolean {
  const e = clean(env);
  return e['WHATSAPP_TOKEN'] !== undefined || e['WHATSAPP_PHONE_NUMBER_ID'] !== undefined;
}

/**
 * Reads and validates the Cloud API settings. Throws `INVALID_CONFIG` with
 * one issue per bad variable, named by the variable (never its value: the
 * token is a secret).
 */
export function readWhatsAppEnv(env: Env = process.env): CloudApiConfig {
  const parsed = WhatsAppEnvSchema.safeParse(clean(env));
  if (!parsed.success) {
    throw new SquadflowError('INVALID_CONFIG', 'invalid WhatsApp Cloud API environment', toFieldIssues(parsed.error.issues));
  }
  const e = parsed.data;
  return {
    token: e.WHATSAPP_TOKEN,
    phoneNumberId: e.WHATSAPP_PHONE_NUMBER_ID,
    baseUrl: (e.WHATSAPP_API_BASE_URL ?? DEFAULT_GRAPH_API_BASE_URL).replace(/\/+$/, ''),
  };
}

/** Optional settings of the WhatsApp squad itself (any client). */
export interface WhatsAppSquadSettings {
  /** `WHATSAPP_ALERT_PHONE`: recipient of stock alerts whose input names none. */
  alertPhone?: string;
  /** `WHATSAPP_ACTIVATION_TEMPLATE`: template `send_template` sends by default (default `lead_activation`). */
  activationTemplate?: string;
  /** `WHATSAPP_TEMPLATE_LANGUAGE`: its language code (default `pt_BR`). */
  templateLanguage?: string;
}

const SquadEnvSchema = z.object({
  WHATSAPP_ALERT_PHONE: z
    .string()
    .regex(/^\+?[\d\s().-]{8,24}$/, 'must be an international phone number like +55 11 99999-9999')
    .optional(),
  WHATSAPP_ACTIVATION_TEMPLATE: z
    .string()
    .regex(/^[a-z0-9_]{1,512}$/, 'must be a template name: lower-case letters, digits and "_"')
    .optional(),
  WHATSAPP_TEMPLATE_LANGUAGE: z
    .string()
    .regex(/^[a-z]{2,3}(_[A-Z]{2})?$/, 'must be a language code like pt_BR or en_US')
    .optional(),
});

/** Reads the squad settings; throws `INVALID_CONFIG` naming the bad variable. */
export function readWhatsAppSquadEnv(env: Env = process.env): WhatsAppSquadSettings {
  const parsed = SquadEnvSchema.safeParse(clean(env));
  if (!parsed.success) throw new SquadflowError('INVALID_CONFIG', 'invalid WhatsApp squad environment', toFieldIssues(parsed.error.issues));
  const e = parsed.data;
  return {
    ...(e.WHATSAPP_ALERT_PHONE === undefined ? {} : { alertPhone: e.WHATSAPP_ALERT_PHONE }),
    ...(e.WHATSAPP_ACTIVATION_TEMPLATE === undefined ? {} : { activationTemplate: e.WHATSAPP_ACTIVATION_TEMPLATE }),
    ...(e.WHATSAPP_TEMPLATE_LANGUAGE === undefined ? {} : { templateLanguage: e.WHATSAPP_TEMPLATE_LANGUAGE }),
  };
}
