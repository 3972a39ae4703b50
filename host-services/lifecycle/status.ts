// The status object (`status --json`, `start --json`, the MCP status tool, NanoClaw IPC):
// contract fields first, in the contract's order, then extras.
//
// Whether a monitor runs is decided from run/state.json and the identity of the process it
// names (process-identity.ts). A state left by a monitor that is gone (dead PID, zombie, PID
// now used by another process, or an unreadable file) is removed and reported once as
// `stale_cleaned: true` with `stale: {pid, reason}`.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { ResolvedConfig } from '../config/schema.ts';
import { THREAT_TYPES, type Finding, type Platform, type ThreatType } from '../../lib/finding.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';
import { summarizeFindings } from '../../lib/log/jsonl-reader.ts';
import { checkIdentity } from './process-identity.ts';
import { readState, removeRunFiles, type MonitorState } from './run-files.ts';

export const STATUS_SCHEMA_VERSION = 'clawsec-traffic-status/v1' as const;
export const DEFAULT_LAST_FINDINGS = 5;

export type StaleReason = 'dead' | 'zombie' | 'reused' | 'corrupt';

export interface StaleInfo {
  /** the PID the stale files named, when they named one */
  pid: number | null;
  reason: StaleReason;
}

export interface TrafficStatus {
  schema_version: typeof STATUS_SCHEMA_VERSION;
  running: boolean;
  pid: number | null;
  platform: Platform;
  mode: 'detect';
  proxy_url: string | null;
  listen: { host: string; port: number } | null;
  https_inspection: boolean;
  ca_cert_path: string | null;
  ca_fingerprint_sha256: string | null;
  max_scan_bytes: number;
  home: string;
  findings_log: string;
  findings_total: number;
  findings_by_type: Record<ThreatType, number>;
  last_findings: Finding[];
  started_at: string | null;
  // ---- extras (after the contract fields) ----
  /** this call removed state left by a monitor that no longer runs */
  stale_cleaned: boolean;
  /** what was cleaned, when stale_cleaned */
  stale: StaleInfo | null;
  /** occurrences: the sum of `count` over all finding lines */
  findings_occurrences: number;
  /** log lines that were torn or invalid */
  findings_skipped_lines: number;
  /** fault counters of the running monitor (proxy, detector, log), refreshed every ~2 s */
  faults: Record<string, unknown> | null;
  /** traffic counters of the running monitor */
  stats: Record<string, unknown> | null;
  /** when the running monitor last refreshed faults and stats */
  state_updated_at: string | null;
}

export type TrafficStatusWithoutHostPaths = Omit<TrafficStatus, 'home' | 'findings_log' | 'ca_cert_path'>;

export type MonitorInspection =
  | { running: true; state: MonitorState; stale: null }
  | { running: false; state: null; stale: StaleInfo | null };

/**
 * Is a monitor running for this home? With `clean` (the default) a stale state is removed
 * and described in the result.
 */
export function inspectMonitor(layout: HomeLayout, opts: { clean?: boolean } = {}): MonitorInspection {
  const clean = opts.clean ?? true;
  const read = readState(layout);
  if (read.kind === 'none') return { running: false, state: null, stale: null };
  if (read.kind === 'ok') {
    const live = checkIdentity(read.state.process);
    if (live.alive) return { running: true, state: read.state, stale: null };
    if (clean) removeRunFiles(layout, read.state.pid);
    return { running: false, state: null, stale: { pid: read.state.pid, reason: live.reason } };
  }
  // corrupt: a crash mid-write cannot happen (atomic rename), so this was edited or is foreign;
  // a live process with that PID is never signalled, only the files go
  if (clean) removeRunFiles(layout, null);
  return { running: false, state: null, stale: { pid: read.pid, reason: 'corrupt' } };
}

function fingerprintOf(path: string): string | null {
  try {
    return new X509Certificate(readFileSync(path)).fingerprint256;
  } catch {
    return null;
  }
}

/**
 * The status object. Reads the state and the findings log; cleans stale run files (unless
 * `cleanStale: false`). Never starts or signals anything.
 */
export async function buildStatus(
  layout: HomeLayout,
  config: ResolvedConfig,
  opts: { lastFindings?: number; cleanStale?: boolean } = {},
): Promise<TrafficStatus> {
  const inspection = inspectMonitor(layout, { clean: opts.cleanStale ?? true });
  const state = inspection.state;
  const findingsLog = state?.findings_log ?? layout.findingsLog;
  const summary = await summarizeFindings(findingsLog, { last: opts.lastFindings ?? DEFAULT_LAST_FINDINGS });
  const byType = Object.fromEntries(THREAT_TYPES.map((t) => [t, summary.byType[t] ?? 0])) as Record<ThreatType, number>;

  let caPath: string | null;
  let caFp: string | null;
  if (state) {
    caPath = state.ca_cert_path;
    caFp = state.ca_fingerprint_sha256;
  } else if (config.https_inspection) {
    // not running: show the CA the next start will use, if it exists already
    caFp = fingerprintOf(layout.caCert);
    caPath = caFp ? layout.caCert : null;
  } else {
    caPath = null;
    caFp = null;
  }

  return {
    schema_version: STATUS_SCHEMA_VERSION,
    running: inspection.running,
    pid: state?.pid ?? null,
    platform: state?.platform ?? config.platform,
    mode: 'detect',
    proxy_url: state?.proxy_url ?? null,
    listen: state ? { host: state.listen.host, port: state.listen.port } : null,
    https_inspection: state?.https_inspection ?? config.https_inspection,
    ca_cert_path: caPath,
    ca_fingerprint_sha256: caFp,
    max_scan_bytes: state?.max_scan_bytes ?? config.max_scan_bytes,
    home: state?.home ?? layout.home,
    findings_log: findingsLog,
    findings_total: summary.total,
    findings_by_type: byType,
    last_findings: summary.last,
    started_at: state?.started_at ?? null,
    stale_cleaned: inspection.stale !== null && (opts.cleanStale ?? true),
    stale: inspection.stale,
    findings_occurrences: summary.occurrences,
    findings_skipped_lines: summary.skippedLines,
    faults: state ? { ...state.faults } : null,
    stats: state ? { ...state.stats } : null,
    state_updated_at: state?.updated_at ?? null,
  };
}

/** The status for callers that must not see host paths (MCP tools, container IPC). */
export function statusWithoutHostPaths(status: TrafficStatus): TrafficStatusWithoutHostPaths {
  const { home: _home, findings_log: _log, ca_cert_path: _ca, ...rest } = status;
  return rest;
}
