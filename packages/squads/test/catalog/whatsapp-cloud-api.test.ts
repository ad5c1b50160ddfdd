import type { Transport } from '@squadflow/transport';
import { SquadflowError } from '@squadflow/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CloudApiWhatsAppClient, createWhatsAppSquad, readWhatsAppEnv, WhatsAppTransientError } from '../../src/catalog/index.ts';
import { NonRetryableError } from '../../src/errors.ts';
import { GraphApiStub, metaError } from './graph-api-stub.ts';
import { fakeContext, memory, run, runThroughSquad } from './support.ts';

const PHONE_NUMBER_ID = '106540352242922';
const TOKEN = 'EAAG-test-token';

let stub: GraphApiStub;
let transport: Transport | undefined;
beforeEach(async () => {
  stub = await new GraphApiStub().start();
});
afterEach(async () => {
  await stub.stop();
  await transport?.close();
  transport = undefined;
});

function client(baseUrl = stub.baseUrl): CloudApiWhatsAppClient {
  return CloudApiWhatsAppClient.fromEnv({
    WHATSAPP_TOKEN: TOKEN,
    WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID,
    WHATSAPP_API_BASE_URL: baseUrl,
  });
}

describe('CloudApiWhatsAppClient', () => {
  it('posts a text message to /<phone number id>/messages with the bearer token and returns messages[0].id', async () => {
    const squad = createWhatsAppSquad({ client: client() });
    const out = await run(squad, 'send_reminder_message', { phone_number: '+55 11 99999-9999', name: 'Maria' });

    expect(out).toMatchObject({ message_id: 'wamid.X1', to: '5511999999999', channel: 'cloud_api' });
    expect(stub.requests).toHaveLength(1);
    const [request] = stub.requests;
    expect(request).toMatchObject({ method: 'POST', path: `/v21.0/${PHONE_NUMBER_ID}/messages` });
    expect(request?.headers['authorization']).toBe(`Bearer ${TOKEN}`);
    expect(request?.headers['content-type']).toBe('application/json');
    expect(request?.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '5511999999999',
      type: 'text',
      text: { body: (out as { text: string }).text },
    });
  });

  it('posts a template message with its name and language code, and body parameters only when given', async () => {
    const squad = createWhatsAppSquad({ client: client() });
    await run(squad, 'send_template', { phone_number: '+5511999999999' });
    await run(squad, 'send_template', { phone_number: '+5511999999999', template: 'boas_vindas', language: 'en_US', parameters: ['João'] });

    expect(stub.requests.map((r) => r.body)).toEqual([
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '5511999999999',
        type: 'template',
        template: { name: 'lead_activation', language: { code: 'pt_BR' } },
      },
      {
        messaging_product: 'whatsapp',
        recipient_type: 'individual',
        to: '5511999999999',
        type: 'template',
        template: {
          name: 'boas_vindas',
          language: { code: 'en_US' },
          components: [{ type: 'body', parameters: [{ type: 'text', text: 'João' }] }],
        },
      },
    ]);
  });

  it("maps a 400 to a NonRetryableError carrying Meta's message", async () => {
    stub.answer({ status: 400, body: metaError('(#131030) Recipient phone number not in allowed list', 131030) });
    const failure = client().send({ to: '5511999999999', type: 'text', text: 'oi' }, { idempotencyKey: 'k1' });

    await expect(failure).rejects.toBeInstanceOf(NonRetryableError);
    await expect(failure).rejects.toMatchObject({ code: 'WHATSAPP_HTTP_400', message: expect.stringContaining('not in allowed list') });
  });

  it('maps a 429 to a retryable rate-limit error', async () => {
    stub.answer({ status: 429, body: metaError('(#130429) Rate limit hit', 130429) });
    const failure = client().send({ to: '5511999999999', type: 'text', text: 'oi' }, { idempotencyKey: 'k1' });

    await expect(failure).rejects.toBeInstanceOf(WhatsAppTransientError);
    await expect(failure).rejects.toMatchObject({ code: 'WHATSAPP_RATE_LIMITED', status: 429 });
  });

  it('maps a 500 to a retryable error', async () => {
    stub.answer({ status: 500, body: { error: { message: 'Service temporarily unavailable', code: 2 } } });
    const failure = client().send({ to: '5511999999999', type: 'text', text: 'oi' }, { idempotencyKey: 'k1' });

    await expect(failure).rejects.toBeInstanceOf(WhatsAppTransientError);
    await expect(failure).rejects.toMatchObject({ code: 'WHATSAPP_UNAVAILABLE', status: 500 });
  });

  it('maps a refused connection to a retryable network error', async () => {
    const closed = stub.baseUrl;
    await stub.stop();
    const failure = client(closed).send({ to: '5511999999999', type: 'text', text: 'oi' }, { idempotencyKey: 'k1' });

    await expect(failure).rejects.toBeInstanceOf(WhatsAppTransientError);
    await expect(failure).rejects.toMatchObject({ code: 'WHATSAPP_NETWORK' });
  });

  it('fails non-retryably when a 200 carries no message id, since a retry could send twice', async () => {
    stub.answer({ status: 200, body: { messaging_product: 'whatsapp' } });
    await expect(client().send({ to: '5511999999999', type: 'text', text: 'oi' }, { idempotencyKey: 'k1' })).rejects.toMatchObject({
      code: 'WHATSAPP_BAD_RESPONSE',
    });
  });

  it("aborts the request with the handler's signal and does not disguise the abort as a transient error", async () => {
    stub.answer({ status: 200, hang: true });
    const controller = new AbortController();
    const failure = run(
      createWhatsAppSquad({ client: client() }),
      'send_reminder_message',
      { phone_number: '+5511999999999' },
      fakeContext({ signal: controller.signal }),
    );
    setTimeout(() => controller.abort(new DOMException('step deadline passed', 'TimeoutError')), 50);

    await expect(failure).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(failure).rejects.not.toBeInstanceOf(WhatsAppTransientError);
  });

  it('replies retryable for a 500 and non-retryable for a 400 through startSquad', async () => {
    const m = memory();
    transport = m.transport;
    const squad = createWhatsAppSquad({ client: client() });
    stub.answer({ status: 500, body: {} });
    const unavailable = await runThroughSquad(m.transport, m.prefix, squad, 'send_reminder_message', { phone_number: '+5511999999999' });
    stub.answer({ status: 400, body: metaError('Invalid parameter', 100) });
    const rejected = await runThroughSquad(m.transport, m.prefix, squad, 'send_reminder_message', { phone_number: '+5511999999999' });
    const sent = await runThroughSquad(m.transport, m.prefix, squad, 'send_reminder_message', { phone_number: '+5511999999999' });

    expect(unavailable).toMatchObject({ ok: false, error: { code: 'WHATSAPP_UNAVAILABLE', retryable: true } });
    expect(rejected).toMatchObject({ ok: false, error: { code: 'WHATSAPP_HTTP_400', retryable: false } });
    expect(sent).toMatchObject({ ok: true, output: { message_id: 'wamid.X1', channel: 'cloud_api' } });
  });
});

