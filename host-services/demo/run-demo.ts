// The demo: a real monitor (startMonitor + createDetectorSink, in process) on a temporary home,
// sample traffic through it, a verdict per sample, and cleanup.
//
//   agent (this process) --proxy--> monitor 127.0.0.1:<free port> --upstream proxy--> simulated internet
//                                                                                  (loopback server)
// The monitor is started with the loopback "simulated internet" as its upstream proxy, so it
// forwards a request for http://api.anthropic.com/v1/messages exactly as it would in real use
// (the destination it scans is api.anthropic.com:80) while the answer comes from 127.0.0.1 and
// no packet leaves the machine. Each sample uses its own host name; a finding's `dest` ties it
// back to its sample. Plain HTTP only: HTTPS inspection needs a CA the client trusts and is
// exercised by the proxy's own tests.
//
// Verdicts are read back from the findings log the sink wrote (the same redacted lines `threats`
// shows), after the monitor has delivered both halves of every exchange to the detector.
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../config/schema.ts';
import { createDetectorSink, type DetectorSink } from '../detector-sink.ts';
import type { Direction, Finding, Platform, Severity } from '../../lib/finding.ts';
import { homeLayout } from '../../lib/home-layout.ts';
import { readFindings } from '../../lib/log/jsonl-reader.ts';
import type { ScanRequest } from '../../lib/scan/types.ts';
import { startMonitor, type MonitorHandle } from '../proxy/monitor.ts';
import { demoSamples, type DemoSample } from './samples.ts';

export const DEMO_SCHEMA_VERSION = 'clawsec-traffic-demo/v1' as const;
/** The whole run (start, traffic, wait, cleanup) must finish well inside the 15 s promise. */
export const DEMO_TIMEOUT_MS = 12_000;
export const DEMO_AGENT = 'demo';

export interface DemoFinding {
  pattern: string;
  severity: Severity;
  direction: Direction;
  location?: string;
  snippet: string;
}

export interface DemoSampleResult {
  id: string;
  label: string;
  kind: DemoSample['kind'];
  direction: Direction;
  dest: string;
  /** the family the monitor should report, or null (quiet) */
  expected: string | null;
  found: DemoFinding[];
  /** the monitor handed both halves of the exchange to the detector */
  scanned: boolean;
  ok: boolean;
  /** why it misbehaved, when it did */
  problem?: string;
}

export interface DemoResult {
  schema_version: typeof DEMO_SCHEMA_VERSION;
  ok: boolean;
  passed: number;
  total: number;
  duration_ms: number;
  proxy_url: string;
  samples: DemoSampleResult[];
  /** findings that matched no sample's host (should be none) */
  unattributed: number;
  cleanup: { home_removed: boolean; monitor_stopped: boolean; upstream_stopped: boolean };
}

export interface DemoOptions {
  platform?: Platform;
  timeoutMs?: number;
  /** where the temporary home is created (default os.tmpdir()) */
  tmpRoot?: string;
  samples?: DemoSample[];
  /** told the temporary home as soon as it exists (the CLI removes it on Ctrl-C) */
  onHome?: (dir: string) => void;
}

function hostOf(dest: string): string {
  const m = /^(.*):\d+$/.exec(dest);
  return (m ? m[1]! : dest).replace(/^\[|\]$/g, '').toLowerCase();
}

