// Shared by the safety-contract tests (test/safety/contract-<n>-*.test.ts): a sandboxed user
// HOME whose default guardian home is the one under test, the real bin run as child processes with
// an explicit environment (no inherited *_TRAFFIC_GUARDIAN_* or proxy variables), an optional trap
// preloaded into every guardian process (child_process, listen, connect: see fixtures/trap.mjs),
// loopback upstreams that record exactly what reached them, raw clients, file-tree snapshots and
// leak checks. Every process, server and directory a test starts is stopped or removed in
// `t.after`, and any monitor still running is killed by the PID its run files name.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { execFileSync, type ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultHome, homeLayout, type HomeLayout } from '../../lib/home-layout.ts';
import type { Platform } from '../../lib/finding.ts';
import { killIfRunning, killMonitorsOf, pidInRunFile, runCleanups, runProcess, spawnCollecting, waitFor, type Run } from '../support/processes.ts';
import { connectTunnel, listenLoopback } from '../support/servers.ts';

export const REPO = fileURLToPath(new URL('../../', import.meta.url));
export const BIN = join(REPO, 'bin', 'clawsec-traffic-guardian.mjs');
export const TRAP = fileURLToPath(new URL('./fixtures/trap.mjs', import.meta.url));
export const SLOW = { timeout: 300_000 };

export type { Run };

export interface TrapRecord {
  pid: number;
  argv: string[];
  kind: 'loaded' | 'spawn' | 'listen' | 'connect' | 'udp';
  fn?: string;
  file?: string;
  args?: string[];
  refused?: boolean;
  target?: unknown[];
}

interface TestLike {
  after(fn: () => unknown): void;
}

export { waitFor };

/** `KEY=value` entries of a live process's environment (Linux), or null. */
export function environOf(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return null;
  }
}

/**
 * A temp directory holding a fake user HOME (`home`), a working directory (`work`) and the trap log.
 * The guardian home under test is the platform's default home below HOME, so commands run without
 * `--home` exercise the real default; `cli()` adds nothing, `run()` is the bare bin.
 */
export class World {
  readonly root: string;
  readonly userHome: string;
  readonly work: string;
  readonly guardianHome: string;
  readonly layout: HomeLayout;
  readonly trapLog: string;
  readonly platform: Platform;
  private readonly children = new Set<ChildProcess>();
  private readonly monitorPids = new Set<number>();
  private readonly closers: Array<() => unknown> = [];

  constructor(t: TestLike, opts: { platform?: Platform; prefix?: string } = {}) {
    this.root = realpathSync(mkdtempSync(join(tmpdir(), opts.prefix ?? 'ctg-safety-')));
    this.userHome = join(this.root, 'home');
    this.work = join(this.root, 'work');
    mkdirSync(this.userHome, { mode: 0o755 });
    mkdirSync(this.work);
    this.platform = opts.platform ?? 'openclaw';
    this.guardianHome = defaultHome(this.platform, this.userHome);
    this.layout = homeLayout(this.guardianHome);
    this.trapLog = join(this.root, 'trap.jsonl');
    t.after(() => this.cleanup());
  }