describe('WhatsApp Cloud API environment', () => {
  function configError(env: Record<string, string | undefined>): SquadflowError {
    try {
      readWhatsAppEnv(env);
    } catch (err) {
      return err as SquadflowError;
    }
    throw new Error('expected readWhatsAppEnv to throw');
  }

  it('names a missing WHATSAPP_TOKEN', () => {
    const err = configError({ WHATSAPP_PHONE_NUMBER_ID: PHONE_NUMBER_ID, WHATSAPP_TOKEN: '' });
    expect(err).toBeInstanceOf(SquadflowError);
    expect(err.code).toBe('INVALID_CONFIG');
    expect(err.issues).toEqual([{ path: 'WHATSAPP_TOKEN', message: 'required' }]);
  });

  it('names a non-numeric WHATSAPP_PHONE_NUMBER_ID and a bad WHATSAPP_API_BASE_URL without echoing the token', () => {
    const err = configError({ WHATSAPP_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: '+55 11 99999-9999', WHATSAPP_API_BASE_URL: 'ftp://x' });
    expect(err.issues.map((i) => i.path).sort()).toEqual(['WHATSAPP_API_BASE_URL', 'WHATSAPP_PHONE_NUMBER_ID']);
    expect(err.message).toContain('WHATSAPP_PHONE_NUMBER_ID');
    expect(err.message).not.toContain(TOKEN);
  });

  it('defaults the base URL to the Graph API v21.0 and drops a trailing slash', () => {
    expect(readWhatsAppEnv({ WHATSAPP_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: '1' }).baseUrl).toBe('https://graph.facebook.com/v21.0');
    expect(readWhatsAppEnv({ WHATSAPP_TOKEN: TOKEN, WHATSAPP_PHONE_NUMBER_ID: '1', WHATSAPP_API_BASE_URL: 'http://h/v1/' }).baseUrl).toBe(
      'http://h/v1',
    );
  });
});
