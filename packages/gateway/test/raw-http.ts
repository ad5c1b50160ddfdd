/**
 * HTTP over a bare socket, for what fetch and `inject` will not send: a
 * header line repeated, a body trickled a byte at a time, a chunked body
 * that never ends. The request always says `Connection: close`, so the
 * answer ends when the server closes the socket.
 */
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  /** 0 when the server closed the socket without an HTTP answer. */
  status: number;
  head: string;
  body: string;
  /** From the first byte written to the socket's close. */
  elapsedMs: number;
}

export interface RawConnection {
  socket: Socket;
  write(data: string | Buffer): boolean;
  /** Resolves when the server closes the connection, with whatever it answered. */
  answer: Promise<RawAnswer>;
}

/**
 * Opens a connection to `baseUrl` (http://host:port) and writes `head`
 * (request line and headers), then `Connection: close` and the blank line
 * that ends the headers, unless `endHead` is false (headers that never end).
 */
export async function openRaw(baseUrl: string, head: string[], { endHead = true } = {}): Promise<RawConnection> {
  const { hostname, port } = new URL(baseUrl);
  const socket = connect({ host: hostname, port: Number(port) });
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', resolve);
    socket.once('error', reject);
  });
  const started = performance.now();
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const answer = new Promise<RawAnswer>((resolve) => {
    socket.once('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      const headText = split === -1 ? text : text.slice(0, split);
      const status = /^HTTP\/1\.1 (\d{3})/.exec(headText)?.[1];
      resolve({
        status: status ? Number(status) : 0,
        head: headText,
        body: split === -1 ? '' : text.slice(split + 4),
        elapsedMs: performance.now() - started,
      });
    });
    socket.on('error', () => undefined); // a reset shows as a close without an answer
  });
  socket.write(endHead ? [...head, 'Connection: close', '', ''].join('\r\n') : head.map((line) => `${line}\r\n`).join(''));
  return { socket, write: (data) => socket.write(data), answer };
}

/** One whole request: `head` lines, then `body`. */
export async function rawRequest(baseUrl: string, head: string[], body: string | Buffer = ''): Promise<RawAnswer> {
  const length = Buffer.byteLength(body);
  const connection = await openRaw(baseUrl, [...head, `Content-Length: ${length}`]);
  if (length) connection.write(body);
  return connection.answer;
}
