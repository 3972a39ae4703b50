// Is the process named in a state file still *our* monitor?
//
// A PID alone cannot say: the monitor may have died and the kernel handed its PID to another
// process (PID reuse), or it may be a zombie its parent has not reaped. So the state file
// records an identity taken when the monitor started, and every check compares it:
//   - Linux: the start time in clock ticks since boot (/proc/<pid>/stat, field 22) never
//     changes for a process and differs for any later process with the same PID; the process
//     state (field 3) `Z`/`X` means zombie/dead. As a second opinion /proc/<pid>/cmdline must
//     still contain the entry script the monitor was started with.
//   - elsewhere (macOS, ...): only kill(pid, 0), which cannot tell reuse apart; documented.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

export interface ProcessIdentity {
  pid: number;
  /** /proc/<pid>/stat starttime (clock ticks since boot) as a decimal string; null off Linux */
  start_time: string | null;
  /** a piece of the command line the process must still carry (its entry script) */
  cmdline_marker: string | null;
}

export type Liveness =
  | { alive: true }
  | { alive: false; reason: 'dead' | 'zombie' | 'reused' };

interface ProcStat {
  state: string;
  startTime: string;
}

/** Parses /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function readProcStat(pid: number): ProcStat | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  const close = text.lastIndexOf(')');
  if (close === -1) return null;
  // fields after the name start at field 3 (state); starttime is field 22
  const rest = text.slice(close + 2).trim().split(/\s+/);
  const state = rest[0];
  const startTime = rest[22 - 3];
  if (state === undefined || startTime === undefined || !/^\d+$/.test(startTime)) return null;
  return { state, startTime };
}

/** NUL-separated argv of a process, or null when it cannot be read. */
export function readCmdline(pid: number): string[] | null {
  try {
    const raw = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s !== '');
  } catch {
    return null;
  }
}

export function procAvailable(): boolean {
  return readProcStat(process.pid) !== null;
}

/** The identity of the current process, recorded in the state file by the monitor itself. */
export function currentIdentity(marker: string | null = defaultMarker()): ProcessIdentity {
  return { pid: process.pid, start_time: readProcStat(process.pid)?.startTime ?? null, cmdline_marker: marker };
}

/**
 * The name of the entry script this process runs (argv[1] without directory and extension),
 * e.g. `clawsec-traffic-guardian`: /proc/<pid>/cmdline holds the script as it was invoked
 * (relative, absolute or through the npm bin symlink), and each of those contains this name.
 */
export function defaultMarker(): string | null {
  const script = process.argv[1];
  if (!script) return null;
  return basename(script).replace(/\.[cm]?[jt]s$/, '') || null;
}

/** kill(pid, 0): true when a process with this PID exists (EPERM: exists, someone else's). */
export function pidExists(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the process recorded in `id` is still that same, running process. */
export function checkIdentity(id: ProcessIdentity): Liveness {
  if (!Number.isInteger(id.pid) || id.pid <= 0) return { alive: false, reason: 'dead' };
  const stat = readProcStat(id.pid);
  if (stat === null) {
    if (procAvailable()) return { alive: false, reason: 'dead' };
    // no /proc (macOS, BSD): existence is all we can check
    return pidExists(id.pid) ? { alive: true } : { alive: false, reason: 'dead' };
  }
  if (stat.state === 'Z' || stat.state === 'X' || stat.state === 'x') return { alive: false, reason: 'zombie' };
  // a state file written off Linux (or without /proc) has no start time: fall back to the marker
  if (id.start_time !== null && stat.startTime !== id.start_time) return { alive: false, reason: 'reused' };
  if (id.cmdline_marker) {
    const argv = readCmdline(id.pid);
    // an unreadable cmdline (hidepid mounts) is not evidence of reuse; the start time decided
    if (argv !== null && !argv.some((a) => a.includes(id.cmdline_marker as string))) {
      return { alive: false, reason: 'reused' };
    }
  }
  return { alive: true };
}
