/** Environment parsing: defaults, units, and errors that name the variable. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_GATEWAY_CONFIG, loadGatewayConfig } from '../src/config.ts';

describe('gateway environment', () => {
  it('gives the documented defaults for an empty environment', () => {
    expect(loadGatewayConfig({})).toEqual(DEFAULT_GATEWAY_CONFIG);
    expect(DEFAULT_GATEWAY_CONFIG).toMatchObject({ host: '127.0.0.1', port: 8080, bodyLimit: 1_048_576, rateLimitPerMinute: 600 });
  });

  it('reads sizes with units, numbers and the WhatsApp settings', () => {
    const config = loadGatewayConfig({
      SQUADFLOW_PORT: '9090',
      SQUADFLOW_BODY_LIMIT: '2m',
      SQUADFLOW_RATE_LIMIT: '0',
      SQUADFLOW_TRUST_PROXY: 'true',
      WHATSAPP_VERIFY_TOKEN: 'v',
      WHATSAPP_APP_SECRET: 's',
      WHATSAPP_CONVERSATION_WORKFLOW: 'support_chat',
    });
    expect(config).toMatchObject({
      port: 9090,
      bodyLimit: 2 * 1024 * 1024,
      rateLimitPerMinute: 0,
      trustProxy: true,
      whatsapp: { verifyToken: 'v', appSecret: 's', conversationWorkflow: 'support_chat' },
    });
  });

  it('names each bad variable in one error', () => {
    let issues: Array<{ path: string }> = [];
    try {
      loadGatewayConfig({ SQUADFLOW_PORT: 'eighty', SQUADFLOW_BODY_LIMIT: 'lots', WHATSAPP_CONVERSATION_WORKFLOW: 'no spaces' });
    } catch (err) {
      issues = (err as { issues: Array<{ path: string }> }).issues;
    }
    expect(issues.map((i) => i.path).sort()).toEqual(['SQUADFLOW_BODY_LIMIT', 'SQUADFLOW_PORT', 'WHATSAPP_CONVERSATION_WORKFLOW']);
  });
});
