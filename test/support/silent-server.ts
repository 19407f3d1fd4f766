import { createServer, type Socket } from 'node:net';

export interface SilentServer {
  port: number;
  /** Connections it accepted (and never answered). */
  connections(): number;
  close(): Promise<void>;
}

/** A loopback server that accepts connections and never says a word: a hung database. */
export async function silentServer(): Promise<SilentServer> {
  const sockets = new Set<Socket>();
  const server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    connections: () => sockets.size,
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
