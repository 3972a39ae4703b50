// The findings log: append-only JSONL with size-based rotation, safe with several writer
// processes (a foreground monitor, `demo`, a restarted monitor overlapping the old one).
//
// Why it is synchronous: a finding line is a few hundred bytes and findings are rare next to
// requests, so one write(2) costs microseconds; doing it synchronously means lines from one
// process never interleave or reorder and rotation needs no async state machine.
//
// Whole lines: every line (newline included) is one write(2) on an fd opened O_APPEND, so the
// kernel places each line at the end of the file atomically with respect to other appenders.
//
// Rotation across processes (the choice documented here): each writer notices a rotation by
// comparing its fd's inode with the inode currently at the path, and reopens when they differ.
// Whoever finds the file too full takes a lock file (O_EXCL), re-checks the size of the file
// now at the path (another process may have rotated meanwhile), and only then renames
// findings.jsonl -> .1 -> .2 ... A writer that checked just before someone else rotated writes
// its line into the file that just became `.1`: the line is kept, that file merely ends a line
// or two past maxBytes. The only lines ever lost are those in the oldest file when it is pushed
// past `maxFiles` (the retention bound). If the lock cannot be had in time the line is written
// to the current file without rotating (overshoot instead of loss).
//
// Failures never throw: append() returns the outcome and the log keeps counters and the last
// fault, so the monitor keeps forwarding traffic and `status` can show the problem.
import {
  closeSync,
  constants as fsc,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { dirname } from 'node:path';
import { GuardianError, type FieldProblem } from '../errors.ts';
import { FindingSchema, orderFinding, type Finding } from '../finding.ts';

export const LOG_MAX_BYTES_DEFAULT = 10 * 1024 * 1024;
export const LOG_MAX_BYTES_MIN = 64 * 1024;
export const LOG_MAX_BYTES_MAX = 1024 * 1024 * 1024;
export const LOG_MAX_FILES_DEFAULT = 5;
export const LOG_MAX_FILES_MIN = 1;
export const LOG_MAX_FILES_MAX = 100;

const NEWLINE = Buffer.from('\n');

/** a lock older than this is left over from a writer that died mid-rotation */
const LOCK_STALE_MS = 10_000;

export interface FindingsLogOptions {
  /** rotate before the current file would exceed this size (64 KiB .. 1 GiB, default 10 MiB) */
  maxBytes?: number;
  /** rotated files kept: findings.jsonl.1 .. .N (1 .. 100, default 5) */
  maxFiles?: number;
  /** how long an append waits for another process's rotation (default 2000 ms) */
  lockTimeoutMs?: number;
}

export interface LogFault {
  /** `write`: the line was not written; `rotate`: written but rotation failed; `invalid`: rejected */
  kind: 'write' | 'rotate' | 'invalid';
  /** OS error code (ENOSPC, EACCES, ENOTDIR, ...) when there is one */
  errno?: string;
  /** names the file or the invalid fields, never the finding's content */
  message: string;
  at: string;
}

export type AppendResult = { ok: true; rotated: boolean } | { ok: false; fault: LogFault };

export interface FindingsLogStats {
  path: string;
  written: number;
  failedWrites: number;
  invalidFindings: number;
  rotations: number;
  rotationFailures: number;
  lastError: LogFault | null;
}

/** Problems with the size/retention bounds, for check-config (field paths as in the config). */
export function logOptionProblems(opts: { maxBytes?: unknown; maxFiles?: unknown }): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const { maxBytes, maxFiles } = opts;
  if (maxBytes !== undefined && !isIntIn(maxBytes, LOG_MAX_BYTES_MIN, LOG_MAX_BYTES_MAX)) {
    problems.push({
      path: 'log_max_bytes',
      message: `must be an integer from ${LOG_MAX_BYTES_MIN} (64 KiB) to ${LOG_MAX_BYTES_MAX} (1 GiB)`,
    });
  }
  if (maxFiles !== undefined && !isIntIn(maxFiles, LOG_MAX_FILES_MIN, LOG_MAX_FILES_MAX)) {
    problems.push({ path: 'log_max_files', message: `must be an integer from ${LOG_MAX_FILES_MIN} to ${LOG_MAX_FILES_MAX}` });
  }
  return problems;
}

/** `findings.jsonl.N`: the N-th newest rotated file */
export function rotatedLogPath(logPath: string, n: number): string {
  return `${logPath}.${n}`;
}