  /** The only variables a guardian process gets: PATH, HOME, NO_COLOR (+ TMPDIR if set), + `extra`. */
  env(extra: NodeJS.ProcessEnv = {}, trap = false): NodeJS.ProcessEnv {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: this.userHome, NO_COLOR: '1' };
    if (process.env.TMPDIR) env.TMPDIR = process.env.TMPDIR;
    if (trap) {
      env.NODE_OPTIONS = `--import=${TRAP}`;
      env.CTG_SAFETY_TRAP_LOG = this.trapLog;
    }
    return { ...env, ...extra };
  }

  /** Runs the bin to completion (a background `start` returns once the monitor listens). */
  run(args: string[], opts: { env?: NodeJS.ProcessEnv; trap?: boolean; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
    return this.runProgram(process.execPath, [BIN, ...args], opts);
  }

  async runProgram(file: string, args: string[], opts: { env?: NodeJS.ProcessEnv; trap?: boolean; input?: string | Buffer; timeoutMs?: number; cwd?: string } = {}): Promise<Run> {
    const r = await runProcess(file, args, {
      env: this.env(opts.env, opts.trap ?? false),
      cwd: opts.cwd ?? this.work,
      ...(opts.input === undefined ? {} : { input: opts.input }),
      timeoutMs: opts.timeoutMs ?? 120_000,
      onSpawn: (child) => this.children.add(child),
    });
    this.trackFromRunFiles();
    return r;
  }

  /**
   * A long-running bin process (a foreground monitor) with its output collected; `stop()` sends
   * SIGTERM and resolves once it exited.
   */
  spawnBin(args: string[], opts: { env?: NodeJS.ProcessEnv; trap?: boolean } = {}): { child: ChildProcess; out: { stdout: string; stderr: string }; stop(): Promise<Run> } {
    const child = spawnCollecting(process.execPath, [BIN, ...args], { env: this.env(opts.env, opts.trap ?? false), cwd: this.work });
    this.children.add(child);
    const { out } = child;
    const exited = new Promise<Run>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, ...out })));
    return {
      child,
      out,
      stop: async () => {
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
        return exited;
      },
    };
  }

  /** `start --port 0 --json` plus `args`; resolves with the status object it printed. */
  async start(args: string[] = [], opts: { env?: NodeJS.ProcessEnv; trap?: boolean } = {}): Promise<{ run: Run; status: Record<string, any> }> {
    const run = await this.run(['start', '--port', '0', '--json', ...args], opts);
    if (run.code !== 0) throw new Error(`start failed (${run.code}): ${run.stderr}`);
    const status = JSON.parse(run.stdout) as Record<string, any>;
    this.trackMonitor(status.pid);
    return { run, status };
  }

  async stop(opts: { trap?: boolean } = {}): Promise<Run> {
    const r = await this.run(['stop'], opts);
    if (r.code !== 0) throw new Error(`stop failed (${r.code}): ${r.stderr}`);
    return r;
  }

  trackMonitor(pid: unknown): void {
    if (typeof pid === 'number' && Number.isInteger(pid) && pid > 0) this.monitorPids.add(pid);
  }

  private trackFromRunFiles(): void {
    this.trackMonitor(pidInRunFile(this.layout.stateFile));
  }

  onCleanup(fn: () => unknown): void {
    this.closers.push(fn);
  }

  /** Every trap record written so far. */
  trapRecords(): TrapRecord[] {
    try {
      return readFileSync(this.trapLog, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as TrapRecord);
    } catch {
      return [];
    }
  }

  async cleanup(): Promise<void> {
    await runCleanups(this.closers);
    for (const child of this.children) killIfRunning(child);
    this.trackFromRunFiles();
    killMonitorsOf(this.guardianHome, this.monitorPids);
    // Any guardian process whose command line names this world's temp dir (a monitor started
    // with a --home outside guardianHome, e.g. when a refusal test sees an unexpected start)
    // is killed too: a monitor left running would hang CI.
    for (const pid of guardianPidsUnder(this.root)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    rmSync(this.root, { recursive: true, force: true });
  }
}

function guardianPidsUnder(dir: string): number[] {
  let entries: string[] = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return []; // not Linux: the pid-file sweep above is all there is
  }
  const out: number[] = [];
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (cmd.includes(dir) && cmd.includes('clawsec-traffic-guardian')) out.push(pid);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

// ---- trap records ---------------------------------------------------------------------------

/** tsx's own loader tries its dev-server IPC pipe (<tmp>/tsx-<uid>/<ppid>.pipe): not guardian code. */
export function isTsxIpc(r: TrapRecord): boolean {
  const t = r.target?.[0] as { path?: unknown } | undefined;
  return r.kind === 'connect' && typeof t?.path === 'string' && /[\\/]tsx-[^\\/]*[\\/]\d+\.pipe$/.test(t.path);
}

