// The files under `<home>/run/` that describe a running monitor:
//   monitor.pid   the monitor's PID as text (for operators and scripts: `kill $(cat monitor.pid)`)
//   state.json    everything `status` needs, rewritten by the monitor every ~2 s with live
//                 fault and traffic counters (MonitorState below)
//   start.lock    held (O_EXCL) while a monitor starts, so two concurrent starts cannot both win
//   monitor.out   stdout/stderr of a background monitor
// The directory is 0700 and every file 0600. Files are replaced atomically (a private temp file
// in the same directory, then rename), so a reader sees the old or the new file, never half.
// Nothing here is ever written outside the home.
//
// A full disk: a new temp file cannot be written, so `status` would keep showing the counters
// from before the disk filled, just when they matter (log write failures). state.json is
// therefore written padded with spaces (valid JSON) to whole 4 KiB with at least 1 KiB to spare,
// and when the temp file fails with ENOSPC/EDQUOT the state is rewritten in place over the blocks
// the file already has (same size, no allocation). A reader that catches such a rewrite half
// done reads again before calling the file corrupt.
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  constants as fsc,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { GuardianError } from '../../lib/errors.ts';
import { PLATFORMS } from '../../lib/finding.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';
import type { ProcessIdentity } from './process-identity.ts';

export const STATE_SCHEMA_VERSION = 'clawsec-traffic-state/v1' as const;

const IdentitySchema = z.object({
  pid: z.number().int().positive(),
  start_time: z.string().nullable(),
  cmdline_marker: z.string().nullable(),
});

const CounterMap = z.record(z.string(), z.unknown());

/** state.json: written by the monitor, read by `status`, `stop`, `start` and the MCP/IPC side. */
export const MonitorStateSchema = z
  .object({
    schema_version: z.literal(STATE_SCHEMA_VERSION),
    pid: z.number().int().positive(),
    process: IdentitySchema,
    started_at: z.string(),
    /** last refresh of the counters below */
    updated_at: z.string(),
    home: z.string(),
    platform: z.enum(PLATFORMS),
    mode: z.literal('detect'),
    listen: z.object({ host: z.string(), port: z.number().int().min(1).max(65535) }),
    proxy_url: z.string(),
    https_inspection: z.boolean(),
    ca_cert_path: z.string().nullable(),
    ca_fingerprint_sha256: z.string().nullable(),
    max_scan_bytes: z.number().int().positive(),
    findings_log: z.string(),
    allow_clients: z.array(z.string()),
    /** whether an upstream proxy is chained (never its URL: it may carry credentials) */
    upstream_proxy: z.boolean(),
    /** proxy faults (upstream errors, client aborts, ...) plus detector and log faults */
    faults: CounterMap,
    /** traffic counters of the proxy (requests, responses, tunnels, ...) */
    stats: CounterMap,
  })
  .passthrough();

export type MonitorState = z.infer<typeof MonitorStateSchema>;

