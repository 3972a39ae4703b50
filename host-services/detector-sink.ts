// Where the monitor's scan requests go: Scanner -> Deduper -> FindingsLog.
//
//   inspect(req)  scan one message (full pattern registry, bounded by max_scan_bytes, secrets
//                 fingerprinted with an HMAC under the per-install key), offer each finding to
//                 the deduper, append what it lets through to the findings log
//   timer         every second, windows that ended are flushed as summary lines (unref'd: it
//                 never keeps the process alive)
//   flush()       every open dedup window is written now (shutdown, tests)
//   close()       stop the timer, flush, close the log; inspect() is a no-op afterwards
//   reloadKnownSecrets()  re-reads config.secret_env_files (the monitor calls it on SIGHUP)
//
// Known secrets: the values in config.secret_env_files (the agent's own keys) are loaded into
// the scanner's memory and nowhere else; only their count is ever reported.
//
// Nothing here throws into the proxy: a detector exception or a failed log write is counted
// and the last one remembered (kind, error code and time only: never a message that could
// quote traffic or a path), and `status` shows the counters.
import type { ResolvedConfig } from './config/schema.ts';
import { Deduper } from '../lib/dedup.ts';
import type { Finding, Platform } from '../lib/finding.ts';
import { fingerprintSecret, loadOrCreateInstallKey } from '../lib/fingerprint.ts';
import type { HomeLayout } from '../lib/home-layout.ts';
import { loadKnownSecrets } from '../lib/known-secrets/load.ts';
import { FindingsLog } from '../lib/log/jsonl-writer.ts';
import { PATTERNS } from '../lib/patterns/registry.ts';
import { Scanner } from '../lib/scan/scanner.ts';
import type { ScanRequest } from '../lib/scan/types.ts';

export const DEDUP_FLUSH_INTERVAL_MS = 1_000;

export interface DetectorFault {
  kind: 'detector_error' | 'log_write' | 'log_rotate' | 'log_invalid' | 'secret_reload';
  /** an error code or class name (ENOSPC, TypeError), never a message */
  code?: string;
  at: string;
}

export interface DetectorCounters {
  /** scan requests received */
  scanned: number;
  /** findings the scanner produced (before dedup) */
  findings_detected: number;
  /** repeats absorbed by dedup (they are counted in a later summary line) */
  findings_deduplicated: number;
  /** lines appended to the findings log */
  findings_logged: number;
  /** scan requests that threw inside the detector */
  detector_errors: number;
  /** lines the log could not write (full disk, permissions, ...) */
  log_write_failures: number;
  log_rotation_failures: number;
  /** findings the log rejected as invalid (a detector bug) */
  log_invalid_findings: number;
  log_rotations: number;
  /** values loaded from secret env files (a count: the values never leave memory) */
  known_secrets: number;
  /** reloads of the secret env files that failed (the previous values stay in use) */
  known_secret_reload_failures: number;
  last_error: DetectorFault | null;
}

export interface DetectorSink {
  inspect(req: ScanRequest): void;
  flush(): void;
  close(): void;
  counters(): DetectorCounters;
  /**
   * Re-reads the secret env files. On failure the previous values stay in use, the failure is
   * counted and returned (the error names the file, never a value).
   */
  reloadKnownSecrets(): { ok: true; known: number } | { ok: false; error: unknown };
}

export interface DetectorSinkOptions {
  layout: HomeLayout;
  config: Pick<ResolvedConfig, 'max_scan_bytes' | 'dedup_window_ms' | 'log'> & Partial<Pick<ResolvedConfig, 'secret_env_files'>>;
  /** fills a request that carries no platform */
  platform: Platform;
  /** clock for tests */
  now?: () => Date;
}

const SAFE_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && SAFE_CODE.test(code)) return code;
  const name = err instanceof Error ? err.name : undefined;
  return name && SAFE_CODE.test(name) ? name : undefined;
}

