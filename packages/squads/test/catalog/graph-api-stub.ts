import type { IncomingHttpHeaders } from 'node:http';
import { startJsonStandIn, type JsonAnswer, type JsonStandIn } from './json-stand-in.ts';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

export type StubAnswer = JsonAnswer;

/**
 * A local stand-in for the Graph API on 127.0.0.1 (random port). It records
 * every request and answers with the queued answers in order, then like Meta
 * does for an accepted message.
 */
export class GraphApiStub {
  readonly requests: RecordedRequest[] = [];
  private readonly answers: StubAnswer[] = [];
  private server: JsonStandIn | undefined;
  private count = 0;

  /** Base URL to configure as `WHATSAPP_API_BASE_URL` (version included, like the default). */
  baseUrl = '';

  async start(): Promise<this> {
    this.server = await startJsonStandIn(({ method, path, headers, raw }) => {
      let body: unknown = raw;
      try {
        body = JSON.parse(raw);
      } catch {
        // keep the raw text: the test will show it
      }
      this.requests.push({ method, path, headers, body });
      return this.answers.shift() ?? { status: 200, body: this.accepted(body) };
    });
    this.baseUrl = `${this.server.url}/v21.0`;
    return this;
  }

  /** The next request gets this answer (queued in order). */
  answer(answer: StubAnswer): void {
    this.answers.push(answer);
  }

  /** Meta's answer to an accepted message. */
  private accepted(body: unknown): unknown {
    const to = (body as { to?: string } | null)?.to ?? '';
    return { messaging_product: 'whatsapp', contacts: [{ input: to, wa_id: to }], messages: [{ id: `wamid.X${++this.count}` }] };
  }

  async stop(): Promise<void> {
    await this.server?.stop();
  }
}

/** Meta's error envelope. */
export function metaError(message: string, code: number): unknown {
  return { error: { message, type: 'OAuthException', code, fbtrace_id: 'AbC123' } };
}