/**
 * tsx's transpiler service: on Node 22+/24 tsx's loader thread starts esbuild
 * (`esbuild --service=<v> --ping`) from its own package. Tooling, not guardian code.
 */
export function isTsxEsbuild(r: TrapRecord): boolean {
  const rec = r as TrapRecord & { file?: unknown; args?: unknown };
  return (
    r.kind === 'spawn' &&
    typeof rec.file === 'string' &&
    /[\\/]node_modules[\\/]@esbuild[\\/][^\\/]+[\\/]bin[\\/]esbuild(?:\.exe)?$/.test(rec.file) &&
    Array.isArray(rec.args) &&
    rec.args.some((a) => typeof a === 'string' && a.startsWith('--service='))
  );
}

/** What processes did: every record but `loaded` and tsx's own tooling (IPC pipe, esbuild service). */
export function activity(records: TrapRecord[]): TrapRecord[] {
  return records.filter((r) => r.kind !== 'loaded' && !isTsxIpc(r) && !isTsxEsbuild(r));
}

/** Records of the process whose argv holds all of `words` (e.g. ['start', '--foreground']). */
export function recordsOf(records: TrapRecord[], words: string[]): TrapRecord[] {
  return records.filter((r) => words.every((w) => r.argv.includes(w)));
}

// ---- loopback servers and clients -------------------------------------------------------------

export interface Received {
  method: string;
  url: string;
  rawHeaders: string[];
  body: Buffer;
}

export interface Upstream {
  port: number;
  received: Received[];
}

/** A loopback HTTP (or HTTPS with `tlsOptions`) server that records each request and answers with `reply`. */
export async function recordingUpstream(
  world: World,
  reply: (req: Received, res: http.ServerResponse) => void,
  tlsOptions?: { key: string; cert: string },
): Promise<Upstream> {
  const received: Received[] = [];
  const handler: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', rawHeaders: [...req.rawHeaders], body: Buffer.concat(chunks) };
      received.push(r);
      res.sendDate = false; // so a direct and a proxied answer can be compared byte for byte
      reply(r, res);
    });
  };
  const server = tlsOptions ? https.createServer(tlsOptions, handler) : http.createServer(handler);
  return { port: await listenLoopback(server, (fn) => world.onCleanup(fn)), received };
}

export interface Answer {
  status: number;
  statusMessage: string;
  rawHeaders: string[];
  body: Buffer;
}

export interface SendOptions {
  method?: string;
  /** raw header pairs in order; `host` is added first unless given */
  headers?: Array<[string, string]>;
  body?: Buffer | string;
}

function collect(res: http.IncomingMessage, resolve: (a: Answer) => void, reject: (e: Error) => void): void {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => resolve({ status: res.statusCode ?? 0, statusMessage: res.statusMessage ?? '', rawHeaders: [...res.rawHeaders], body: Buffer.concat(chunks) }));
  res.on('error', reject);
}

function headerList(host: string, opts: SendOptions): Array<[string, string]> {
  const list = opts.headers ?? [];
  return list.some(([k]) => k.toLowerCase() === 'host') ? list : [['host', host], ...list];
}

/**
 * One plain-HTTP request, either straight to the upstream (`proxyPort` null) or through the proxy
 * in absolute form, with the same header list either way.
 */
export function httpRequest(proxyPort: number | null, url: string, opts: SendOptions = {}): Promise<Answer> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: proxyPort ?? Number(u.port),
        method: opts.method ?? 'GET',
        path: proxyPort === null ? `${u.pathname}${u.search}` : url,
        headers: headerList(u.host, opts).flat() as unknown as http.OutgoingHttpHeaders,
        agent: false,
        timeout: 60_000,
      },
      (res) => collect(res, resolve, reject),
    );
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    req.end(opts.body);
  });
}

