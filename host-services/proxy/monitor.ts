// startMonitor(): the guardian's forward proxy. mockttp does the proxying (HTTP, CONNECT, TLS,
// WebSocket); this file wires the pieces that make it a monitor:
//   client-filter + mockttp-internals  only allowed clients reach mockttp, listener bound to `host`
//   http-tap / websocket-tap / tunnel-tap  observe traffic: HTTP as mockttp reads and writes it,
//                                       WebSocket and tunnels from mockttp's events
//   body-capture + sse-reassembly       bounded, decoded bodies; LLM streams rebuilt
//   inspect-sink                        one guarded door to the detector
//   upstream-trust + tunnel-chain       upstream CAs and the upstream proxy
//   stdout-guard                        mockttp's console output kept off stdout/stderr
// The monitor never blocks or alters traffic; every failure is a counted fault.
import { HARD_MAX_SCAN_BYTES } from '../../lib/scan/scanner.ts';
import { rootCertificates } from 'node:tls';
import { generateCACertificate, getLocal, type Mockttp, type MockttpHttpsOptions } from 'mockttp';
import { GuardianError } from '../../lib/errors.ts';
import type { Platform } from '../../lib/finding.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';
import { createCaptureBudget } from './body-capture.ts';
import { ensureCa } from './ca.ts';
import { createClientFilter } from './client-filter.ts';
import { Counters, type MonitorFaults, type MonitorStats } from './faults.ts';
import { HttpTap } from './http-tap.ts';
import { createSink, errorCode, type Inspect } from './inspect-sink.ts';
import { hookMockttp } from './mockttp-internals.ts';
import { agentFromProxyAuth } from './proxy-auth.ts';
import { guardConsole } from './stdout-guard.ts';
import { parseUpstreamProxy, type UpstreamProxy } from './tunnel-chain.ts';
import { TunnelTap } from './tunnel-tap.ts';
import { buildUpstreamTrust } from './upstream-trust.ts';
import { WebSocketTap } from './websocket-tap.ts';

export type { MonitorFaults, MonitorStats } from './faults.ts';
export type { Inspect } from './inspect-sink.ts';

/** The contract's hard bound on max_scan_bytes. */
/** the scanner's hard bound; one constant for config, proxy and scanner */
export const MAX_SCAN_BYTES_LIMIT = HARD_MAX_SCAN_BYTES;

export interface MonitorOptions {
  /** listener address; loopback unless containers must reach it (then allow their range too) */
  host: string;
  /** 0 = any free port */
  port: number;
  httpsInspection: boolean;
  /** CIDRs allowed besides loopback (127.0.0.0/8 and ::1 are always allowed) */
  allowClients: string[];
  /** bytes of each body (decoded) handed to the detector */
  maxScanBytes: number;
  /** http:// or https:// proxy that all upstream traffic goes through */
  upstreamProxy?: string;
  /** extra CAs for upstream TLS, added to Node's roots and NODE_EXTRA_CA_CERTS */
  upstreamCaFiles: string[];
  layout: HomeLayout;
  platform: Platform;
  /** called once per observed message; exceptions are counted, never propagated */
  inspect: Inspect;
  /** NanoClaw project root: the CA directory must not be inside it */
  nanoclawRoot?: string;
  /** bytes all in-flight body captures may hold together (default max(64 MiB, 8 x maxScanBytes)) */
  captureBudgetBytes?: number;
}

export interface MonitorHandle {
  host: string;
  port: number;
  /** always plain http:// (the listener speaks HTTP proxy; HTTPS goes through CONNECT) */
  proxyUrl: string;
  httpsInspection: boolean;
  /** set when HTTPS inspection is on */
  caFingerprint?: string;
  caCertPath?: string;
  /** allowed client ranges, loopback included */
  allowClients: readonly string[];
  /** non-fatal setup notes (e.g. an unreadable NODE_EXTRA_CA_CERTS) */
  warnings: string[];
  faults(): MonitorFaults;
  stats(): MonitorStats;
  /** stops mockttp, closes every connection, restores the console; idempotent */
  stop(): Promise<void>;
}

