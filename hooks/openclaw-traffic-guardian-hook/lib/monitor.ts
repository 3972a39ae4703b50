// The monitor's state file (<home>/run/state.json) read defensively: every field optional,
// unknown fields ignored, a wrong type treated as absent.
import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { readJsonObject } from './fsread.ts';

export interface MonitorView {
  /** state.json found and readable */
  stateFound: boolean;
  running: boolean;
  /** a state file names a process that is gone (the monitor died without cleaning up) */
  stale: boolean;
  /** plain http://host:port, no credentials, no path */
  proxyUrl: string | null;
  httpsInspection: boolean | null;
  caFingerprint: string | null;
  /** where the running monitor writes findings, when its state says so */
  findingsLog: string | null;
}

const HOST = /^(?:[A-Za-z0-9.-]{1,253}|\[?[0-9A-Fa-f:.]{2,45}\]?)$/;

function num(v: unknown): number | null {
  return typeof v === 'number' && Number.isInteger(v) ? v : null;
}

function listenerUrl(state: Record<string, unknown>): string | null {
  const listen = state.listen;
  if (listen !== null && typeof listen === 'object' && !Array.isArray(listen)) {
    const l = listen as Record<string, unknown>;
    const port = num(l.port);
    if (typeof l.host === 'string' && HOST.test(l.host) && port !== null && port > 0 && port < 65536) {
      const host = l.host.includes(':') && !l.host.startsWith('[') ? `[${l.host}]` : l.host;
      return `http://${host}:${port}`;
    }
  }
  if (typeof state.proxy_url === 'string' && state.proxy_url.length < 300) {
    try {
      const u = new URL(state.proxy_url);
      if (u.protocol === 'http:' && HOST.test(u.hostname)) return `http://${u.hostname}:${u.port || '80'}`;
    } catch {
      // not a URL
    }
  }
  return null;
}

function fingerprint(v: unknown): string | null {
  return typeof v === 'string' && /^[0-9A-Fa-f]{2}(?::[0-9A-Fa-f]{2}){7,63}$/.test(v) ? v.toUpperCase() : null;
}

/** /proc/<pid>/stat: process state and start time, or null without /proc. */
function procStat(pid: number): { state: string; startTime: string } | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const rest = text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/);
    const state = rest[0];
    const startTime = rest[19];
    return state !== undefined && startTime !== undefined ? { state, startTime } : null;
  } catch {
    return null;
  }
}

/**
 * kill(pid, 0) succeeds (or says EPERM: someone else's process). Where the state recorded the
 * process start time and /proc can tell, a zombie or a different process that reused the PID
 * does not count as running.
 */
export function processAlive(pid: number, startTime: string | null): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EPERM') return false;
  }
  const st = procStat(pid);
  if (st === null) return true;
  if (st.state === 'Z' || st.state === 'X' || st.state === 'x') return false;
  return startTime === null || st.startTime === startTime;
}

function startTimeOf(state: Record<string, unknown>): string | null {
  const direct = state.start_time;
  if (typeof direct === 'string' && /^\d+$/.test(direct)) return direct;
  const identity = state.identity;
  if (identity !== null && typeof identity === 'object') {
    const t = (identity as Record<string, unknown>).start_time;
    if (typeof t === 'string' && /^\d+$/.test(t)) return t;
  }
  return null;
}

export function readMonitor(stateFile: string): MonitorView {
  const read = readJsonObject(stateFile);
  if (read.kind !== 'ok') {
    return { stateFound: false, running: false, stale: false, proxyUrl: null, httpsInspection: null, caFingerprint: null, findingsLog: null };
  }
  const s = read.value;
  const pid = num(s.pid);
  const running = pid !== null && processAlive(pid, startTimeOf(s));
  const log = typeof s.findings_log === 'string' && isAbsolute(s.findings_log) && s.findings_log.endsWith('.jsonl') ? s.findings_log : null;
  return {
    stateFound: true,
    running,
    stale: pid !== null && !running,
    proxyUrl: listenerUrl(s),
    httpsInspection: typeof s.https_inspection === 'boolean' ? s.https_inspection : null,
    caFingerprint: fingerprint(s.ca_fingerprint_sha256),
    findingsLog: log,
  };
}
