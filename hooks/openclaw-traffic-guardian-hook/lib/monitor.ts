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

/** The URL clients use, as `status` shows it: plain http://host:port, no credentials, no path. */
function listenerUrl(state: Record<string, unknown>): string | null {
  if (typeof state.proxy_url === 'string' && state.proxy_url.length < 300) {
    try {
      const u = new URL(state.proxy_url);
      if (u.protocol === 'http:' && HOST.test(u.hostname)) return `http://${u.hostname}:${u.port || '80'}`;
    } catch {
      // not a URL: fall back to the listener address
    }
  }
  const listen = state.listen;
  if (listen !== null && typeof listen === 'object' && !Array.isArray(listen)) {
    const l = listen as Record<string, unknown>;
    const port = num(l.port);
    if (typeof l.host === 'string' && HOST.test(l.host) && port !== null && port > 0 && port < 65536) {
      // a wildcard listener is reached on loopback
      const host = l.host === '0.0.0.0' ? '127.0.0.1' : l.host === '::' ? '[::1]' : l.host.includes(':') && !l.host.startsWith('[') ? `[${l.host}]` : l.host;
      return `http://${host}:${port}`;
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
    const startTime = rest[19]; // field 22; rest[0] is field 3
    return state !== undefined && startTime !== undefined ? { state, startTime } : null;
  } catch {
    return null;
  }
}

function procCmdline(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((a) => a !== '');
  } catch {
    return null;
  }
}

/** What the monitor recorded about itself (`process` in state.json): start time and an argv marker. */
export interface RecordedIdentity {
  startTime: string | null;
  cmdlineMarker: string | null;
}

/**
 * kill(pid, 0) succeeds (or says EPERM: someone else's process). Where /proc can tell, a
 * zombie, or a process whose start time or command line differs from what the monitor
 * recorded (the PID was reused), does not count as running. Same rules as `status`.
 */
export function processAlive(pid: number, id: RecordedIdentity = { startTime: null, cmdlineMarker: null }): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (err) {
    if ((err as { code?: string }).code !== 'EPERM') return false;
  }
  const st = procStat(pid);
  if (st === null) return true;
  if (st.state === 'Z' || st.state === 'X' || st.state === 'x') return false;
  if (id.startTime !== null && st.startTime !== id.startTime) return false;
  if (id.cmdlineMarker !== null) {
    const argv = procCmdline(pid);
    if (argv !== null && !argv.some((a) => a.includes(id.cmdlineMarker as string))) return false;
  }
  return true;
}

function recordedIdentity(state: Record<string, unknown>): RecordedIdentity {
  for (const field of ['process', 'identity']) {
    const v = state[field];
    if (v === null || typeof v !== 'object' || Array.isArray(v)) continue;
    const o = v as Record<string, unknown>;
    return {
      startTime: typeof o.start_time === 'string' && /^\d+$/.test(o.start_time) ? o.start_time : null,
      cmdlineMarker: typeof o.cmdline_marker === 'string' && o.cmdline_marker.length > 0 && o.cmdline_marker.length < 200 ? o.cmdline_marker : null,
    };
  }
  return { startTime: null, cmdlineMarker: null };
}

export function readMonitor(stateFile: string): MonitorView {
  const read = readJsonObject(stateFile);
  if (read.kind !== 'ok') {
    return { stateFound: false, running: false, stale: false, proxyUrl: null, httpsInspection: null, caFingerprint: null, findingsLog: null };
  }
  const s = read.value;
  const pid = num(s.pid);
  const running = pid !== null && processAlive(pid, recordedIdentity(s));
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