// With inspection off mockttp still needs a CA to accept CONNECT (it tunnels TLS untouched via
// tlsPassthrough). That CA never signs anything a client sees: keep it in memory, one per process.
let ephemeralCa: Promise<{ key: string; cert: string }> | undefined;
function tunnelOnlyCa(): Promise<{ key: string; cert: string }> {
  ephemeralCa ??= generateCACertificate({ subject: { commonName: 'clawsec tunnel-only placeholder (never trusted)' } });
  return ephemeralCa;
}

function validate(opts: MonitorOptions): void {
  const problems = [];
  if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535) problems.push({ path: 'port', message: 'must be an integer 0-65535' });
  if (!Number.isInteger(opts.maxScanBytes) || opts.maxScanBytes < 1 || opts.maxScanBytes > MAX_SCAN_BYTES_LIMIT) {
    problems.push({ path: 'maxScanBytes', message: `must be an integer 1-${MAX_SCAN_BYTES_LIMIT}` });
  }
  if (typeof opts.host !== 'string' || opts.host === '') problems.push({ path: 'host', message: 'must be a listen address' });
  if (problems.length) {
    throw new GuardianError('CONFIG_INVALID', `invalid monitor options: ${problems.map((p) => p.path).join(', ')}`, {
      problems,
      fix: 'check the listener and scan settings',
    });
  }
}

