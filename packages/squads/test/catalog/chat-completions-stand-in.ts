import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Collector } from '@squadflow/transport/testing';

export interface ChatRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: { model?: unknown; max_tokens?: unknown; messages?: Array<{ role: string; content: string }> } & Record<string, unknown>;
}

export interface StandInAnswer {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Never answer: the client's timeout must give up on this call. */
  hang?: boolean;
}

/**
 * A local stand-in for an OpenAI-compatible API on 127.0.0.1 (port 0). It
 * records every request (awaitable through `received`) and answers with the
 * queued answers in order, then with a completion echoing the last message.
 */
export class ChatCompletionsStandIn {
  readonly received = new Collector<ChatRequest>();
  private readonly answers: StandInAnswer[] = [];
  private server: Server | undefined;
  /** Base URL to configure as `WHATSAPP_LLM_BASE_URL`. */
  baseUrl = '';

  get requests(): ChatRequest[] {
    return this.received.items;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (raw += chunk));
      req.on('end', () => {
        const body = JSON.parse(raw || '{}') as ChatRequest['body'];
        this.received.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
        const answer = this.answers.shift() ?? { status: 200, body: completion(`resposta ${this.requests.length}`) };
        if (answer.hang) return;
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers });
        res.end(JSON.stringify(answer.body ?? {}));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.baseUrl = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/v1`;
    return this;
  }

  /** The next request gets this answer (queued in order). */
  answer(...answers: StandInAnswer[]): void {
    this.answers.push(...answers);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** An OpenAI chat completion answering `content`. */
export function completion(content: string, model = 'gpt-4o-mini-2024-07-18'): unknown {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 120, completion_tokens: 18, total_tokens: 138 },
  };
}

/** OpenAI's error envelope. */
export function apiError(message: string, type = 'invalid_request_error'): unknown {
  return { error: { message, type, param: null, code: null } };
}
