// The monitor process itself (`start --foreground`, `npm start`, and the child of a background
// `start`): claims the home, starts the proxy with the detector wired in, records its state,
// keeps the state's counters fresh, serves NanoClaw IPC tasks when a NanoClaw root is configured,
// reloads the secret env files on SIGHUP, and on SIGINT/SIGTERM shuts down cleanly:
//   stop the IPC watcher and the listener -> flush every open dedup window -> close the log ->
//   remove pid/state.
//
// Proxy variables: unless an upstream proxy is configured, HTTP_PROXY/HTTPS_PROXY/ALL_PROXY/
// NO_PROXY (both cases) are removed from this process's environment before anything starts.
// The operator's shell may have them pointing at the guardian itself, and anything in the
// monitor that honoured them would loop its own upstream traffic back into the listener. The
// monitor never sets proxy variables for anything but itself.
import type { ResolvedConfig } from '../config/schema.ts';
import { createDetectorSink, type DetectorCounters, type DetectorSink } from '../detector-sink.ts';
import type { MonitorHandle } from '../proxy/monitor.ts';
import { describeError, GuardianError, type FieldProblem } from '../../lib/errors.ts';
import { defaultHome, type HomeLayout } from '../../lib/home-layout.ts';
import type { IpcWatcher } from '../ipc/watcher.ts';
import { currentIdentity } from './process-identity.ts';
import { readState, removeRunFiles, START_LOCK_TOKEN_ENV, STATE_SCHEMA_VERSION, writePidFile, writeState, type MonitorState } from './run-files.ts';
import { delay, tryAcquireStartLock, type StartLock } from './start-lock.ts';
import { inspectMonitor } from './status.ts';

export const STATE_REFRESH_MS = 2_000;

export const PROXY_ENV_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'no_proxy'] as const;

/** A copy of `env` without proxy variables (unless an upstream proxy is configured). */
export function monitorEnv(env: NodeJS.ProcessEnv, upstreamProxy: string | null): NodeJS.ProcessEnv {
  const out = { ...env };
  if (upstreamProxy === null) for (const k of PROXY_ENV_VARS) delete out[k];
  return out;
}

