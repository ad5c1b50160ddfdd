/**
 * @squadflow/gateway: HTTP in front of NATS. Triggers, execution status and
 * history, pages of executions, cancel / pause / resume / escalation,
 * signals, workflow registration and statecharts, Prometheus and JSON
 * metrics, health probes, the WhatsApp Business webhook, generic signed
 * webhooks, and the OpenAPI document. See README.md.
 */
export { createGateway, type Gateway, type GatewayOptions } from './app.ts';
export { startGateway, type StartGatewayOptions, type RunningGateway } from './start.ts';
export { loadGatewayConfig, type GatewayConfig, type WhatsAppConfig } from './config.ts';
export { signHmacSha256, verifyHmacSha256 } from './webhooks/signature.ts';