export { connectTunnel };

/**
 * One HTTPS request to `localhost:port`: straight (`proxyPort` null) or through a CONNECT tunnel
 * of the proxy, trusting `ca`. Returns the answer and the certificate the client was shown.
 */
export async function httpsRequest(proxyPort: number | null, port: number, path: string, ca: string, opts: SendOptions = {}): Promise<Answer & { issuer: string }> {
  const socket = proxyPort === null ? net.connect({ host: '127.0.0.1', port }) : await connectTunnel(proxyPort, `localhost:${port}`);
  const tlsSocket = tls.connect({ socket, servername: 'localhost', ca, ALPNProtocols: ['http/1.1'] });
  await new Promise<void>((resolve, reject) => {
    tlsSocket.once('secureConnect', () => resolve());
    tlsSocket.once('error', reject);
  });
  const issuer = tlsSocket.getPeerX509Certificate()?.issuer ?? '';
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: 'localhost',
        port,
        path,
        method: opts.method ?? 'GET',
        headers: headerList(`localhost:${port}`, opts).flat() as unknown as http.OutgoingHttpHeaders,
        createConnection: () => tlsSocket,
      },
      (res) =>
        collect(
          res,
          (a) => {
            tlsSocket.destroy();
            resolve({ ...a, issuer });
          },
          reject,
        ),
    );
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** Raw header pairs without the ones a test decides are hop-by-hop or time-dependent. */
export function headersWithout(raw: string[], drop: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (!drop.includes(raw[i]!.toLowerCase())) out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

export function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A test CA and a localhost / 127.0.0.1 server certificate signed by it (openssl), under `dir`. */
export function makeUpstreamPki(dir: string): { caPath: string; caPem: string; key: string; cert: string } {
  mkdirSync(dir, { recursive: true });
  const f = (n: string) => join(dir, n);
  const run = (args: string[]) => execFileSync('openssl', args, { stdio: 'ignore' });
  run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('ca.key'), '-out', f('ca.pem'), '-days', '2', '-subj', '/CN=safety upstream test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  writeFileSync(f('ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n');
  run(['req', '-new', '-newkey', 'rsa:2048', '-nodes', '-keyout', f('leaf.key'), '-subj', '/CN=localhost', '-out', f('leaf.csr')]);
  run(['x509', '-req', '-in', f('leaf.csr'), '-CA', f('ca.pem'), '-CAkey', f('ca.key'), '-CAcreateserial', '-days', '2', '-sha256', '-extfile', f('ext.cnf'), '-out', f('leaf.pem')]);
  return { caPath: f('ca.pem'), caPem: readFileSync(f('ca.pem'), 'utf8'), key: readFileSync(f('leaf.key'), 'utf8'), cert: readFileSync(f('leaf.pem'), 'utf8') };
}

// ---- findings ---------------------------------------------------------------------------------

/** Every finding line in every file of the log directory (rotated files included). */
export function findingLines(layout: HomeLayout): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  let names: string[] = [];
  try {
    names = readdirSync(layout.logDir);
  } catch {
    return out;
  }
  for (const n of names.sort()) {
    const text = readFileSync(join(layout.logDir, n), 'utf8');
    for (const line of text.split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line) as Record<string, any>);
      } catch {
        // a torn line: ignored here
      }
    }
  }
  return out;
}

// ---- file trees -------------------------------------------------------------------------------

export interface Entry {
  kind: 'dir' | 'file' | 'link' | 'other';
  mode: number;
  mtimeMs: number;
  hash: string;
}