export class FindingsLog {
  readonly path: string;
  readonly maxBytes: number;
  readonly maxFiles: number;
  private readonly lockPath: string;
  private readonly lockTimeoutMs: number;
  private fd: number | null = null;
  /** a short write left a fragment without newline: terminate it before the next line */
  private pendingNewline = false;
  private counters = { written: 0, failedWrites: 0, invalidFindings: 0, rotations: 0, rotationFailures: 0 };
  private fault: LogFault | null = null;

  constructor(logPath: string, opts: FindingsLogOptions = {}) {
    const problems = logOptionProblems(opts);
    if (problems.length) {
      throw new GuardianError('CONFIG_INVALID', `findings log bounds are invalid: ${problems.map((p) => p.path).join(', ')}`, {
        fix: 'use log_max_bytes between 64 KiB and 1 GiB and log_max_files between 1 and 100',
        problems,
      });
    }
    this.path = logPath;
    this.maxBytes = opts.maxBytes ?? LOG_MAX_BYTES_DEFAULT;
    this.maxFiles = opts.maxFiles ?? LOG_MAX_FILES_DEFAULT;
    this.lockPath = `${logPath}.lock`;
    this.lockTimeoutMs = opts.lockTimeoutMs ?? 2_000;
  }

  get lastError(): LogFault | null {
    return this.fault;
  }

  get failedWrites(): number {
    return this.counters.failedWrites;
  }

  stats(): FindingsLogStats {
    return { path: this.path, ...this.counters, lastError: this.fault };
  }

  /** Validate, serialise (base fields first) and append one line. Never throws. */
  append(finding: Finding): AppendResult {
    const parsed = FindingSchema.safeParse(finding);
    if (!parsed.success) {
      this.counters.invalidFindings += 1;
      // field paths only: zod messages may quote the offending value, which is traffic
      const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(root)'))].join(', ');
      return this.fail({ kind: 'invalid', message: `finding rejected, invalid fields: ${fields}` });
    }
    const body = Buffer.from(JSON.stringify(orderFinding(parsed.data)) + '\n', 'utf8');
    try {
      const st = this.openCurrent();
      let rotated = false;
      if (st.size > 0 && st.size + body.length > this.maxBytes) {
        rotated = this.rotate(body.length);
        if (this.fd === null) this.openCurrent();
      }
      // decided after opening: a fragment may have been found at the end of the file
      const buf = this.pendingNewline ? Buffer.concat([NEWLINE, body]) : body;
      const n = writeSync(this.fd as number, buf);
      if (n !== buf.length) {
        // The disk filled (or a file size limit was hit) part-way through the line. The rest is
        // tried once: it either completes the line (space came back) or fails with the real
        // cause (ENOSPC, EFBIG, EDQUOT) for the fault. Either way a fragment may be in the file:
        // the next line starts on a fresh line so readers skip only the fragment.
        this.pendingNewline = true;
        const rest = writeSync(this.fd as number, buf, n);
        if (n + rest !== buf.length) {
          throw Object.assign(new Error(`short write to ${this.path} (${n + rest} of ${buf.length} bytes)`), { code: 'EIO' });
        }
      }
      this.pendingNewline = false;
      this.counters.written += 1;
      return { ok: true, rotated };
    } catch (err) {
      this.counters.failedWrites += 1;
      this.closeFd(); // reopen from scratch next time: the disk may have been fixed
      return this.fail({ kind: 'write', ...errnoOf(err), message: `cannot append to ${this.path}: ${messageOf(err)}` });
    }
  }

  /** Append several lines (e.g. what Deduper returned); counts of what was written. */
  appendAll(findings: Finding[]): { written: number; failed: number } {
    let written = 0;
    for (const f of findings) if (this.append(f).ok) written += 1;
    return { written, failed: findings.length - written };
  }

  close(): void {
    this.closeFd();
  }