/** The loopback "internet": an HTTP proxy that answers every request for a sample's host itself. */
async function startSimulatedInternet(samples: DemoSample[]): Promise<Server> {
  const byHost = new Map(samples.map((s) => [s.host, s]));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    // inside a CONNECT tunnel (origin-form, Host header) or absolute-form (GET http://host/path)
    let host = '';
    try {
      host = new URL(req.url ?? '', `http://${req.headers.host ?? 'invalid'}`).hostname.toLowerCase();
    } catch {
      // unknown: 404 below
    }
    const sample = byHost.get(host);
    req.resume();
    req.on('end', () => {
      if (!sample) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('unknown demo host\n');
        return;
      }
      const { status = 200, contentType, chunks } = sample.response;
      res.writeHead(status, { 'content-type': contentType, 'cache-control': 'no-store' });
      // the stream sample arrives in separate writes, as a model's tokens would
      let i = 0;
      const next = (): void => {
        if (i >= chunks.length) {
          res.end();
          return;
        }
        res.write(chunks[i++]);
        if (chunks.length > 1) setTimeout(next, 5);
        else next();
      };
      next();
    });
  });
  // mockttp reaches an http:// upstream proxy with CONNECT even for plain HTTP (https-proxy-agent):
  // accept the tunnel and serve the HTTP inside it with the same handler (Host names the sample).
  server.on('connect', (_req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    if (head.length) socket.unshift(head);
    server.emit('connection', socket);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return server;
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/** Sends one sample through the proxy the way an HTTP client configured with HTTP_PROXY does. */
function send(proxyPort: number, sample: DemoSample, timeoutMs: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const body = sample.request.body === undefined ? undefined : Buffer.from(sample.request.body);
    const req = httpRequest({
      host: '127.0.0.1',
      port: proxyPort,
      method: sample.request.method,
      path: `http://${sample.host}${sample.request.path}`,
      agent: false,
      headers: {
        host: sample.host,
        // attribution: the agent named in the proxy URL (http://demo@127.0.0.1:PORT)
        'proxy-authorization': `Basic ${Buffer.from(`${DEMO_AGENT}:`).toString('base64')}`,
        ...(sample.request.headers ?? {}),
        ...(body ? { 'content-length': String(body.length) } : {}),
      },
      timeout: timeoutMs,
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.on('response', (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('error', reject);
    });
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runDemo(opts: DemoOptions = {}): Promise<DemoResult> {
  const started = Date.now();
  const deadline = started + (opts.timeoutMs ?? DEMO_TIMEOUT_MS);
  const left = () => Math.max(1, deadline - Date.now());
  const platform = opts.platform ?? 'openclaw';
  const samples = opts.samples ?? demoSamples();
  const home = mkdtempSync(join(opts.tmpRoot ?? tmpdir(), 'clawsec-tg-demo-'));
  opts.onHome?.(home);
  const layout = homeLayout(home);

  // both halves of each exchange, by destination host, as the monitor delivered them
  const delivered = new Map<string, Set<Direction>>();
  let sink: DetectorSink | undefined;
  let monitor: MonitorHandle | undefined;
  let internet: Server | undefined;
  const cleanup = { home_removed: false, monitor_stopped: false, upstream_stopped: false };
  const sendErrors = new Map<string, string>();
  let findings: Finding[] = [];
  let proxyUrl = '';

  try {
    internet = await startSimulatedInternet(samples);
    const upstreamPort = (internet.address() as AddressInfo).port;
    sink = createDetectorSink({
      layout,
      config: { max_scan_bytes: DEFAULTS.max_scan_bytes, dedup_window_ms: DEFAULTS.dedup_window_ms, log: { dir: layout.logDir, ...DEFAULTS.log } },
      platform,
    });
    const detector = sink;
    monitor = await startMonitor({
      host: '127.0.0.1',
      port: 0,
      httpsInspection: false,
      allowClients: [],
      maxScanBytes: DEFAULTS.max_scan_bytes,
      upstreamProxy: `http://127.0.0.1:${upstreamPort}`,
      upstreamCaFiles: [],
      layout,
      platform,
      inspect(req: ScanRequest) {
        const host = hostOf(req.dest);
        let set = delivered.get(host);
        if (!set) delivered.set(host, (set = new Set()));
        set.add(req.direction);
        detector.inspect(req);
      },
    });
    proxyUrl = `http://${DEMO_AGENT}@127.0.0.1:${monitor.port}`;

    for (const s of samples) {
      try {
        await send(monitor.port, s, Math.min(left(), 5000));
      } catch (err) {
        sendErrors.set(s.id, (err as Error).message);
      }
    }
    // events reach the detector off the forwarding path: wait until each exchange is in
    const complete = () => samples.every((s) => sendErrors.has(s.id) || delivered.get(s.host)?.size === 2);
    while (!complete() && Date.now() < deadline - 1500) await sleep(10);
    sink.flush();
    findings = (await readFindings(layout.findingsLog)).findings;
  } finally {
    if (monitor) {
      await monitor.stop().catch(() => {});
      cleanup.monitor_stopped = true;
    }
    sink?.close();
    if (internet) {
      await stopServer(internet);
      cleanup.upstream_stopped = true;
    }
    rmSync(home, { recursive: true, force: true });
    cleanup.home_removed = !existsSync(home);
  }

  const hosts = new Set(samples.map((s) => s.host));
  const results: DemoSampleResult[] = samples.map((s) => {
    const found: DemoFinding[] = findings
      .filter((f) => hostOf(f.dest) === s.host)
      .map((f) => ({ pattern: f.pattern, severity: f.severity, direction: f.direction, ...(f.location ? { location: f.location } : {}), snippet: f.snippet }));
    const scanned = delivered.get(s.host)?.size === 2;
    let problem: string | undefined;
    if (sendErrors.has(s.id)) problem = `the request failed (${sendErrors.get(s.id)})`;
    else if (!scanned) problem = 'the monitor did not deliver both halves of the exchange in time';
    else if (s.expect === null && found.length) problem = 'expected quiet, but findings were logged';
    else if (s.expect !== null && !found.some((f) => f.pattern === s.expect && f.direction === s.direction)) problem = `expected ${s.expect} (${s.direction}), not found`;
    return {
      id: s.id,
      label: s.label,
      kind: s.kind,
      direction: s.direction,
      dest: `${s.host}:80`,
      expected: s.expect,
      found,
      scanned,
      ok: problem === undefined,
      ...(problem ? { problem } : {}),
    };
  });
  const passed = results.filter((r) => r.ok).length;
  return {
    schema_version: DEMO_SCHEMA_VERSION,
    ok: passed === results.length && cleanup.home_removed,
    passed,
    total: results.length,
    duration_ms: Date.now() - started,
    proxy_url: proxyUrl,
    samples: results,
    unattributed: findings.filter((f) => !hosts.has(hostOf(f.dest))).length,
    cleanup,
  };
}
