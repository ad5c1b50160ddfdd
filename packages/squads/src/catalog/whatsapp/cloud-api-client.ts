import { NonRetryableError } from '../../errors.ts';
import { normalizePhone } from '../common/phone.ts';
import type { OutgoingMessage, SendOptions, SentMessage, WhatsAppClient } from './client.ts';
import { readWhatsAppEnv, type CloudApiConfig } from './env.ts';

/** A failure a later attempt may not hit (429, 5xx, network): the runtime reports it as retryable. */
export class WhatsAppTransientError extends Error {
  override readonly name = 'WhatsAppTransientError';
  constructor(
    message: string,
    readonly code: 'WHATSAPP_RATE_LIMITED' | 'WHATSAPP_UNAVAILABLE' | 'WHATSAPP_NETWORK',
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The parts of Meta's answers we read; everything else is ignored. */
interface GraphResponse {
  messages?: Array<{ id?: unknown }>;
  error?: { message?: unknown; code?: unknown; error_subcode?: unknown };
}

/**
 * The WhatsApp Cloud API (Meta Graph API): `POST <base>/<phone number id>/messages`
 * with a Bearer token. Errors are mapped for the step runtime: 4xx other than
 * 429 throw `NonRetryableError` (bad number, template not approved, expired
 * token: retrying cannot help); 429, 5xx and network failures throw a
 * retryable {@link WhatsAppTransientError}. The Graph API has no idempotency
 * key, so a retry after a 5xx may deliver twice; the squad runtime still runs
 * each attempt at most once.
 */
export class CloudApiWhatsAppClient implements WhatsAppClient {
  readonly channel = 'cloud_api' as const;
  private readonly url: string;

  constructor(private readonly config: CloudApiConfig) {
    this.url = `${config.baseUrl}/${encodeURIComponent(config.phoneNumberId)}/messages`;
  }

  /** Builds the client from `WHATSAPP_TOKEN`, `WHATSAPP_PHONE_NUMBER_ID` and `WHATSAPP_API_BASE_URL`; throws `INVALID_CONFIG` naming the variable. */
  static fromEnv(env: Record<string, string | undefined> = process.env): CloudApiWhatsAppClient {
    return new CloudApiWhatsAppClient(readWhatsAppEnv(env));
  }

  async send(message: OutgoingMessage, options: SendOptions): Promise<SentMessage> {
    const to = normalizePhone(message.to);
    let response: Response;
    try {
      response = await fetch(this.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.config.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(toGraphBody(to, message)),
        ...(options.signal ? { signal: options.signal } : {}),
      });
    } catch (err) {
      // An abort is the step deadline: rethrow as is, the runtime reports TIMEOUT.
      if (options.signal?.aborted) throw err;
      throw new WhatsAppTransientError(`WhatsApp Cloud API unreachable: ${(err as Error).message}`, 'WHATSAPP_NETWORK', undefined, {
        cause: err,
      });
    }
    const body = await readJson(response);
    if (!response.ok) throw toError(response.status, body);
    const id = body?.messages?.[0]?.id;
    if (typeof id !== 'string' || id === '') {
      // Meta accepted the request; retrying could send the message twice.
      throw new NonRetryableError(`WhatsApp Cloud API answered ${response.status} without messages[0].id`, {
        code: 'WHATSAPP_BAD_RESPONSE',
      });
    }
    return { messageId: id, to, channel: this.channel };
  }
}

/** The Graph API request body for a text or template message. */
export function toGraphBody(to: string, message: OutgoingMessage): Record<string, unknown> {
  const base = { messaging_product: 'whatsapp', recipient_type: 'individual', to };
  if (message.type === 'text') return { ...base, type: 'text', text: { body: message.text } };
  const { name, language, parameters } = message.template;
  const components = parameters?.length ? [{ type: 'body', parameters: parameters.map((text) => ({ type: 'text', text })) }] : undefined;
  return { ...base, type: 'template', template: { name, language: { code: language }, ...(components ? { components } : {}) } };
}

async function readJson(response: Response): Promise<GraphResponse | null> {
  try {
    return (await response.json()) as GraphResponse;
  } catch {
    return null; // a proxy's HTML error page: the status decides
  }
}

function toError(status: number, body: GraphResponse | null): Error {
  const detail = typeof body?.error?.message === 'string' ? `: ${body.error.message}` : '';
  const metaCode = typeof body?.error?.code === 'number' ? ` (Meta code ${body.error.code})` : '';
  const message = `WhatsApp Cloud API answered ${status}${detail}${metaCode}`;
  if (status === 429) return new WhatsAppTransientError(message, 'WHATSAPP_RATE_LIMITED', status);
  if (status >= 500) return new WhatsAppTransientError(message, 'WHATSAPP_UNAVAILABLE', status);
  return new NonRetryableError(message, { code: `WHATSAPP_HTTP_${status}` });
}