/** `http://127.0.0.1:PORT` for clients: a wildcard listener is reached through loopback. */
export function clientProxyUrl(host: string, port: number): string {
  if (host === '0.0.0.0' || host === '') return `http://127.0.0.1:${port}`;
  if (host === '::' || host === '::0') return `http://[::1]:${port}`;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function alreadyRunning(state: MonitorState): GuardianError {
  const home = state.home === defaultHome(state.platform) ? '' : ` --home ${state.home}`;
  return new GuardianError('ALREADY_RUNNING', `a monitor is already running for this home (pid ${state.pid}, ${state.proxy_url})`, {
    fix: `use it as it is (\`clawsec-traffic-guardian status${home}\`), or stop it first with \`clawsec-traffic-guardian stop${home}\``,
  });
}

/**
 * Claims the start lock for this home, waiting (up to `timeoutMs`) while another start is in
 * progress. Throws ALREADY_RUNNING when a monitor runs or another start finished first.
 */
export async function claimStart(layout: HomeLayout, opts: { inheritedToken?: string; timeoutMs: number }): Promise<StartLock> {
  const deadline = Date.now() + opts.timeoutMs;
  let holderPid: number | null = null;
  for (;;) {
    const before = inspectMonitor(layout);
    if (before.running) throw alreadyRunning(before.state);
    const attempt = tryAcquireStartLock(layout, opts.inheritedToken);
    if (attempt.ok) {
      // a start that held the lock may have finished between our check and our lock
      const after = inspectMonitor(layout);
      if (after.running) {
        attempt.lock.release();
        throw alreadyRunning(after.state);
      }
      return attempt.lock;
    }
    holderPid = attempt.holder?.pid ?? holderPid;
    if (Date.now() >= deadline) {
      throw new GuardianError('ALREADY_RUNNING', `another start of a monitor for this home is in progress${holderPid ? ` (pid ${holderPid})` : ''}`, {
        fix: 'wait for it to finish and run `clawsec-traffic-guardian status`',
      });
    }
    await delay(100);
  }
}

export interface ForegroundOptions {
  layout: HomeLayout;
  config: ResolvedConfig;
  /** called once the listener is up and the state file written */
  onReady(state: MonitorState): void | Promise<void>;
  /** called once the monitor has shut down (what was flushed and logged) */
  onStopped?(summary: { signal: string; counters: DetectorCounters }): void;
  /** resolves to stop the monitor (tests); SIGINT and SIGTERM always stop it */
  until?: Promise<unknown>;
  /** how long to wait for a concurrent start (default 30 s) */
  lockTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** re-resolves the config (flags included) for the NanoClaw check-config task */
  checkConfig?: () => { errors: FieldProblem[]; warnings: FieldProblem[] };
  /** one line per NanoClaw IPC problem (never task content); default: stderr */
  log?: (line: string) => void;
}

/** The signals that stop the monitor cleanly. SIGHUP reloads the secret env files instead. */
export const STOP_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

function faultsAndStats(handle: MonitorHandle, sink: DetectorSink, ipc: IpcWatcher | null): Pick<MonitorState, 'faults' | 'stats'> {
  const pf = handle.faults();
  const dc = sink.counters();
  const { last_error: proxyLast, ...proxyCounts } = pf;
  const candidates = [proxyLast ? { ...proxyLast } : null, dc.last_error ? { ...dc.last_error } : null].filter((x) => x !== null);
  candidates.sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
  return {
    faults: {
      ...proxyCounts,
      // the proxy counts exceptions out of inspect() (none: the sink catches its own)
      detector_errors: (proxyCounts.detector_errors ?? 0) + dc.detector_errors,
      known_secret_reload_failures: dc.known_secret_reload_failures,
      log_write_failures: dc.log_write_failures,
      log_rotation_failures: dc.log_rotation_failures,
      log_invalid_findings: dc.log_invalid_findings,
      last_error: candidates[0] ?? null,
    },
    stats: {
      ...handle.stats(),
      scanned_messages: dc.scanned,
      findings_detected: dc.findings_detected,
      findings_deduplicated: dc.findings_deduplicated,
      findings_logged: dc.findings_logged,
      log_rotations: dc.log_rotations,
      known_secrets: dc.known_secrets,
      ...(ipc ? ipcStats(ipc) : {}),
    },
  };
}

/** The NanoClaw IPC watcher's counters (never its last problem's text). */
function ipcStats(ipc: IpcWatcher): Record<string, number> {
  const s = ipc.stats();
  return { ipc_tasks_answered: s.answered, ipc_error_results: s.errorResults, ipc_tasks_rejected: s.movedToErrors };
}

/** Runs the monitor until SIGINT/SIGTERM (or `until`); resolves with exit code 0 after a clean shutdown. */
export async function runForeground(opts: ForegroundOptions): Promise<number> {
  const { layout, config } = opts;
  const env = opts.env ?? process.env;
  if (config.upstream_proxy === null) for (const k of PROXY_ENV_VARS) delete process.env[k];

  // A closed terminal or a reader that went away must not crash a running monitor: output
  // errors (EPIPE, EIO) on its own stdout/stderr are ignored.
  const ignoreOutputError = (): void => undefined;
  process.stdout.on('error', ignoreOutputError);
  process.stderr.on('error', ignoreOutputError);

  // Stop signals are caught from the very start: one arriving during startup lets startup
  // finish and then shuts down cleanly (no half-written run files).
  let signalName = 'stop';
  let onSignal: ((sig: NodeJS.Signals) => void) | undefined;
  const stopRequested = new Promise<void>((resolve) => {
    let count = 0;
    onSignal = (sig) => {
      count += 1;
      signalName = sig;
      if (count === 1) resolve();
      else {
        // a second signal while shutting down: leave at once, without stale files
        removeRunFiles(layout, process.pid);
        process.exit(130);
      }
    };
    for (const sig of STOP_SIGNALS) process.on(sig, onSignal);
  });
  const removeSignalHandlers = (): void => {
    if (onSignal) for (const sig of STOP_SIGNALS) process.off(sig, onSignal);
    process.stdout.off('error', ignoreOutputError);
    process.stderr.off('error', ignoreOutputError);
  };

  const inherited = env[START_LOCK_TOKEN_ENV];
  let lock: StartLock;
  try {
    lock = await claimStart(layout, { timeoutMs: opts.lockTimeoutMs ?? 30_000, ...(inherited ? { inheritedToken: inherited } : {}) });
  } catch (err) {
    removeSignalHandlers();
    throw err;
  }
  // the token is ours now; nothing we start should see it
  delete process.env[START_LOCK_TOKEN_ENV];

  let sink: DetectorSink | undefined;
  let handle: MonitorHandle | undefined;
  let ipc: IpcWatcher | null = null;
  let state: MonitorState;
  try {
    sink = createDetectorSink({ layout, config, platform: config.platform });
    const detector = sink;
    // the proxy (mockttp) is loaded only by the process that runs it: `background.ts` imports
    // this module for claimStart/monitorEnv and must not pull mockttp into `start`'s parent
    const { startMonitor } = await import('../proxy/monitor.ts');
    handle = await startMonitor({
      host: config.host,
      port: config.port,
      httpsInspection: config.https_inspection,
      allowClients: config.allow_clients,
      maxScanBytes: config.max_scan_bytes,
      ...(config.upstream_proxy ? { upstreamProxy: config.upstream_proxy } : {}),
      upstreamCaFiles: config.upstream_ca,
      layout,
      platform: config.platform,
      inspect: (req) => detector.inspect(req),
      ...(config.nanoclaw_root ? { nanoclawRoot: config.nanoclaw_root } : {}),
    });
    if (config.nanoclaw_root) {
      // NanoClaw's containers ask through data/ipc/<group>/clawsec_tasks/ (zero-patch integration)
      const { startIpcWatcher } = await import('../ipc/watcher.ts');
      const ipcLog = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
      ipc = startIpcWatcher({ nanoclawRoot: config.nanoclaw_root, layout, config, log: ipcLog, ...(opts.checkConfig ? { checkConfig: opts.checkConfig } : {}) });
    }
    const now = new Date().toISOString();
    state = {
      schema_version: STATE_SCHEMA_VERSION,
      pid: process.pid,
      process: currentIdentity(),
      started_at: now,
      updated_at: now,
      home: layout.home,
      platform: config.platform,
      mode: 'detect',
      listen: { host: handle.host, port: handle.port },
      proxy_url: clientProxyUrl(handle.host, handle.port),
      https_inspection: handle.httpsInspection,
      ca_cert_path: handle.caCertPath ?? null,
      ca_fingerprint_sha256: handle.caFingerprint ?? null,
      max_scan_bytes: config.max_scan_bytes,
      findings_log: layout.findingsLog,
      allow_clients: [...handle.allowClients],
      upstream_proxy: config.upstream_proxy !== null,
      ...faultsAndStats(handle, sink, ipc),
    };
    writeState(layout, state);
    writePidFile(layout, process.pid);
  } catch (err) {
    await ipc?.stop().catch(() => undefined);
    await handle?.stop().catch(() => undefined);
    sink?.close();
    removeRunFiles(layout, process.pid);
    lock.release();
    removeSignalHandlers();
    throw err;
  }
  lock.release();

  const liveHandle = handle;
  const liveSink = sink;
  const liveIpc = ipc as IpcWatcher | null;
  const refresh = (): void => {
    // never overwrite a state that names another monitor; restore ours if it was removed
    const cur = readState(layout);
    if (cur.kind === 'ok' && cur.state.pid !== process.pid) return;
    try {
      state = { ...state, ...faultsAndStats(liveHandle, liveSink, liveIpc), updated_at: new Date().toISOString() };
      writeState(layout, state);
      if (cur.kind === 'none') writePidFile(layout, process.pid);
    } catch {
      // a full disk: status shows the last state; the proxy keeps running
    }
  };
  const timer = setInterval(refresh, STATE_REFRESH_MS);
  timer.unref();

  const log = opts.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const onReload = (): void => {
    const r = liveSink.reloadKnownSecrets();
    if (r.ok) log(`reloaded the secret env files: watching ${r.known} known secret value${r.known === 1 ? '' : 's'}`);
    else log(`could not reload the secret env files; the previous values stay in use (${describeError(r.error)})`);
    refresh();
  };
  process.on('SIGHUP', onReload);

  try {
    await opts.onReady(state);
    await (opts.until ? Promise.race([stopRequested, opts.until]) : stopRequested);
  } finally {
    clearInterval(timer);
    await liveIpc?.stop().catch(() => undefined);
    try {
      await liveHandle.stop();
    } catch {
      // stopping a half-broken listener: carry on flushing
    }
    liveSink.close(); // flushes every open dedup window and closes the log
    removeRunFiles(layout, process.pid);
    removeSignalHandlers();
    process.off('SIGHUP', onReload);
  }
  opts.onStopped?.({ signal: signalName, counters: liveSink.counters() });
  return 0;
}
