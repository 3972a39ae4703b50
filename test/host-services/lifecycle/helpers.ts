// Shared fixtures for the lifecycle tests: a sandbox (temp user home + guardian home) that runs
// the real bin, loopback upstreams, a client that sends requests through the monitor, and a
// cleanup that kills every monitor a test may have left behind, by the PID in its run files, so a
// failing test can never leave a process that hangs CI.
import * as http from 'node:http';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homeLayout, type HomeLayout } from '../../../lib/home-layout.ts';
import { fake, fakeToken, B64URL } from '../../../lib/patterns/fake.ts';
import { STATE_SCHEMA_VERSION, type MonitorState } from '../../../host-services/lifecycle/run-files.ts';
import {
  killIfRunning,
  killMonitorsOf,
  pidAlive,
  pidInRunFile,
  runCleanups,
  runProcess,
  spawnCollecting,
  waitFor as pollUntil,
  type CollectingChild,
  type Run,
} from '../../support/processes.ts';

export const BIN = new URL('../../../bin/clawsec-traffic-guardian.mjs', import.meta.url).pathname;

/** A fake Anthropic key, built at runtime (no literal secret in the repo). */
export function fakeKey(seed: string): string {
  return fake('sk-', 'ant-', 'api03-', fakeToken(seed, 93, B64URL), 'AA');
}

export type { Run };

interface TestLike {
  after(fn: () => unknown): void;
}

export const STARTUP_TIMEOUT_MS = 90_000;

export class Sandbox {
  readonly root: string;
  readonly home: string;
  readonly layout: HomeLayout;
  /** children this test started; those still running are killed at the end whatever happens */
  private readonly children = new Set<ChildProcess>();
  /** monitor PIDs seen in run files; killed at the end if they still run with this home */
  private readonly monitorPids = new Set<number>();
  private readonly closers: Array<() => unknown> = [];

  constructor(t: TestLike, prefix = 'ctg-life-') {
    this.root = mkdtempSync(join(tmpdir(), prefix));
    this.home = join(this.root, 'guardian');
    mkdirSync(this.home);
    this.layout = homeLayout(this.home);
    t.after(() => this.cleanup());
  }

  /** Kill by PID: every tracked process and whatever monitor the run files name. */
  async cleanup(): Promise<void> {
    await runCleanups(this.closers);
    for (const child of this.children) killIfRunning(child);
    for (const f of [this.layout.stateFile, this.layout.pidFile]) this.trackMonitor(pidInRunFile(f));
    // only a process that is still a monitor of this sandbox: never a reused PID
    killMonitorsOf(this.home, this.monitorPids);
    rmSync(this.root, { recursive: true, force: true });
  }

  trackMonitor(pid: number | undefined | null): void {
    if (typeof pid === 'number' && pid > 0) this.monitorPids.add(pid);
  }

  onCleanup(fn: () => unknown): void {
    this.closers.push(fn);
  }

