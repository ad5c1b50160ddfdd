/**
 * @squadflow/gateway: HTTP in front of NATS. Triggers, execution status and
 * history, pages of executions, cancel / pause / resume / escalation,
 * signals, workflow registration and statecharts, Prometheus and JSON
 * metrics, health probes, the WhatsApp Business webhook, generic signed
 * webhooks, and the OpenAPI document. See README.md.
 */
export { createGateway, type Gateway, type GatewayOptions } from './app.ts';
export { startGateway, type StartGatewayOptions, type RunningGateway } from './start.ts';
export {
  assertBindable,
  DEFAULT_GATEWAY_CONFIG,
  gatewayConfig,
  GatewayEnvSchema,
  isLoopback,
  loadGatewayConfig,
  type GatewayConfig,
  type WhatsAppConfig,
} from './config.ts';
export { parseApiTokens, SCOPES, TokenVerifier, type ApiToken, type Principal, type Scope } from './http/auth.ts';
export { HttpError, STATUS_OF, type ApiErrorCode, type ErrorBody, type GatewayErrorCode } from './http/errors.ts';
export { RateLimiter } from './http/rate-limit.ts';
export { buildOpenApi } from './openapi.ts';
export { checkReadiness, type Readiness } from './routes/health.ts';
export { signHmacSha256, verifyHmacSha256, type SignatureFormat } from './webhooks/signature.ts';
export { compileWebhookRoutes, WebhookRouteSchema, type WebhookRoute, type WebhookRouteInput } from './webhooks/generic-config.ts';
export { conversationKey } from './webhooks/whatsapp-inbound.ts';
export { WhatsAppPayloadSchema, type WhatsAppPayload } from './webhooks/whatsapp-payload.ts';
