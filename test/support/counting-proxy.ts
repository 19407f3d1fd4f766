import { connect, createServer, type Socket } from 'node:net';

export interface CountingProxy {
  host: string;
  port: number;
  /** Connections clients opened through it. */
  connections(): number;
  close(): Promise<void>;
}

/**
 * A loopback TCP proxy to a real server that counts the connections made through it: a
 * test counts a client's attempts (no retry after a refused login) instead of timing them.
 */
export async function countingProxy(target: { host: string; port: number }): Promise<CountingProxy> {
  const sockets = new Set<Socket>();
  let count = 0;
  const server = createServer((client) => {
    count += 1;
    const upstream = connect(target.port, target.host);
    for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
      sockets.add(from);
      from.pipe(to);
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    host: '127.0.0.1',
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => count,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
