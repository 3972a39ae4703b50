// Proxy numbers for `npm run bench -- proxy`, all from one run on loopback, as ratios where the
// machine's speed cancels out:
//   - added latency p50/p95: guardian vs direct vs a bare mockttp passthrough (keep-alive, sequential)
//   - requests/s: guardian / bare mockttp (keep-alive, bounded concurrency and count), in rounds
//     interleaved in alternating order; the ratio is the median of the rounds' ratios (a burst of
//     load from a neighbour on this shared machine spoils one round, not the number)
//   - SSE: time to the first event, guardian vs direct
//   - proxy CPU per request, guardian vs bare mockttp, each in its own child process
//   - peak RSS delta of a guardian running in a child process under 20 concurrent 10 MiB downloads
// Prints nothing; returns numbers. `inspect` defaults to a no-op counter; the child process (which
// cannot receive a function) can load a detector from `childInspectModule` (default export or
// `inspect` export).
import * as http from 'node:http';
import * as net from 'node:net';
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { getLocal } from 'mockttp';
import { startMonitor, type MonitorHandle } from '../host-services/proxy/monitor.ts';
import { homeLayout } from '../lib/home-layout.ts';
import type { ScanRequest } from '../lib/scan/types.ts';

type Inspect = (req: ScanRequest) => void;

const LATENCY_WARMUP = 200;
const LATENCY_SAMPLES = 800;
const RPS_REQUESTS = 1500;
const RPS_CONCURRENCY = 16;
const RPS_ROUNDS = 7;
const SSE_RUNS = 25;
const DOWNLOADS = 20;
const DOWNLOAD_BYTES = 10 * 1024 * 1024;

const CHILD_FLAG = 'CTG_BENCH_PROXY_CHILD';

export interface BenchProxyOptions {
  /** module whose default (or `inspect`) export is used by the monitor in the memory child */
  childInspectModule?: string;
}