  env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return { PATH: process.env.PATH, HOME: this.root, NO_COLOR: '1', ...extra };
  }

  /** Runs the bin to completion (a background `start` returns once the monitor listens). */
  async run(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
    const r = await runProcess(process.execPath, [BIN, ...args], {
      env: this.env(opts.env),
      cwd: this.root,
      timeoutMs: opts.timeoutMs ?? STARTUP_TIMEOUT_MS,
      onSpawn: (child) => this.children.add(child),
    });
    // a background start's monitor: tracked so cleanup kills it even if the test fails early
    this.trackMonitor(pidInRunFile(this.layout.stateFile));
    return r;
  }

  /** The CLI in this process (no spawn: fast), with this sandbox's environment; `--home` added. */
  async inProcess(args: string[], env?: NodeJS.ProcessEnv): Promise<Run> {
    const { main } = await import('../../../host-services/cli/main.ts');
    let stdout = '';
    let stderr = '';
    const code = await main([...args, '--home', this.home], {
      stdout: { write: (s: string) => (stdout += s) },
      stderr: { write: (s: string) => (stderr += s) },
      env: this.env(env),
      cwd: this.root,
    });
    return { code, signal: null, stdout, stderr };
  }

  /** `--home` plus `args` */
  cli(args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<Run> {
    return this.run([...args, '--home', this.home], opts);
  }

  /** Spawns a long-running process (a foreground monitor) with piped output. */
  spawnBin(args: string[], env?: NodeJS.ProcessEnv): CollectingChild {
    const child = spawnCollecting(process.execPath, [BIN, ...args], { env: this.env(env), cwd: this.root });
    this.children.add(child);
    return child;
  }

  /** Starts any helper process (e.g. `sleep`), tracked for cleanup. */
  spawnHelper(cmd: string, args: string[]): ChildProcess {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'ignore'] });
    this.children.add(child);
    return child;
  }

  state(): Record<string, any> | null {
    try {
      return JSON.parse(readFileSync(this.layout.stateFile, 'utf8')) as Record<string, any>;
    } catch {
      return null;
    }
  }

  runFilesExist(): { state: boolean; pid: boolean } {
    return { state: existsSync(this.layout.stateFile), pid: existsSync(this.layout.pidFile) };
  }

  /** A loopback upstream that answers every request with 200 `ok`, closed at cleanup. */
  async upstream(): Promise<{ port: number; hits: number }> {
    const info = { port: 0, hits: 0 };
    const server = http.createServer((req, res) => {
      info.hits += 1;
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    info.port = (server.address() as { port: number }).port;
    this.onCleanup(
      () =>
        new Promise<void>((resolve) => {
          server.closeAllConnections();
          server.close(() => resolve());
        }),
    );
    return info;
  }
}

/**
 * A complete monitor state for this sandbox's home (detect mode on 127.0.0.1:18787, no HTTPS
 * inspection, started and updated now, no faults or stats); `over` names the process (`pid`,
 * `process`) and may change any other field.
 */
export function sampleState(sb: Sandbox, over: Pick<MonitorState, 'pid' | 'process'> & Partial<MonitorState>): MonitorState {
  const { pid, process: identity, ...rest } = over;
  const now = new Date().toISOString();
  return {
    schema_version: STATE_SCHEMA_VERSION,
    pid,
    process: identity,
    started_at: now,
    updated_at: now,
    home: sb.home,
    platform: 'openclaw',
    mode: 'detect',
    listen: { host: '127.0.0.1', port: 18787 },
    proxy_url: 'http://127.0.0.1:18787',
    https_inspection: false,
    ca_cert_path: null,
    ca_fingerprint_sha256: null,
    max_scan_bytes: 1048576,
    findings_log: sb.layout.findingsLog,
    allow_clients: ['127.0.0.1/32', '::1/128'],
    upstream_proxy: false,
    faults: {},
    stats: {},
    ...rest,
  };
}

/** One HTTP request through the proxy (absolute-form URL, as proxy clients send it). */
export function proxiedPost(proxyPort: number, upstreamPort: number, path: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: proxyPort,
        method: 'POST',
        path: `http://127.0.0.1:${upstreamPort}${path}`,
        headers: { host: `127.0.0.1:${upstreamPort}`, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        agent: false,
        timeout: 30_000,
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (d: string) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('timeout', () => req.destroy(new Error('proxied request timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Polls `fn` until it returns something truthy; throws after `timeoutMs` (default: a monitor's startup time). */
export function waitFor<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = STARTUP_TIMEOUT_MS): Promise<T> {
  return pollUntil(what, fn, timeoutMs);
}

export function findingLines(layout: HomeLayout): Array<Record<string, any>> {
  try {
    return readFileSync(layout.findingsLog, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, any>);
  } catch {
    return [];
  }
}

export { pidAlive };

/** The contract's status fields, in the contract's order. */
export const CONTRACT_STATUS_FIELDS = [
  'schema_version',
  'running',
  'pid',
  'platform',
  'mode',
  'proxy_url',
  'listen',
  'https_inspection',
  'ca_cert_path',
  'ca_fingerprint_sha256',
  'max_scan_bytes',
  'home',
  'findings_log',
  'findings_total',
  'findings_by_type',
  'last_findings',
  'started_at',
] as const;
