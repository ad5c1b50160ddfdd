/** Local receivers for notification tests: an SMTP server (smtp-server) and a webhook endpoint (node:http). */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { Collector } from '@squadflow/transport/testing';

export interface ReceivedMail {
  to: string[];
  subject: string;
  raw: string;
}

export interface Receiver<T> {
  url: string;
  received: Collector<T>;
  close(): Promise<void>;
}

/** An SMTP server on a free loopback port that accepts every message (no auth, no TLS) and collects it. */
export async function startSmtpReceiver(): Promise<Receiver<ReceivedMail>> {
  const received = new Collector<ReceivedMail>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        const subject = /^Subject: (.*(?:\r?\n[ \t].*)*)/m.exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
        received.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return { url: `smtp://127.0.0.1:${port}`, received, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

export interface ReceivedHook {
  headers: IncomingHttpHeaders;
  raw: Buffer;
}

/** An HTTP endpoint that answers each POST with the next of `statuses` (then 200) and collects what it got. */
export async function startWebhookReceiver(statuses: number[] = []): Promise<Receiver<ReceivedHook>> {
  const received = new Collector<ReceivedHook>();
  const answers = [...statuses];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ headers: req.headers, raw: Buffer.concat(chunks) });
      res.statusCode = answers.shift() ?? 200;
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/squadflow`,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
