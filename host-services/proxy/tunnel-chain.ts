// CONNECT through the upstream proxy for tunnels the monitor does not inspect.
//
// mockttp's TLS passthrough dials the destination with net.connect() and ignores `proxyConfig`,
// so with an upstream proxy configured (NanoClaw's OneCLI gateway, a corporate proxy) un-inspected
// HTTPS would bypass it. The monitor replaces that dial with this one: open a socket to the
// upstream proxy (TLS for an https:// proxy), send CONNECT host:port, and hand back the raw socket
// once the proxy answers 2xx.
import * as net from 'node:net';
import * as tls from 'node:tls';
import { GuardianError } from '../../lib/errors.ts';
import { formatDest } from './message-parts.ts';

export interface UpstreamProxy {
  url: URL;
  /** CAs for an https:// proxy (Node roots + extras); undefined = Node defaults */
  ca?: string[];
}

const MAX_RESPONSE_HEAD = 16 * 1024;

export function parseUpstreamProxy(text: string, field = 'upstreamProxy'): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new GuardianError('CONFIG_INVALID', `${field} is not a URL`, {
      problems: [{ path: field, message: 'not a URL' }],
      fix: 'use http://host:port or https://host:port',
    });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new GuardianError('CONFIG_INVALID', `${field} must be an http:// or https:// proxy URL`, {
      problems: [{ path: field, message: `unsupported scheme ${url.protocol}` }],
      fix: 'use http://host:port or https://host:port',
    });
  }
  return url;
}

export class TunnelError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

export function openUpstreamTunnel(
  proxy: UpstreamProxy,
  hostname: string,
  port: number,
  timeoutMs = 30_000,
): Promise<net.Socket> {
  const proxyPort = Number(proxy.url.port) || (proxy.url.protocol === 'https:' ? 443 : 80);
  const proxyHost = proxy.url.hostname.replace(/^\[|\]$/g, '');
  return new Promise((resolve, reject) => {
    const socket: net.Socket =
      proxy.url.protocol === 'https:'
        ? tls.connect({ host: proxyHost, port: proxyPort, servername: net.isIP(proxyHost) ? undefined : proxyHost, ca: proxy.ca })
        : net.connect({ host: proxyHost, port: proxyPort });
    socket.setNoDelay(true);
    let head = Buffer.alloc(0);
    let done = false;
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.removeListener('data', onData);
      if (err) {
        socket.destroy();
        reject(err);
      } else {
        resolve(socket);
      }
    };
    const timer = setTimeout(() => finish(new TunnelError('ETIMEDOUT', 'upstream proxy did not answer CONNECT')), timeoutMs);
    const onData = (chunk: Buffer): void => {
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) {
        if (head.length > MAX_RESPONSE_HEAD) finish(new TunnelError('EPROTO', 'upstream proxy sent an oversized response'));
        return;
      }
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(head.subarray(0, end).toString('latin1'));
      const code = status ? Number(status[1]) : 0;
      if (code < 200 || code > 299) {
        finish(new TunnelError(code ? `PROXY_${code}` : 'EPROTO', 'upstream proxy refused CONNECT'));
        return;
      }
      const rest = head.subarray(end + 4);
      socket.pause();
      if (rest.length) socket.unshift(rest);
      finish();
    };
    socket.on('data', onData);
    socket.once('error', (e: NodeJS.ErrnoException) => finish(new TunnelError(e.code ?? 'EUPSTREAM', e.message)));
    socket.once('close', () => finish(new TunnelError('ECONNRESET', 'upstream proxy closed the connection')));
    socket.once(proxy.url.protocol === 'https:' ? 'secureConnect' : 'connect', () => {
      const target = formatDest(hostname, port);
      const lines = [`CONNECT ${target} HTTP/1.1`, `Host: ${target}`];
      if (proxy.url.username) {
        const cred = `${decodeURIComponent(proxy.url.username)}:${decodeURIComponent(proxy.url.password)}`;
        lines.push(`Proxy-Authorization: Basic ${Buffer.from(cred).toString('base64')}`);
      }
      socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    });
  });
}
