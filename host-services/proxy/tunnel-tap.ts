// CONNECT tunnels that are not inspected (HTTPS with inspection off, non-HTTP protocols).
// The monitor sees only where they go: one outbound ScanRequest with the CONNECT host (and the
// TLS SNI when it differs) as `host` parts, so a secret smuggled into a hostname is still
// scanned; the encrypted bytes pass untouched. With an upstream proxy the tunnel is dialled
// through it (tunnel-chain.ts) instead of directly.
import type * as http from 'node:http';
import type * as net from 'node:net';
import type { ScanPart } from '../../lib/scan/types.ts';
import { normaliseAddress } from './client-filter.ts';
import { formatDest } from './message-parts.ts';
import { agentFromProxyAuth } from './proxy-auth.ts';
import { openUpstreamTunnel, type UpstreamProxy } from './tunnel-chain.ts';
import { errorCode, type Sink } from './inspect-sink.ts';
import type { PassthroughFn } from './mockttp-internals.ts';

/** Connection-level failures reaching the destination (vs. the client hanging up). */
const UPSTREAM_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT']);

const socketKey = (address: string | undefined, port: number | undefined): string => `${normaliseAddress(address ?? '')}|${port ?? ''}`;

function sniOf(socket: net.Socket): string | undefined {
  for (const s of [socket, (socket as { _parent?: net.Socket })._parent]) {
    if (!s) continue;
    const sym = Object.getOwnPropertySymbols(s).find((x) => x.description === 'tls-metadata');
    const meta = sym ? (s as unknown as Record<symbol, { sniHostname?: string } | undefined>)[sym] : undefined;
    if (meta?.sniHostname) return meta.sniHostname;
  }
  return undefined;
}

export class TunnelTap {
  /** agent named on each open CONNECT, by client address + port (inner requests carry both) */
  private readonly agents = new Map<string, string>();

  constructor(
    private readonly sink: Sink,
    private readonly chain: UpstreamProxy | undefined,
  ) {}

  connectSeen(req: http.IncomingMessage, socket: net.Socket): void {
    const agent = agentFromProxyAuth(req.headers['proxy-authorization']);
    if (!agent) return;
    const key = socketKey(socket.remoteAddress, socket.remotePort);
    this.agents.set(key, agent);
    socket.once('close', () => this.agents.delete(key));
  }

  agentFor(address: string | undefined, port: number | undefined): string | undefined {
    // Asked on every request: no string building while no CONNECT named an agent.
    if (this.agents.size === 0) return undefined;
    return this.agents.get(socketKey(address, port));
  }

  passthrough(original: PassthroughFn, type: 'raw' | 'tls', socket: net.Socket, hostname: string, port?: number): void {
    try {
      this.observe(type, socket, hostname, port);
    } catch {
      this.sink.counters.fault('internal_errors');
    }
    if (!this.chain) return original(type, socket, hostname, port);
    this.dialThroughChain(socket, hostname, port ?? 443);
  }

  /** mockttp's `*-passthrough-closed` event: count failures it tagged. */
  closed(tags: string[]): void {
    const tag = tags.find((t) => /^(tls|raw)-passthrough-error:/.test(t));
    if (!tag) return;
    const code = tag.slice(tag.indexOf(':') + 1);
    this.sink.counters.fault(UPSTREAM_CODES.has(code) ? 'upstream_errors' : 'client_aborts', code);
  }

  private observe(type: 'raw' | 'tls', socket: net.Socket, hostname: string, port?: number): void {
    this.sink.counters.stats.tunnels++;
    const parts: ScanPart[] = [{ location: 'host', text: hostname }];
    const sni = sniOf(socket);
    if (sni && sni !== hostname) parts.push({ location: 'host', text: sni });
    const agent = this.agentFor(socket.remoteAddress, socket.remotePort);
    this.sink.deliver({
      direction: 'outbound',
      protocol: type === 'tls' ? 'https' : 'http',
      platform: this.sink.platform,
      source: normaliseAddress(socket.remoteAddress ?? 'unknown'),
      dest: formatDest(hostname, port ?? 443),
      parts,
      method: 'CONNECT',
      ...(agent ? { agent } : {}),
    });
  }

  private dialThroughChain(socket: net.Socket, hostname: string, port: number): void {
    socket.on('error', () => {}); // the close below does the cleanup
    openUpstreamTunnel(this.chain!, hostname, port).then(
      (up) => {
        if (socket.destroyed) {
          up.destroy();
          return;
        }
        up.setNoDelay(true);
        up.on('error', (e) => {
          this.sink.counters.fault('upstream_errors', errorCode(e));
          socket.destroy();
        });
        up.on('close', () => socket.destroy());
        socket.on('close', () => up.destroy());
        socket.pipe(up);
        up.pipe(socket);
      },
      (err: unknown) => {
        this.sink.counters.fault('upstream_errors', errorCode(err));
        socket.destroy();
      },
    );
  }
}
