// Loopback servers shared by the proxy and safety tests: listen on a free port, and at cleanup
// drop every open connection (keep-alive clients, proxy tunnels) so closing never waits on them.
import type { AddressInfo, Server, Socket } from 'node:net';

/**
 * Starts `server` on a free port of `host` (loopback by default) and hands `onCleanup` the step
 * that destroys its open sockets and closes it. Resolves with the port.
 */
export async function listenLoopback(server: Server, onCleanup: (fn: () => Promise<void>) => void, host = '127.0.0.1'): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  onCleanup(
    () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  );
  return (server.address() as AddressInfo).port;
}
