/**
 * @squadflow/gateway: HTTP in front of NATS (coming in issue 4).
 *
 * Planned surface: workflow triggers; execution status, history and metrics
 * queries; cancel / pause / resume; signals; and real webhooks (WhatsApp
 * Business style: `GET` verification with `hub.challenge`, `POST` checked
 * with `X-Hub-Signature-256` HMAC over the raw body). Routes will use the
 * engine only through `@squadflow/engine`'s `EngineClient` and contracts from
 * `@squadflow/shared`.
 *
 * Nothing is exported yet.
 */
export {};