/** path relative to `dir` (`/`-separated; directories end in `/`) -> kind, mode, mtime, content hash. */
export function snapshot(dir: string, opts: { recursive?: boolean } = {}): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (d: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(d);
    } catch {
      return;
    }
    for (const name of names) {
      const full = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = lstatSync(full);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        out.set(`${r}/`, { kind: 'dir', mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, hash: '' });
        if (opts.recursive !== false) walk(full, r);
      } else if (st.isFile()) {
        let hash = '';
        try {
          hash = createHash('sha256').update(readFileSync(full)).digest('hex');
        } catch {
          hash = 'unreadable';
        }
        out.set(r, { kind: 'file', mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, hash });
      } else {
        out.set(r, { kind: st.isSymbolicLink() ? 'link' : 'other', mode: st.mode & 0o7777, mtimeMs: st.mtimeMs, hash: '' });
      }
    }
  };
  walk(dir, '');
  return out;
}

/** Entries created, changed (content, mode or mtime) or removed between two snapshots. */
export function changes(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const out: string[] = [];
  for (const [k, v] of after) {
    const b = before.get(k);
    if (!b) out.push(`+${k}`);
    else if (b.kind !== v.kind || b.mode !== v.mode || b.hash !== v.hash || b.mtimeMs !== v.mtimeMs) out.push(`~${k}`);
  }
  for (const k of before.keys()) if (!after.has(k)) out.push(`-${k}`);
  return out.sort();
}