  /**
   * Returns the stat of the file our fd refers to, (re)opening when there is no fd or the
   * path now names another inode (rotated or deleted by someone else).
   */
  private openCurrent(): Stats {
    if (this.fd !== null) {
      const mine = fstatSync(this.fd);
      let current: Stats | undefined;
      try {
        current = statSync(this.path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      }
      if (current && current.ino === mine.ino && current.dev === mine.dev) return mine;
      this.closeFd();
    }
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    // O_NOFOLLOW: a symlink planted at the log path is refused rather than written through.
    // O_RDWR (not O_WRONLY): the last byte is read below, and a FIFO planted there cannot block.
    const fd = openSync(this.path, fsc.O_RDWR | fsc.O_APPEND | fsc.O_CREAT | fsc.O_NOFOLLOW, 0o600);
    try {
      const st = fstatSync(fd);
      if (!st.isFile()) throw Object.assign(new Error(`${this.path} is not a regular file`), { code: 'EINVAL' });
      if ((st.mode & 0o077) !== 0) fchmodSync(fd, 0o600); // findings are private even if the file was not
      // A file that does not end in a newline holds a fragment (a write cut short by a full disk,
      // here or in an earlier process): start the next line on a fresh line, or it would be
      // glued to the fragment and lost with it.
      this.pendingNewline = st.size > 0 && !endsWithNewline(fd, st.size);
      this.fd = fd;
      return st;
    } catch (err) {
      closeSync(fd);
      throw err;
    }
  }

  /**
   * Rotate under the lock if the file at the path is still too full for `incoming` bytes.
   * A failed rotation is recorded, not thrown: the line still goes into the current file.
   */
  private rotate(incoming: number): boolean {
    let locked = false;
    try {
      locked = this.acquireLock();
      if (!locked) return false;
      const st = this.openCurrent(); // someone may have rotated between our check and the lock
      if (st.size === 0 || st.size + incoming <= this.maxBytes) return false;
      removeIfPresent(rotatedLogPath(this.path, this.maxFiles));
      for (let i = this.maxFiles - 1; i >= 1; i--) {
        renameIfPresent(rotatedLogPath(this.path, i), rotatedLogPath(this.path, i + 1));
      }
      renameSync(this.path, rotatedLogPath(this.path, 1));
      this.closeFd();
      this.counters.rotations += 1;
      return true;
    } catch (err) {
      this.counters.rotationFailures += 1;
      this.fail({ kind: 'rotate', ...errnoOf(err), message: `cannot rotate ${this.path}: ${messageOf(err)}` });
      return false;
    } finally {
      if (locked) {
        try {
          removeIfPresent(this.lockPath);
        } catch {
          // left behind: the next rotator breaks it once it is stale
        }
      }
    }
  }

  /** O_EXCL lock file holding our pid; waits briefly, breaks a lock left by a dead writer. */
  private acquireLock(): boolean {
    const deadline = Date.now() + this.lockTimeoutMs;
    for (;;) {
      try {
        const fd = openSync(this.lockPath, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
        try {
          writeSync(fd, `${process.pid}\n`);
        } finally {
          closeSync(fd);
        }
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      if (this.breakStaleLock()) continue;
      if (Date.now() >= deadline) return false;
      sleepSync(2);
    }
  }

  /**
   * A lock is stale when its pid is gone or it is older than LOCK_STALE_MS (rotation takes
   * microseconds). The inode is re-checked right before unlinking to avoid removing a lock
   * that another process broke and re-took meanwhile (a narrow race remains; it only matters
   * after a writer crashed mid-rotation, and its worst case is one extra rotation).
   */
  private breakStaleLock(): boolean {
    let st: Stats;
    let holder = NaN;
    try {
      st = statSync(this.lockPath);
      holder = Number.parseInt(readFileSync(this.lockPath, 'utf8'), 10);
    } catch {
      return true; // gone already: retry at once
    }
    const old = Date.now() - st.mtimeMs > LOCK_STALE_MS;
    if (!old && !(Number.isInteger(holder) && holder > 0 && !pidAlive(holder))) return false;
    try {
      if (statSync(this.lockPath).ino !== st.ino) return true;
      unlinkSync(this.lockPath);
    } catch {
      // someone else removed it
    }
    return true;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    try {
      closeSync(this.fd);
    } catch {
      // nothing useful to do: the fd is gone either way
    }
    this.fd = null;
  }

  private fail(f: Omit<LogFault, 'at'>): { ok: false; fault: LogFault } {
    this.fault = { ...f, at: new Date().toISOString() };
    return { ok: false, fault: this.fault };
  }
}

function endsWithNewline(fd: number, size: number): boolean {
  const last = Buffer.alloc(1);
  return readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === 0x0a;
}

function isIntIn(v: unknown, min: number, max: number): boolean {
  return typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function removeIfPresent(p: string): void {
  try {
    unlinkSync(p);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

function renameIfPresent(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** Blocks the thread for `ms`; only used while another process holds the rotation lock. */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function errnoOf(err: unknown): { errno?: string } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? { errno: code } : {};
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
