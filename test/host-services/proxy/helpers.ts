// Shared fixtures for the proxy tests: real loopback upstreams, a real monitor, clients that go
// through it, and a collector for the ScanRequests it emits. Everything started here is registered
// for cleanup with `track()` so each test stops every server it starts.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCACertificate } from 'mockttp';
import { homeLayout, type HomeLayout } from '../../../lib/home-layout.ts';
import type { ScanRequest } from '../../../lib/scan/types.ts';
import { startMonitor, type MonitorHandle, type MonitorOptions } from '../../../host-services/proxy/monitor.ts';
import { runCleanups } from '../../support/processes.ts';
import { connectTunnel, listenLoopback } from '../../support/servers.ts';

export type Cleanup = () => unknown;

export class Scope {
  private readonly cleanups: Cleanup[] = [];
  track(fn: Cleanup): void {
    this.cleanups.push(fn);
  }
  close(): Promise<void> {
    return runCleanups(this.cleanups);
  }
  tempDir(prefix = 'ctg-proxy-'): string {
    const dir = mkdtempSync(join(tmpdir(), prefix));
    this.track(() => rmSync(dir, { recursive: true, force: true }));
    return dir;
  }
}

export interface Collector {
  seen: ScanRequest[];
  inspect: (req: ScanRequest) => void;
  waitFor(pred: (r: ScanRequest) => boolean, what: string, timeoutMs?: number): Promise<ScanRequest>;
}

export function collector(): Collector {
  const seen: ScanRequest[] = [];
  const waiters: Array<() => void> = [];
  return {
    seen,
    inspect(req) {
      seen.push(req);
      for (const w of waiters.splice(0)) w();
    },
    async waitFor(pred, what, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = seen.find(pred);
        if (hit) return hit;
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out waiting for ${what}; saw ${seen.length} scan requests: ${JSON.stringify(seen.map(summary))}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 100));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
    },
  };
}

function summary(r: ScanRequest): unknown {
  return { d: r.direction, p: r.protocol, dest: r.dest, path: r.path, parts: r.parts.map((p) => p.location) };
}

export const part = (r: ScanRequest, location: string): string | undefined => r.parts.find((p) => p.location === location)?.text;

export async function monitor(scope: Scope, over: Partial<MonitorOptions> & { inspect: MonitorOptions['inspect'] }): Promise<MonitorHandle & { layout: HomeLayout }> {
  const layout = over.layout ?? homeLayout(scope.tempDir('ctg-home-'));
  const m = await startMonitor({
    host: '127.0.0.1',
    port: 0,
    httpsInspection: false,
    allowClients: [],
    maxScanBytes: 1024 * 1024,
    upstreamCaFiles: [],
    layout,
    platform: 'openclaw',
    ...over,
  });
  scope.track(() => m.stop());
  return Object.assign(m, { layout });
}

/** A plain node:http upstream; returns its port. */
export async function httpUpstream(scope: Scope, handler: http.RequestListener): Promise<{ port: number; server: http.Server }> {
  const server = http.createServer(handler);
  return listen(scope, server);
}

export async function listen<S extends net.Server>(scope: Scope, server: S, host = '127.0.0.1'): Promise<{ port: number; server: S }> {
  return { port: await listenLoopback(server, (fn) => scope.track(fn), host), server };
}

export interface ProxiedResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/** A request through the proxy in absolute-form (plain HTTP proxying). */
export function viaProxy(
  proxyPort: number,
  url: string,
  opts: { method?: string; headers?: http.OutgoingHttpHeaders; body?: Buffer | string; agent?: string; proxyHost?: string; localAddress?: string } = {},
): Promise<ProxiedResponse> {
  const u = new URL(url);
  const headers: http.OutgoingHttpHeaders = { host: u.host, ...opts.headers };
  if (opts.agent) headers['proxy-authorization'] = `Basic ${Buffer.from(`${opts.agent}:`).toString('base64')}`;
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: opts.proxyHost ?? '127.0.0.1',
        port: proxyPort,
        method: opts.method ?? 'GET',
        path: url,
        headers,
        agent: false,
        ...(opts.localAddress ? { localAddress: opts.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

export { connectTunnel };

/** HTTPS GET/POST through a CONNECT tunnel, trusting `ca`. */
export async function httpsViaProxy(
  proxyPort: number,
  target: { host: string; port: number; path: string },
  opts: { ca: string | string[]; method?: string; body?: string; headers?: http.OutgoingHttpHeaders; agent?: string },
): Promise<ProxiedResponse & { peerCert: tls.PeerCertificate }> {
  const socket = await connectTunnel(proxyPort, `${target.host}:${target.port}`, opts.agent);
  const tlsSocket = tls.connect({ socket, servername: net.isIP(target.host) ? undefined : target.host, ca: opts.ca, ALPNProtocols: ['http/1.1'] });
  await new Promise<void>((resolve, reject) => {
    tlsSocket.once('secureConnect', () => resolve());
    tlsSocket.once('error', reject);
  });
  const peerCert = tlsSocket.getPeerCertificate();
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: target.host,
        port: target.port,
        path: target.path,
        method: opts.method ?? 'GET',
        headers: opts.headers,
        // No `agent`: with one, Node ignores createConnection and dials TLS itself.
        createConnection: () => tlsSocket,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          tlsSocket.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), peerCert });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

function hasTool(cmd: string, arg: string): boolean {
  try {
    execFileSync(cmd, [arg], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export const hasOpenssl = (): boolean => hasTool('openssl', 'version');
export const hasCurl = (): boolean => hasTool('curl', '--version');

export interface TestPki {
  caCert: string;
  caCertPath: string;
  leafKey: string;
  leafCert: string;
}

/** A CA (mockttp's generator) and a localhost/127.0.0.1 leaf signed with openssl, for upstream servers. */
export async function makeUpstreamPki(scope: Scope, cn = 'upstream test CA'): Promise<TestPki> {
  const dir = scope.tempDir('ctg-pki-');
  const ca = await generateCACertificate({ subject: { commonName: cn } });
  const caCertPath = join(dir, 'ca.pem');
  writeFileSync(caCertPath, ca.cert);
  writeFileSync(join(dir, 'ca.key'), ca.key, { mode: 0o600 });
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  execFileSync('openssl', ['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'leaf.key'), '-subj', '/CN=localhost', '-out', join(dir, 'leaf.csr')], { stdio: 'ignore' });
  execFileSync(
    'openssl',
    ['x509', '-req', '-in', join(dir, 'leaf.csr'), '-CA', caCertPath, '-CAkey', join(dir, 'ca.key'), '-CAcreateserial', '-days', '2', '-sha256', '-extfile', join(dir, 'ext.cnf'), '-out', join(dir, 'leaf.pem')],
    { stdio: 'ignore' },
  );
  return { caCert: ca.cert, caCertPath, leafKey: readFileSync(join(dir, 'leaf.key'), 'utf8'), leafCert: readFileSync(join(dir, 'leaf.pem'), 'utf8') };
}

export async function httpsUpstream(scope: Scope, pki: TestPki, handler: http.RequestListener): Promise<{ port: number; server: https.Server }> {
  return listen(scope, https.createServer({ key: pki.leafKey, cert: pki.leafCert }, handler));
}

/** A non-loopback IPv4 address of this machine, if it has one. */
export function nonLoopbackAddress(): string | undefined {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return undefined;
}

export const fakeAnthropicKey = (): string => 'sk-' + 'ant-' + 'api03-' + 'A'.repeat(40) + 'xyzXYZ' + '_-'.repeat(8) + 'AA';
