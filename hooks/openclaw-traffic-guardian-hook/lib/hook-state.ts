// What this hook has reported: <home>/hook-state.json, written atomically (temp file in the
// same directory, mode 0600, then rename) so a crash or a concurrent gateway never leaves half
// a file. A missing, unreadable or malformed file starts over with an empty state and is
// replaced at the next write. The home itself is never created here.
import { closeSync, openSync, renameSync, unlinkSync, writeSync, fsyncSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { HOOK_EVENTS, type HookEventKey } from './event.ts';
import type { LogCursor } from './findings-tail.ts';
import { isDirectory, readJsonObject } from './fsread.ts';

export const HOOK_STATE_VERSION = 1;

export interface HookState {
  version: number;
  /** where the next read of the findings log starts */
  cursor: LogCursor | null;
  /** newest finding timestamp reported (fallback when the cursor's file is gone) */
  last_timestamp: string | null;
  /** epoch ms of the last message per event kind */
  last_report_ms: Partial<Record<HookEventKey, number>>;
  /** whether the monitor was running at the last message */
  last_running: boolean | null;
}

export function emptyState(): HookState {
  return { version: HOOK_STATE_VERSION, cursor: null, last_timestamp: null, last_report_ms: {}, last_running: null };
}

function nonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function parseCursor(v: unknown): LogCursor | null | undefined {
  if (v === null) return null;
  if (typeof v !== 'object' || Array.isArray(v)) return undefined;
  const c = v as Record<string, unknown>;
  if (!nonNegInt(c.dev) || !nonNegInt(c.ino) || !nonNegInt(c.offset)) return undefined;
  if (typeof c.head !== 'string' || !/^(?:[0-9a-f]{64})?$/.test(c.head)) return undefined;
  return { dev: c.dev, ino: c.ino, head: c.head, offset: c.offset };
}

/** A state value from parsed JSON, or null when anything in it is off (then it is replaced). */
export function parseState(v: Record<string, unknown>): HookState | null {
  if (v.version !== HOOK_STATE_VERSION) return null;
  const cursor = parseCursor(v.cursor);
  if (cursor === undefined) return null;
  const ts = v.last_timestamp;
  if (ts !== null && (typeof ts !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/.test(ts))) return null;
  const lr = v.last_report_ms;
  if (lr === null || typeof lr !== 'object' || Array.isArray(lr)) return null;
  const last_report_ms: Partial<Record<HookEventKey, number>> = {};
  for (const key of HOOK_EVENTS) {
    const ms = (lr as Record<string, unknown>)[key];
    if (ms === undefined) continue;
    if (!nonNegInt(ms)) return null;
    last_report_ms[key] = ms;
  }
  const running = v.last_running;
  if (running !== null && typeof running !== 'boolean') return null;
  return { version: HOOK_STATE_VERSION, cursor, last_timestamp: ts, last_report_ms, last_running: running };
}

export function loadState(path: string): { state: HookState; status: 'ok' | 'missing' | 'corrupt' } {
  const read = readJsonObject(path, 64 * 1024);
  if (read.kind === 'missing') return { state: emptyState(), status: 'missing' };
  if (read.kind === 'corrupt') return { state: emptyState(), status: 'corrupt' };
  const state = parseState(read.value);
  return state ? { state, status: 'ok' } : { state: emptyState(), status: 'corrupt' };
}

/** Atomic write; false when it could not be written (the directory is missing, read-only, ...). */
export function saveState(path: string, state: HookState): boolean {
  const dir = dirname(path);
  if (!isDirectory(dir)) return false;
  const tmp = join(dir, `.hook-state.${process.pid}.${Date.now()}.${Math.random().toString(36).slice(2, 8)}.tmp`);
  let fd: number | null = null;
  try {
    fd = openSync(tmp, 'wx', 0o600);
    writeSync(fd, `${JSON.stringify(state)}\n`);
    try {
      fsyncSync(fd);
    } catch {
      // some filesystems refuse fsync; the rename still replaces the file whole
    }
    closeSync(fd);
    fd = null;
    renameSync(tmp, path);
    return true;
  } catch {
    if (fd !== null) {
      try {
        closeSync(fd);
      } catch {
        // ignore
      }
    }
    try {
      unlinkSync(tmp);
    } catch {
      // ignore
    }
    return false;
  }
}