export async function startMonitor(opts: MonitorOptions): Promise<MonitorHandle> {
  validate(opts);
  const filter = createClientFilter(opts.allowClients);
  const trust = buildUpstreamTrust(opts.upstreamCaFiles);
  const chain: UpstreamProxy | undefined = opts.upstreamProxy
    ? { url: parseUpstreamProxy(opts.upstreamProxy), ...(trust.additionalTrustedCAs.length ? { ca: upstreamCaList(trust.additionalTrustedCAs) } : {}) }
    : undefined;

  let https: MockttpHttpsOptions;
  let caFingerprint: string | undefined;
  let caCertPath: string | undefined;
  if (opts.httpsInspection) {
    const ca = await ensureCa(opts.layout, opts.nanoclawRoot ? { nanoclawRoot: opts.nanoclawRoot } : {});
    // mockttp reads the key file itself: the key never passes through guardian code.
    https = { keyPath: opts.layout.caKey, certPath: opts.layout.caCert };
    caFingerprint = ca.fingerprint256;
    caCertPath = ca.certPath;
  } else {
    const ca = await tunnelOnlyCa();
    https = { key: ca.key, cert: ca.cert, tlsPassthrough: [{ hostname: '*' }] };
  }

  const counters = new Counters();
  const budget = createCaptureBudget(opts.captureBudgetBytes ?? Math.max(64 * 1024 * 1024, 8 * opts.maxScanBytes));
  const sink = createSink({ platform: opts.platform, maxScanBytes: opts.maxScanBytes, budget, counters, inspect: opts.inspect });
  const httpTap = new HttpTap(sink);
  const wsTap = new WebSocketTap(sink);
  const tunnelTap = new TunnelTap(sink, chain);

  const proxy: Mockttp = getLocal({
    recordTraffic: false,
    // 0: mockttp buffers no body for its completed-body events (we use none of them). Bodies are
    // captured, bounded, from the request stream the passthrough pipes and from the raw
    // response-body-data chunks (http-tap.ts).
    maxBodySize: 0,
    suggestChanges: false,
    https,
    // Non-HTTP protocols inside CONNECT are tunnelled, not answered with 400.
    passthrough: ['unknown-protocol'],
  });

  const hooked = hookMockttp(proxy, {
    host: opts.host,
    acceptSocket(socket) {
      if (filter.allows(socket.remoteAddress)) return true;
      counters.fault('dropped_clients');
      return false;
    },
    onConnect: (req, socket) => tunnelTap.connectSeen(req, socket),
    onRequestStart(started, type, proxyAuthorization, response) {
      try {
        const agent = agentFromProxyAuth(proxyAuthorization) ?? tunnelTap.agentFor(started.remoteIpAddress, started.remotePort);
        if (type === 'websocket') wsTap.started(started.id, agent);
        else httpTap.requestStarted(started, agent, response);
      } catch {
        counters.fault('internal_errors'); // this request goes unobserved, and still goes through
      }
    },
    passthrough: (original, type, socket, hostname, port) => tunnelTap.passthrough(original, type, socket, hostname, port),
  });

  const passOpts = {
    ...(trust.additionalTrustedCAs.length ? { additionalTrustedCAs: trust.additionalTrustedCAs } : {}),
    ...(chain
      ? {
          proxyConfig: {
            proxyUrl: chain.url.href,
            ...(trust.additionalTrustedCAs.length ? { additionalTrustedCAs: trust.additionalTrustedCAs } : {}),
          },
        }
      : {}),
  };
  await proxy.forAnyRequest().thenPassThrough(passOpts);
  await proxy.forAnyWebSocket().thenPassThrough(passOpts);

  // Each listener is wrapped: an observation bug is an internal fault, never a crash of the
  // emitter (mockttp emits from setImmediate; a throw there would take the process down).
  const guard = <T>(fn: (ev: T) => void) => (ev: T): void => {
    try {
      fn(ev);
    } catch {
      counters.fault('internal_errors');
    }
  };
  await proxy.on('abort', guard((ev) => {
    httpTap.aborted(ev);
    wsTap.closed(ev.id);
  }));
  await proxy.on('websocket-request', guard((ev) => wsTap.upgrade(ev)));
  await proxy.on('websocket-message-received', guard((ev) => wsTap.message(ev)));
  await proxy.on('websocket-message-sent', guard((ev) => wsTap.message(ev)));
  await proxy.on('websocket-close', guard((ev) => wsTap.closed(ev.streamId)));
  await proxy.on('tls-passthrough-closed', guard((ev) => tunnelTap.closed(ev.tags)));
  await proxy.on('raw-passthrough-closed', guard((ev) => tunnelTap.closed(ev.tags)));
  await proxy.on('client-error', guard((ev) => {
    // 'aborted' = the client left before an answer; anything else is unparseable HTTP.
    if (ev.response === 'aborted') counters.fault('client_aborts', ev.errorCode);
    else counters.fault('malformed_requests', ev.errorCode);
  }));
  await proxy.on('tls-client-error', guard((ev) => counters.fault('tls_client_errors', ev.failureCause)));

  const releaseConsole = guardConsole((category) => counters.fault('suppressed_messages', category));
  try {
    await proxy.start(opts.port);
    hooked.verify();
  } catch (err) {
    releaseConsole();
    httpTap.stop();
    await proxy.stop().catch(() => {});
    if (err instanceof GuardianError) throw err;
    throw new GuardianError('LISTEN_FAILED', `cannot listen on ${opts.host}:${opts.port} (${errorCode(err) ?? 'error'})`, {
      cause: err,
      fix: errorCode(err) === 'EADDRINUSE' ? 'pick another --port or stop what uses it (--port 0 picks a free one)' : 'check --host is an address of this machine',
    });
  }

  const port = proxy.port;
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  let stopping: Promise<void> | undefined;
  return {
    host: opts.host,
    port,
    proxyUrl: `http://${hostForUrl}:${port}`,
    httpsInspection: opts.httpsInspection,
    ...(caFingerprint ? { caFingerprint } : {}),
    ...(caCertPath ? { caCertPath } : {}),
    allowClients: filter.ranges,
    warnings: trust.warnings,
    faults: () => counters.faults({ capture_overflows: budget.exhausted }),
    stats: () => ({ ...counters.stats }),
    stop() {
      stopping ??= (async () => {
        try {
          await proxy.stop();
        } finally {
          httpTap.stop();
          wsTap.stop();
          releaseConsole();
        }
      })();
      return stopping;
    },
  };
}

/** For an https:// upstream proxy: Node's roots + extras, as for every other upstream. */
function upstreamCaList(cas: Array<{ cert: string }>): string[] {
  return [...rootCertificates, ...cas.map((c) => c.cert)];
}