export function createDetectorSink(opts: DetectorSinkOptions): DetectorSink {
  const { layout, config, platform } = opts;
  const key = loadOrCreateInstallKey(layout.home);
  const secretFiles = config.secret_env_files ?? [];
  // a bad secret env file at startup is a startup error (CONFIG_INVALID naming the field)
  const known = secretFiles.length ? loadKnownSecrets(secretFiles).secrets : [];
  const scanner = new Scanner({
    patterns: [...PATTERNS],
    limits: { maxScanBytes: config.max_scan_bytes },
    fingerprint: (family, secret) => fingerprintSecret(key, family, secret),
    knownSecrets: known,
  });
  let reloadFailures = 0;
  const deduper = new Deduper({ windowMs: config.dedup_window_ms, ...(opts.now ? { now: opts.now } : {}) });
  const log = new FindingsLog(layout.findingsLog, { maxBytes: config.log.max_bytes, maxFiles: config.log.max_files });

  const c: Pick<DetectorCounters, 'scanned' | 'findings_detected' | 'findings_deduplicated' | 'detector_errors' | 'last_error'> = {
    scanned: 0,
    findings_detected: 0,
    findings_deduplicated: 0,
    detector_errors: 0,
    last_error: null,
  };
  let closed = false;
  let lastLogFaultAt: string | null = null;

  const fault = (f: Omit<DetectorFault, 'at'>): void => {
    c.last_error = { ...f, at: new Date().toISOString() };
  };

  const write = (lines: Finding[]): void => {
    for (const line of lines) {
      const r = log.append(line);
      if (!r.ok) {
        const kind = r.fault.kind === 'invalid' ? 'log_invalid' : r.fault.kind === 'rotate' ? 'log_rotate' : 'log_write';
        c.last_error = { kind, ...(r.fault.errno ? { code: r.fault.errno } : {}), at: r.fault.at };
      }
    }
    // a rotation failure is reported by the log without failing the append
    const lf = log.lastError;
    if (lf && lf.kind === 'rotate' && lf.at !== lastLogFaultAt) {
      lastLogFaultAt = lf.at;
      c.last_error = { kind: 'log_rotate', ...(lf.errno ? { code: lf.errno } : {}), at: lf.at };
    }
  };

  const timer = setInterval(() => {
    try {
      write(deduper.flushExpired());
    } catch (err) {
      c.detector_errors += 1;
      const code = codeOf(err);
      fault({ kind: 'detector_error', ...(code ? { code } : {}) });
    }
  }, DEDUP_FLUSH_INTERVAL_MS);
  timer.unref();

  const flush = (): void => {
    try {
      write(deduper.flushAll());
    } catch (err) {
      c.detector_errors += 1;
      const code = codeOf(err);
      fault({ kind: 'detector_error', ...(code ? { code } : {}) });
    }
  };

  return {
    inspect(req) {
      if (closed) return;
      c.scanned += 1;
      try {
        const findings = scanner.scan(req.platform ? req : { ...req, platform });
        c.findings_detected += findings.length;
        for (const f of findings) {
          const out = deduper.offer(f);
          // a first occurrence comes back as itself (count 1); summaries carry first_seen
          if (!out.some((o) => o.first_seen === undefined)) c.findings_deduplicated += 1;
          write(out);
        }
      } catch (err) {
        c.detector_errors += 1;
        const code = codeOf(err);
        fault({ kind: 'detector_error', ...(code ? { code } : {}) });
      }
    },
    flush,
    reloadKnownSecrets() {
      try {
        const fresh = secretFiles.length ? loadKnownSecrets(secretFiles).secrets : [];
        scanner.setKnownSecrets(fresh);
        return { ok: true, known: scanner.knownSecretCount };
      } catch (err) {
        reloadFailures += 1;
        const code = codeOf(err);
        fault({ kind: 'secret_reload', ...(code ? { code } : {}) });
        return { ok: false, error: err };
      }
    },
    close() {
      if (closed) return;
      clearInterval(timer);
      flush();
      closed = true;
      log.close();
    },
    counters() {
      const s = log.stats();
      return {
        scanned: c.scanned,
        findings_detected: c.findings_detected,
        findings_deduplicated: c.findings_deduplicated,
        findings_logged: s.written,
        detector_errors: c.detector_errors,
        log_write_failures: s.failedWrites,
        log_rotation_failures: s.rotationFailures,
        log_invalid_findings: s.invalidFindings,
        log_rotations: s.rotations,
        known_secrets: scanner.knownSecretCount,
        known_secret_reload_failures: reloadFailures,
        last_error: c.last_error ? { ...c.last_error } : null,
      };
    },
  };
}