/** Creates `<home>/run` as a private directory (0700), refusing a symlink or a foreign owner. */
export function ensureRunDir(layout: HomeLayout): void {
  try {
    mkdirSync(layout.home, { recursive: true, mode: 0o700 });
    mkdirSync(layout.runDir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new GuardianError('HOME_UNSAFE', `cannot create ${layout.runDir} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      fix: `check that ${layout.home} is a directory this user can write, or pass another --home`,
      cause: err,
    });
  }
  const st = lstatSync(layout.runDir);
  if (!st.isDirectory()) {
    throw new GuardianError('HOME_UNSAFE', `${layout.runDir} is not a directory`, {
      fix: `remove ${layout.runDir}; the guardian recreates it`,
    });
  }
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
    throw new GuardianError('HOME_UNSAFE', `${layout.runDir} belongs to another user`, { fix: 'use a home directory you own (--home DIR)' });
  }
  if ((st.mode & 0o077) !== 0) chmodSync(layout.runDir, 0o700);
}

/** Writes `content` to `path` atomically: private temp file (0600, O_EXCL) + rename. */
export function writeFileAtomic(path: string, content: string | Buffer): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  try {
    // every byte or an error: a short write (the disk filled mid-file) must never be renamed
    // into place, a torn state.json reads as a dead monitor
    writeFully(fd, typeof content === 'string' ? Buffer.from(content, 'utf8') : content, false);
  } catch (err) {
    closeSync(fd);
    removeQuietly(tmp);
    throw err;
  }
  closeSync(fd);
  try {
    renameSync(tmp, path);
  } catch (err) {
    removeQuietly(tmp);
    throw err;
  }
}

export function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // gone already, or not ours to remove
  }
}

/** write(2) until every byte is written (at `position` 0 onwards when `inPlace`); throws the OS error. */
function writeFully(fd: number, buf: Buffer, inPlace: boolean): void {
  let off = 0;
  while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off, inPlace ? off : null);
}

/** Spare bytes after the JSON in state.json, for counters that grow while the disk is full. */
const STATE_SLACK_BYTES = 1024;
const STATE_BLOCK_BYTES = 4096;
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

export function writeState(layout: HomeLayout, state: MonitorState): void {
  const json = Buffer.from(`${JSON.stringify(state, null, 2)}\n`, 'utf8');
  const size = Math.ceil((json.length + STATE_SLACK_BYTES) / STATE_BLOCK_BYTES) * STATE_BLOCK_BYTES;
  const padded = Buffer.alloc(size, 0x20);
  json.copy(padded);
  try {
    writeFileAtomic(layout.stateFile, padded);
  } catch (err) {
    if (!NO_SPACE.has((err as NodeJS.ErrnoException).code ?? '') || !overwriteInPlace(layout.stateFile, json)) throw err;
  }
}

/**
 * Rewrites an existing file in place with `content` padded with spaces to the file's current
 * size: no new blocks are needed, so it works on a full disk. False when the file is missing,
 * not a regular file, or too small for `content`.
 */
function overwriteInPlace(path: string, content: Buffer): boolean {
  let fd: number;
  try {
    fd = openSync(path, fsc.O_WRONLY | fsc.O_NOFOLLOW);
  } catch {
    return false;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size < content.length) return false;
    const buf = Buffer.alloc(st.size, 0x20);
    content.copy(buf);
    writeFully(fd, buf, true);
    return true;
  } catch {
    return false;
  } finally {
    closeSync(fd);
  }
}

export function writePidFile(layout: HomeLayout, pid: number): void {
  writeFileAtomic(layout.pidFile, `${pid}\n`);
}

export type StateRead =
  | { kind: 'none' }
  | { kind: 'ok'; state: MonitorState }
  /** present but unusable (torn by a crash, edited by hand, from an unknown version) */
  | { kind: 'corrupt'; pid: number | null };

/** Reads state.json; when it is missing, a PID file alone is reported as a corrupt state. */
export function readState(layout: HomeLayout): StateRead {
  const first = readStateOnce(layout);
  if (first.kind !== 'corrupt') return first;
  // a monitor rewriting its state in place (full disk) may have been caught half done
  sleepSync(STATE_REREAD_MS);
  return readStateOnce(layout);
}

const STATE_REREAD_MS = 50;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function readStateOnce(layout: HomeLayout): StateRead {
  let text: string | null = null;
  try {
    text = readFileSync(layout.stateFile, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') return { kind: 'corrupt', pid: readPidFile(layout) };
  }
  if (text === null) {
    const pid = readPidFile(layout);
    return pid === null && !exists(layout.pidFile) ? { kind: 'none' } : { kind: 'corrupt', pid };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'corrupt', pid: readPidFile(layout) };
  }
  const parsed = MonitorStateSchema.safeParse(raw);
  if (!parsed.success) {
    const pid = (raw as { pid?: unknown } | null)?.pid;
    return { kind: 'corrupt', pid: typeof pid === 'number' && Number.isInteger(pid) && pid > 0 ? pid : readPidFile(layout) };
  }
  return { kind: 'ok', state: parsed.data };
}

export function readPidFile(layout: HomeLayout): number | null {
  try {
    const n = Number.parseInt(readFileSync(layout.pidFile, 'utf8').trim(), 10);
    return Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

function exists(path: string): boolean {
  try {
    statSync(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Removes state.json and monitor.pid if they still describe `pid` (or unconditionally when
 * pid is null): a new monitor that replaced them meanwhile keeps its files.
 */
export function removeRunFiles(layout: HomeLayout, pid: number | null): void {
  const current = readState(layout);
  const statePid = current.kind === 'ok' ? current.state.pid : current.kind === 'corrupt' ? current.pid : null;
  if (pid === null || statePid === null || statePid === pid) removeQuietly(layout.stateFile);
  const filePid = readPidFile(layout);
  if (pid === null || filePid === null || filePid === pid) removeQuietly(layout.pidFile);
}

// ---- the start lock -------------------------------------------------------------------------

export const START_LOCK_TOKEN_ENV = 'CLAWSEC_TG_START_LOCK_TOKEN';

const LockSchema = z.object({ token: z.string(), process: IdentitySchema, created_at: z.string() });
export type LockContent = z.infer<typeof LockSchema>;

export function startLockPath(layout: HomeLayout): string {
  return join(layout.runDir, 'start.lock');
}

export function readLock(layout: HomeLayout): LockContent | 'unreadable' | null {
  let text: string;
  try {
    text = readFileSync(startLockPath(layout), 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? null : 'unreadable';
  }
  try {
    const parsed = LockSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : 'unreadable';
  } catch {
    return 'unreadable';
  }
}

/** Creates the lock with O_EXCL; false when it already exists. */
export function tryCreateLock(layout: HomeLayout, content: LockContent): boolean {
  let fd: number;
  try {
    fd = openSync(startLockPath(layout), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, JSON.stringify(content));
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Replaces the lock we own (atomically), e.g. when the monitor child takes it over from `start`. */
export function rewriteLock(layout: HomeLayout, content: LockContent): void {
  writeFileAtomic(startLockPath(layout), JSON.stringify(content));
}

/** Age of the lock file in ms, or null when it is gone. */
export function lockAgeMs(layout: HomeLayout): number | null {
  try {
    return Date.now() - statSync(startLockPath(layout)).mtimeMs;
  } catch {
    return null;
  }
}

/** Removes the lock only if it still holds `token`: never someone else's lock. */
export function removeLock(layout: HomeLayout, token: string): void {
  const path = startLockPath(layout);
  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  } catch {
    return;
  }
  let ino: number;
  let text: string;
  try {
    ino = fstatSync(fd).ino;
    text = readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
  let mine = false;
  try {
    mine = (JSON.parse(text) as { token?: unknown }).token === token;
  } catch {
    mine = false;
  }
  if (!mine) return;
  try {
    if (statSync(path).ino === ino) unlinkSync(path);
  } catch {
    // removed meanwhile
  }
}

/** Breaks a lock left by a dead starter; re-checks the inode so a fresh lock survives. */
export function breakLock(layout: HomeLayout, expectedIno: number | null): void {
  const path = startLockPath(layout);
  try {
    const st = statSync(path);
    if (expectedIno !== null && st.ino !== expectedIno) return;
    unlinkSync(path);
  } catch {
    // gone already
  }
}

export function lockIno(layout: HomeLayout): number | null {
  try {
    return statSync(startLockPath(layout)).ino;
  } catch {
    return null;
  }
}

export type { ProcessIdentity };
