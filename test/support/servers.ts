// Loopback servers and tunnels shared by the proxy and safety tests: listen on a free port, and at
// cleanup drop every open connection (keep-alive clients, proxy tunnels) so closing never waits on
// them; open a CONNECT tunnel through a proxy.
import * as http from 'node:http';
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

/**
 * Opens a CONNECT tunnel to `target` (`host:port`) through the proxy on loopback `proxyPort`, as
 * `agent` (Basic proxy credentials) when given; resolves with the raw socket once it answered 200.
 */
export function connectTunnel(proxyPort: number, target: string, agent?: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const headers: http.OutgoingHttpHeaders = { host: target };
    if (agent) headers['proxy-authorization'] = `Basic ${Buffer.from(`${agent}:`).toString('base64')}`;
    const req = http.request({ host: '127.0.0.1', port: proxyPort, method: 'CONNECT', path: target, headers, agent: false });
    req.on('connect', (res, socket) => {
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(new Error(`CONNECT answered ${res.statusCode}`));
      } else resolve(socket);
    });
    req.on('error', reject);
    req.end();
  });
}