/** true if `path` is `parent` or inside it */
export function isWithin(path: string, parent: string): boolean {
  const rel = relative(parent, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/**
 * Changes under the user HOME (from two snapshots of it) that are neither inside the guardian home
 * nor inside one of `allowed`, nor a directory on the way to one of them (creating the home creates
 * its parents, e.g. ~/.openclaw/security/clawsec/, and changes their mtime).
 */
export function changesOutsideHome(w: World, before: Map<string, Entry>, after: Map<string, Entry>, allowed: string[] = []): string[] {
  const roots = [w.guardianHome, ...allowed];
  const ancestors = new Set<string>();
  for (const r of roots) for (let d = dirname(r); isWithin(d, w.userHome) && d !== w.userHome; d = dirname(d)) ancestors.add(`${relative(w.userHome, d)}/`);
  return changes(before, after).filter((c) => {
    const rel = c.slice(1);
    if (ancestors.has(rel)) {
      // created on the way to the home, or an existing parent that only gained an entry: fine;
      // a parent whose kind or permissions changed is not
      const b = before.get(rel);
      const a = after.get(rel);
      if (c[0] === '+' && a?.kind === 'dir') return false;
      if (c[0] === '~' && b && a && a.kind === b.kind && a.mode === b.mode) return false;
      return true;
    }
    return !roots.some((r) => isWithin(join(w.userHome, rel), r));
  });
}

/** Every regular file under `dir` (absolute paths). */
export function filesUnder(dir: string): string[] {
  return [...snapshot(dir).entries()].filter(([, e]) => e.kind === 'file').map(([r]) => join(dir, r));
}

// ---- leaks ------------------------------------------------------------------------------------

/** Every `n`-character piece of `s` (all of `s` when shorter). */
export function pieces(s: string, n: number): string[] {
  if (s.length <= n) return s ? [s] : [];
  const out = new Set<string>();
  for (let i = 0; i + n <= s.length; i++) out.add(s.slice(i, i + n));
  return [...out];
}

/** The first needle found in `text`, or undefined. Fast for many needles of a few lengths. */
export function firstLeak(text: string, needles: readonly string[]): string | undefined {
  const byLength = new Map<number, Set<string>>();
  for (const n of needles) if (n.length > 0) (byLength.get(n.length) ?? byLength.set(n.length, new Set()).get(n.length)!).add(n);
  for (const [len, set] of byLength) {
    for (let i = 0; i + len <= text.length; i++) {
      const w = text.slice(i, i + len);
      if (set.has(w)) return w;
    }
  }
  return undefined;
}

/**
 * 16-character pieces that carry the private material of an RSA private key: the stretches of its
 * PEM body (base64 of the DER) that encode nothing but the private components d, p, q, dp, dq, qi
 * (so no algorithm id or public modulus shared with certificates), plus those components on their
 * own as base64url, base64 and hex.
 */
export function privateKeyNeedles(keyPem: string): string[] {
  const body = pemBody(keyPem);
  const der = Buffer.from(body, 'base64');
  const jwk = createPrivateKey(keyPem).export({ format: 'jwk' }) as Record<string, unknown>;
  const out = new Set<string>();
  for (const k of ['d', 'p', 'q', 'dp', 'dq', 'qi']) {
    const v = jwk[k];
    if (typeof v !== 'string') throw new Error(`not an RSA private key (no ${k})`);
    const raw = Buffer.from(v, 'base64url');
    const at = der.indexOf(raw);
    if (at < 0) throw new Error(`component ${k} not found in the key's DER`);
    // base64 characters that encode only bytes inside [at, at + raw.length)
    for (const p of pieces(body.slice(Math.ceil(at / 3) * 4, Math.floor((at + raw.length) / 3) * 4), 16)) out.add(p);
    for (const form of [v, raw.toString('base64'), raw.toString('hex'), raw.toString('hex').toUpperCase()]) for (const p of pieces(form, 16)) out.add(p);
  }
  return [...out];
}

/** Base64 of the PEM private key's body lines joined (what must never leave the key file). */
export function pemBody(pem: string): string {
  return pem
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('-----'))
    .join('');
}

// ---- the OpenClaw hook, as the gateway would call it ------------------------------------------

/**
 * Runs the hook's handler in a fresh process (tsx loader, optional trap) for each event key and
 * returns the messages it pushed per event. `env` is the gateway's environment.
 */
export async function runHook(world: World, events: readonly string[], opts: { env?: NodeJS.ProcessEnv; trap?: boolean } = {}): Promise<{ run: Run; messages: Record<string, string[]> }> {
  const handler = join(REPO, 'hooks', 'openclaw-traffic-guardian-hook', 'handler.ts');
  const script = `
    const { default: handler } = await import(${JSON.stringify(handler)});
    const out = {};
    for (const key of ${JSON.stringify(events)}) {
      const [type, action] = key.split(':');
      const event = { type, action, sessionKey: 'agent:main:main', context: {}, timestamp: new Date(), messages: [] };
      await handler(event);
      out[key] = event.messages;
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const run = await world.runProgram(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    ...(opts.env ? { env: opts.env } : {}),
    ...(opts.trap ? { trap: true } : {}),
    cwd: REPO,
  });
  if (run.code !== 0) throw new Error(`hook process failed (${run.code}): ${run.stderr}`);
  return { run, messages: JSON.parse(run.stdout) as Record<string, string[]> };
}

export const HOOK_EVENTS = ['gateway:startup', 'agent:bootstrap', 'command:new'] as const;

// ---- MCP over stdio -----------------------------------------------------------------------------

/** Starts `mcp` as a real stdio server, calls each tool once (`findings` with limit 200), returns the raw results. */
export async function callMcpTools(world: World, extraArgs: string[] = [], extraEnv: NodeJS.ProcessEnv = {}): Promise<{ results: Record<string, unknown>; stderr: string }> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js');
  const env = world.env(extraEnv);
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [BIN, 'mcp', ...extraArgs],
    env: Object.fromEntries(Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string')),
    cwd: world.work,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
  const client = new Client({ name: 'safety-tests', version: '1.0.0' });
  world.onCleanup(() => client.close());
  await client.connect(transport);
  const results: Record<string, unknown> = {};
  try {
    results.clawsec_traffic_status = await client.callTool({ name: 'clawsec_traffic_status', arguments: {} });
    results.clawsec_traffic_findings = await client.callTool({ name: 'clawsec_traffic_findings', arguments: { limit: 200 } });
    results.clawsec_traffic_check_config = await client.callTool({ name: 'clawsec_traffic_check_config', arguments: {} });
  } finally {
    await client.close();
  }
  return { results, stderr };
}
