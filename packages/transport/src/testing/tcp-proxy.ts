/**
 * A TCP proxy for network-partition tests: services connect to the proxy
 * instead of the NATS server, and the test can cut the link (`partition`)
 * and heal it, while the server itself keeps running (its timers, ack
 * waits and other clients go on), which a SIGSTOP of the server cannot give.
 *
 * A partition black-holes, as a dropped link does with TCP: bytes sent
 * meanwhile are neither delivered nor refused, no FIN or RST reaches either
 * side, and new connections are accepted but get nothing (like a SYN that
 * is never answered, the client times out waiting for the server's INFO).
 * The proxy holds what was sent (it stops reading, so the kernel buffers
 * fill and the senders block, as with TCP retransmission) and delivers it
 * on `heal`. A side that closed during the partition (the server dropping
 * a client it could not write to, a client giving up) is closed on the
 * other side only at `heal`, when a real peer would learn of it.
 */
import { createServer, connect, type Socket } from 'node:net';

export interface TcpProxy {
  /** `nats://127.0.0.1:<port>`: give it to the processes behind the partition. */
  readonly url: string;
  readonly port: number;
  /** Whether the link is cut right now. */
  readonly partitioned: boolean;
  /** Cuts the link: nothing goes through until `heal`. */
  partition(): void;
  /** Restores the link: held bytes flow, connections closed meanwhile are closed on the other side. */
  heal(): void;
  /** Connections through the proxy now (each a client and its upstream). */
  connections(): number;
  /** Closes the listener and every connection. */
  close(): Promise<void>;
}

interface Link {
  client: Socket;
  upstream: Socket;
  /** One side closed during a partition: close the other at heal. */
  closedWhileCut: boolean;
}

/** Starts a proxy on a free loopback port forwarding to `target` (e.g. a test-owned nats-server). */
export async function startTcpProxy(target: { host?: string; port: number }): Promise<TcpProxy> {
  const host = target.host ?? '127.0.0.1';
  const links = new Set<Link>();
  let cut = false;

  const server = createServer((client) => {
    const upstream = connect({ host, port: target.port });
    const link: Link = { client, upstream, closedWhileCut: false };
    links.add(link);
    forward(client, upstream, () => cut);
    forward(upstream, client, () => cut);
    if (cut) hold(link);
    const closed = (other: Socket) => () => {
      if (cut) link.closedWhileCut = true;
      else {
        other.destroy();
        links.delete(link);
      }
    };
    client.on('close', closed(upstream));
    upstream.on('close', closed(client));
    client.on('error', () => undefined); // a reset peer: 'close' follows
    upstream.on('error', () => undefined);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `nats://127.0.0.1:${port}`,
    port,
    get partitioned() {
      return cut;
    },
    partition: () => {
      cut = true;
      for (const link of links) hold(link);
    },
    heal: () => {
      cut = false;
      for (const link of [...links]) {
        if (link.closedWhileCut) {
          link.client.destroy();
          link.upstream.destroy();
          links.delete(link);
        } else {
          link.client.resume();
          link.upstream.resume();
        }
      }
    },
    connections: () => links.size,
    close: async () => {
      for (const link of links) {
        link.client.destroy();
        link.upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Stops reading both sides: what arrives stays in the kernel's buffers, and the senders block. */
function hold(link: Link): void {
  link.client.pause();
  link.upstream.pause();
}

/** Copies `from` to `to` with backpressure; never resumes reading while the link is cut. */
function forward(from: Socket, to: Socket, isCut: () => boolean): void {
  from.on('data', (chunk: Buffer) => {
    if (!to.destroyed && !to.write(chunk)) from.pause();
  });
  to.on('drain', () => {
    if (!isCut()) from.resume();
  });
}