export async function benchProxy(inspect?: Inspect, opts: BenchProxyOptions = {}): Promise<Record<string, number | string>> {
  let calls = 0;
  const inspectFn: Inspect = inspect ?? (() => void calls++);
  const home = mkdtempSync(join(tmpdir(), 'ctg-bench-proxy-'));
  const closers: Array<() => Promise<unknown> | unknown> = [];
  try {
    const small = Buffer.from('{"ok":true}');
    const upstream = await serve((req, res) => {
      if (req.url === '/sse') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: {"choices":[{"delta":{"content":"first"}}]}\n\n');
        setTimeout(() => res.end('data: [DONE]\n\n'), 30);
        return;
      }
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': small.length });
        res.end(small);
      });
    });
    closers.push(upstream.close);

    const bare = getLocal({ recordTraffic: false });
    await bare.forAnyRequest().thenPassThrough();
    await bare.start(0);
    closers.push(() => bare.stop());

    const guardian: MonitorHandle = await startMonitor({
      host: '127.0.0.1',
      port: 0,
      httpsInspection: false,
      allowClients: [],
      maxScanBytes: 1024 * 1024,
      upstreamCaFiles: [],
      layout: homeLayout(home),
      platform: 'openclaw',
      inspect: inspectFn,
    });
    closers.push(() => guardian.stop());

    const target = `http://127.0.0.1:${upstream.port}/api`;
    const direct = await latency(undefined, target);
    const viaBare = await latency(bare.port, target);
    const viaGuardian = await latency(guardian.port, target);

    // Rounds interleaved, the order alternating, to damp noise from a shared machine: each round
    // measures both proxies back to back and gives one ratio.
    const rpsDirect = await throughput(undefined, target);
    const rpsBare: number[] = [];
    const rpsGuardian: number[] = [];
    for (let round = 0; round < RPS_ROUNDS; round++) {
      if (round % 2 === 0) {
        rpsBare.push(await throughput(bare.port, target));
        rpsGuardian.push(await throughput(guardian.port, target));
      } else {
        rpsGuardian.push(await throughput(guardian.port, target));
        rpsBare.push(await throughput(bare.port, target));
      }
    }
    const rpsRatios = rpsGuardian.map((g, i) => g / rpsBare[i]!);

    const sseDirect = await sseFirstChunk(undefined, `http://127.0.0.1:${upstream.port}/sse`);
    const sseGuardian = await sseFirstChunk(guardian.port, `http://127.0.0.1:${upstream.port}/sse`);

    const memory = await childSession('guardian', target, opts.childInspectModule);
    const bareMemory = await childSession('bare', target);

    return {
      latency_p50_ms_direct: round(direct.p50),
      latency_p95_ms_direct: round(direct.p95),
      latency_p50_ms_bare_mockttp: round(viaBare.p50),
      latency_p95_ms_bare_mockttp: round(viaBare.p95),
      latency_p50_ms_guardian: round(viaGuardian.p50),
      latency_p95_ms_guardian: round(viaGuardian.p95),
      added_latency_p50_ms_vs_direct: round(viaGuardian.p50 - direct.p50),
      added_latency_p95_ms_vs_direct: round(viaGuardian.p95 - direct.p95),
      added_latency_p50_ms_vs_bare_mockttp: round(viaGuardian.p50 - viaBare.p50),
      rps_direct: Math.round(rpsDirect),
      rps_bare_mockttp: Math.round(median(rpsBare)),
      rps_guardian: Math.round(median(rpsGuardian)),
      rps_ratio_guardian_vs_bare_mockttp: round(median(rpsRatios)),
      rps_ratio_best_vs_best: round(Math.max(...rpsGuardian) / Math.max(...rpsBare)),
      rps_ratio_rounds: rpsRatios.map((r) => r.toFixed(2)).join(' '),
      sse_first_chunk_ms_direct: round(sseDirect),
      sse_first_chunk_ms_guardian: round(sseGuardian),
      sse_first_chunk_added_ms: round(sseGuardian - sseDirect),
      // CPU time the proxy process spends per small keep-alive request (child process, so the
      // load generator does not compete): steadier on a busy machine than requests/s.
      cpu_us_per_request_bare_mockttp: bareMemory.cpu_us_per_request!,
      cpu_us_per_request_guardian: memory.cpu_us_per_request!,
      capacity_ratio_guardian_vs_bare_mockttp: round(bareMemory.cpu_us_per_request! / memory.cpu_us_per_request!),
      ...Object.fromEntries(Object.entries(memory).filter(([k]) => k !== 'cpu_us_per_request')),
      rss_peak_delta_mb_bare_mockttp: bareMemory.rss_peak_delta_mb!,
      inspect_calls: inspect ? 'custom inspect' : calls,
      guardian_faults: Object.entries(guardian.faults())
        .filter(([k, v]) => k !== 'last_error' && typeof v === 'number' && v > 0)
        .map(([k, v]) => `${k}=${String(v)}`)
        .join(',') || 'none',
    };
  } finally {
    for (const close of closers.reverse()) await Promise.resolve(close()).catch(() => {});
    rmSync(home, { recursive: true, force: true });
  }
}

const round = (n: number): number => Math.round(n * 1000) / 1000;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

async function serve(handler: http.RequestListener): Promise<{ port: number; close: () => Promise<void> }> {
  const server = http.createServer({ keepAliveTimeout: 30_000 }, handler);
  const sockets = new Set<net.Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** One GET, through the proxy at `proxyPort` (absolute-form) or direct. Resolves with ms. */
function request(agent: http.Agent, proxyPort: number | undefined, url: string): Promise<number> {
  const u = new URL(url);
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const req = http.request(
      proxyPort === undefined
        ? { host: u.hostname, port: u.port, path: u.pathname, agent }
        : { host: '127.0.0.1', port: proxyPort, path: url, headers: { host: u.host }, agent },
      (res) => {
        res.resume();
        res.on('end', () => resolve(performance.now() - start));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function latency(proxyPort: number | undefined, url: string): Promise<{ p50: number; p95: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    for (let i = 0; i < LATENCY_WARMUP; i++) await request(agent, proxyPort, url);
    const samples: number[] = [];
    for (let i = 0; i < LATENCY_SAMPLES; i++) samples.push(await request(agent, proxyPort, url));
    samples.sort((a, b) => a - b);
    return { p50: samples[Math.floor(samples.length * 0.5)]!, p95: samples[Math.floor(samples.length * 0.95)]! };
  } finally {
    agent.destroy();
  }
}

async function throughput(proxyPort: number | undefined, url: string): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: RPS_CONCURRENCY });
  try {
    for (let i = 0; i < 100; i++) await request(agent, proxyPort, url);
    let next = 0;
    const start = performance.now();
    const worker = async (): Promise<void> => {
      while (next < RPS_REQUESTS) {
        next++;
        await request(agent, proxyPort, url);
      }
    };
    await Promise.all(Array.from({ length: RPS_CONCURRENCY }, worker));
    return RPS_REQUESTS / ((performance.now() - start) / 1000);
  } finally {
    agent.destroy();
  }
}

/** Median ms from sending the request to the first body chunk of an SSE response. */
async function sseFirstChunk(proxyPort: number | undefined, url: string): Promise<number> {
  const u = new URL(url);
  const samples: number[] = [];
  for (let i = 0; i < SSE_RUNS; i++) {
    samples.push(
      await new Promise<number>((resolve, reject) => {
        const start = performance.now();
        let first: number | undefined;
        const req = http.request(
          proxyPort === undefined
            ? { host: u.hostname, port: u.port, path: u.pathname, agent: false }
            : { host: '127.0.0.1', port: proxyPort, path: url, headers: { host: u.host }, agent: false },
          (res) => {
            res.on('data', () => (first ??= performance.now() - start));
            res.on('end', () => resolve(first ?? Number.NaN));
          },
        );
        req.on('error', reject);
        req.end();
      }),
    );
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

// --- child process: CPU per request, then peak RSS under 20 parallel 10 MiB downloads ---

interface ChildReply {
  type: 'ready' | 'rss' | 'peak' | 'cpu' | 'marked';
  port?: number;
  rss?: number;
  us?: number;
}

const CPU_REQUESTS = 3000;

async function childSession(kind: 'guardian' | 'bare', smallTarget: string, childInspectModule?: string): Promise<Record<string, number>> {
  const payload = Buffer.alloc(DOWNLOAD_BYTES);
  for (let i = 0; i < payload.length; i += 4) payload.writeUInt32LE((i * 2654435761) >>> 0, i); // not compressible, not zero
  const upstream = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': payload.length });
    res.end(payload);
  });
  const child = fork(fileURLToPath(import.meta.url), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, [CHILD_FLAG]: kind, ...(childInspectModule ? { CTG_BENCH_INSPECT_MODULE: childInspectModule } : {}) },
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
  });
  const replies: ChildReply[] = [];
  const waiters: Array<() => void> = [];
  child.on('message', (m: ChildReply) => {
    replies.push(m);
    for (const w of waiters.splice(0)) w();
  });
  const ask = async (type: string, expect: ChildReply['type']): Promise<ChildReply> => {
    if (type) child.send({ type });
    for (;;) {
      const i = replies.findIndex((r) => r.type === expect);
      if (i !== -1) return replies.splice(i, 1)[0]!;
      await new Promise<void>((resolve, reject) => {
        const t = setTimeout(() => reject(new Error(`bench child did not answer ${expect}`)), 30_000);
        waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  };
  try {
    const { port } = await ask('', 'ready');

    const agent = new http.Agent({ keepAlive: false, maxSockets: DOWNLOADS });
    const url = `http://127.0.0.1:${upstream.port}/big`;
    await request(agent, port, url); // warm up: code paths, buffers
    const baseline = (await ask('baseline', 'rss')).rss!;
    const start = performance.now();
    let received = 0;
    await Promise.all(
      Array.from(
        { length: DOWNLOADS },
        () =>
          new Promise<void>((resolve, reject) => {
            const req = http.request({ host: '127.0.0.1', port, path: url, headers: { host: `127.0.0.1:${upstream.port}` }, agent }, (res) => {
              res.on('data', (d: Buffer) => (received += d.length));
              res.on('end', () => resolve());
              res.on('error', reject);
            });
            req.on('error', reject);
            req.end();
          }),
      ),
    );
    const seconds = (performance.now() - start) / 1000;
    await new Promise((r) => setTimeout(r, 200)); // let scans of the last bodies finish
    const peak = (await ask('peak', 'peak')).rss!;
    agent.destroy();

    // CPU afterwards, so the memory baseline above is a freshly started monitor (the stricter case).
    const small = new http.Agent({ keepAlive: true, maxSockets: RPS_CONCURRENCY });
    for (let i = 0; i < 200; i++) await request(small, port, smallTarget);
    await ask('mark', 'marked');
    let sent = 0;
    await Promise.all(
      Array.from({ length: RPS_CONCURRENCY }, async () => {
        while (sent < CPU_REQUESTS) {
          sent++;
          await request(small, port, smallTarget);
        }
      }),
    );
    const cpuUs = (await ask('cpu', 'cpu')).us! / CPU_REQUESTS;
    small.destroy();

    const mb = (n: number): number => Math.round((n / (1024 * 1024)) * 10) / 10;
    return {
      downloads: DOWNLOADS,
      download_mib_each: DOWNLOAD_BYTES / (1024 * 1024),
      download_received_ok: received === DOWNLOADS * DOWNLOAD_BYTES ? 1 : 0,
      download_seconds: round(seconds),
      rss_baseline_mb: mb(baseline),
      rss_peak_mb: mb(peak),
      rss_peak_delta_mb: mb(peak - baseline),
      cpu_us_per_request: Math.round(cpuUs),
    };
  } finally {
    // disconnect lets the child stop its monitor and remove its temp home; kill is the fallback.
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    if (child.connected) child.disconnect();
    const timer = setTimeout(() => child.kill(), 5000);
    await exited;
    clearTimeout(timer);
    await upstream.close();
  }
}

/** The child: a guardian (or, for reference, a bare mockttp passthrough) whose RSS is sampled. */
async function runChild(kind: string): Promise<void> {
  const home = mkdtempSync(join(tmpdir(), 'ctg-bench-child-'));
  let inspect: Inspect = () => {};
  const modPath = process.env.CTG_BENCH_INSPECT_MODULE;
  if (modPath) {
    const mod = (await import(pathToFileURL(modPath).href)) as { default?: Inspect; inspect?: Inspect };
    inspect = mod.default ?? mod.inspect ?? inspect;
  }
  let m: { port: number; stop: () => Promise<void> };
  if (kind === 'bare') {
    const bare = getLocal({ recordTraffic: false });
    await bare.forAnyRequest().thenPassThrough();
    await bare.start(0);
    m = { port: bare.port, stop: () => bare.stop() };
  } else {
    m = await startMonitor({
      host: '127.0.0.1',
      port: 0,
      httpsInspection: false,
      allowClients: [],
      maxScanBytes: 1024 * 1024,
      upstreamCaFiles: [],
      layout: homeLayout(home),
      platform: 'openclaw',
      inspect,
    });
  }
  let peak = 0;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 5);
  const gc = (globalThis as { gc?: () => void }).gc;
  let cpuMark = process.cpuUsage();
  process.on('message', (msg: { type: string }) => {
    if (msg.type === 'mark') {
      cpuMark = process.cpuUsage();
      process.send!({ type: 'marked' });
    } else if (msg.type === 'cpu') {
      const d = process.cpuUsage(cpuMark);
      process.send!({ type: 'cpu', us: d.user + d.system });
    } else if (msg.type === 'baseline') {
      gc?.();
      const rss = process.memoryUsage.rss();
      peak = rss;
      process.send!({ type: 'rss', rss });
    } else if (msg.type === 'peak') {
      process.send!({ type: 'peak', rss: Math.max(peak, process.memoryUsage.rss()) });
    }
  });
  process.on('disconnect', () => {
    clearInterval(sampler);
    void m.stop().finally(() => {
      rmSync(home, { recursive: true, force: true });
      process.exit(0);
    });
  });
  process.send!({ type: 'ready', port: m.port });
}

const childKind = process.env[CHILD_FLAG];
if (childKind && process.send) void runChild(childKind);
