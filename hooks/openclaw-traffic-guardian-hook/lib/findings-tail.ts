// Reads only what the findings log gained since the last report, bounded in bytes.
//
// The log (<log dir>/findings.jsonl) is append-only JSON lines written by another process and
// rotated by renaming: findings.jsonl -> .1 -> .2 ... A cursor remembers the file by identity
// (device + inode + a hash of its first line) and a byte offset, so:
//   - same file, grown: read [offset, size);
//   - rotated since: the old file is now findings.jsonl.N; read its tail, the newer rotated
//     files, then the current file;
//   - unknown (first run, lost state, the old file aged out): the current file, keeping only
//     findings newer than the last timestamp reported, if one is known.
// At most `budget` bytes are read, newest first; anything older is skipped and flagged.
// A last line without its newline is still being written: it is left for the next read.
// Lines are validated by hand (no schema library in this folder); bad lines are counted.
import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync } from 'node:fs';
import { readRange } from './fsread.ts';

export const DEFAULT_BUDGET_BYTES = 1024 * 1024;
const MAX_ROTATED = 10;
const HEAD_BYTES = 4096;
const LINE_START = '{"schema_version"';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export interface LogCursor {
  dev: number;
  ino: number;
  /** sha256 of the file's first line (empty when the file was empty) */
  head: string;
  offset: number;
}

/** The fields of a finding this hook shows; everything else in the line is ignored. */
export interface SeenFinding {
  severity: Severity;
  pattern: string;
  threat_type: string;
  dest: string;
  snippet: string;
  timestamp: string;
  count: number;
}

export interface TailResult {
  findings: SeenFinding[];
  cursor: LogCursor | null;
  /** lines that were torn, corrupt or not findings */
  skippedLines: number;
  /** older unread data was left out (over the byte budget, or a rotated file aged out) */
  truncated: boolean;
}

interface OpenFile {
  fd: number;
  size: number;
  dev: number;
  ino: number;
  head: string;
}

interface Segment {
  file: OpenFile;
  start: number;
  end: number;
  /** the current file: an unterminated last line is left for later */
  current: boolean;
}

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function asFinding(v: unknown): SeenFinding | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const o = v as Record<string, unknown>;
  if (o.schema_version !== 'clawsec-traffic-finding/v1') return null;
  if (typeof o.severity !== 'string' || !(SEVERITIES as readonly string[]).includes(o.severity)) return null;
  if (typeof o.pattern !== 'string' || !/^[a-z][a-z0-9_]{0,63}$/.test(o.pattern)) return null;
  if (o.threat_type !== 'EXFIL' && o.threat_type !== 'INJECTION') return null;
  if (typeof o.dest !== 'string' || typeof o.snippet !== 'string') return null;
  if (typeof o.timestamp !== 'string' || !ISO.test(o.timestamp)) return null;
  const count = typeof o.count === 'number' && Number.isInteger(o.count) && o.count > 0 ? o.count : 1;
  return {
    severity: o.severity as Severity,
    pattern: o.pattern,
    threat_type: o.threat_type,
    dest: o.dest,
    snippet: o.snippet,
    timestamp: o.timestamp,
    count,
  };
}

function tryParse(text: string): SeenFinding | null {
  try {
    return asFinding(JSON.parse(text));
  } catch {
    return null;
  }
}

/** One line; a torn write glued to a complete line is recovered from its last line start. */
export function parseFindingLine(line: string): SeenFinding | null {
  const whole = tryParse(line);
  if (whole) return whole;
  const at = line.lastIndexOf(LINE_START);
  return at > 0 ? tryParse(line.slice(at)) : null;
}

function openLog(path: string): OpenFile | null {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) {
      closeSync(fd);
      return null;
    }
    const first = readRange(fd, 0, Math.min(st.size, HEAD_BYTES));
    const nl = first.indexOf(10);
    const headBytes = nl === -1 ? first : first.subarray(0, nl + 1);
    const head = headBytes.length ? createHash('sha256').update(headBytes).digest('hex') : '';
    return { fd, size: st.size, dev: st.dev, ino: st.ino, head };
  } catch {
    try {
      closeSync(fd);
    } catch {
      // ignore
    }
    return null;
  }
}

function sameFile(c: LogCursor, f: OpenFile): boolean {
  // an empty file had no first line yet when the cursor was taken
  return c.dev === f.dev && c.ino === f.ino && (c.head === '' || c.head === f.head) && c.offset <= f.size;
}

export function readNewFindings(
  logPath: string,
  cursor: LogCursor | null,
  lastTimestamp: string | null,
  budget: number = DEFAULT_BUDGET_BYTES,
): TailResult {
  const opened: OpenFile[] = [];
  try {
    return readWith(logPath, cursor, lastTimestamp, budget, opened);
  } finally {
    for (const f of opened) {
      try {
        closeSync(f.fd);
      } catch {
        // ignore
      }
    }
  }
}

function readWith(logPath: string, cursor: LogCursor | null, lastTimestamp: string | null, budget: number, opened: OpenFile[]): TailResult {
  const current = openLog(logPath);
  if (current) opened.push(current);

  let segments: Segment[] = [];
  let truncated = false;
  let filterByTime = false;

  if (cursor && current && sameFile(cursor, current)) {
    segments = [{ file: current, start: cursor.offset, end: current.size, current: true }];
  } else {
    // Rotated since the cursor was taken? Find the old file among findings.jsonl.1 .. .N.
    const rotated: OpenFile[] = [];
    let matched = false;
    if (cursor) {
      for (let n = 1; n <= MAX_ROTATED; n++) {
        const f = openLog(`${logPath}.${n}`);
        if (!f) break;
        opened.push(f);
        if (sameFile(cursor, f)) {
          segments.push({ file: f, start: cursor.offset, end: f.size, current: false });
          matched = true;
          break;
        }
        rotated.push(f);
      }
    }
    if (matched) {
      // files rotated after the cursor's file, oldest first
      for (const f of rotated.reverse()) segments.push({ file: f, start: 0, end: f.size, current: false });
    } else {
      segments = [];
      filterByTime = lastTimestamp !== null;
      if (cursor) truncated = true; // the file the cursor named aged out or was replaced
    }
    if (current) segments.push({ file: current, start: 0, end: current.size, current: true });
  }

  // newest first within the budget
  let left = Math.max(0, budget);
  const chosen: Array<{ seg: Segment; from: number }> = [];
  for (let i = segments.length - 1; i >= 0; i--) {
    const seg = segments[i] as Segment;
    const want = seg.end - seg.start;
    if (want <= 0) {
      chosen.unshift({ seg, from: seg.start });
      continue;
    }
    if (left <= 0) {
      truncated = true;
      continue;
    }
    const take = Math.min(want, left);
    left -= take;
    if (take < want) truncated = true;
    chosen.unshift({ seg, from: seg.end - take });
  }

  const findings: SeenFinding[] = [];
  let skippedLines = 0;
  // the cursor moves to the end of what was consumed in the newest file read; with nothing to
  // read it stays where it was
  let newCursor: LogCursor | null = cursor;
  for (const { seg, from } of chosen) {
    let buf = from < seg.end ? readRange(seg.file.fd, from, seg.end) : Buffer.alloc(0);
    if (from > seg.start) {
      // started mid-file: drop the partial first line, unless `from` sits right after a newline
      const prev = readRange(seg.file.fd, from - 1, from);
      if (prev[0] !== 10) {
        const nl = buf.indexOf(10);
        buf = nl === -1 ? Buffer.alloc(0) : buf.subarray(nl + 1);
      }
    }
    const bufStart = seg.end - buf.length;
    let pos = 0;
    while (pos < buf.length) {
      const nl = buf.indexOf(10, pos);
      if (nl === -1) {
        if (seg.current) break; // still being written: left for the next read
        const f = parseFindingLine(buf.subarray(pos).toString('utf8'));
        if (f) findings.push(f);
        else skippedLines += 1;
        pos = buf.length;
        break;
      }
      const line = buf.subarray(pos, nl).toString('utf8');
      pos = nl + 1;
      if (line.trim() === '') continue;
      const f = parseFindingLine(line);
      if (f) findings.push(f);
      else skippedLines += 1;
    }
    const f = seg.file;
    newCursor = { dev: f.dev, ino: f.ino, head: f.head, offset: bufStart + pos };
  }

  const kept = filterByTime ? findings.filter((f) => f.timestamp > (lastTimestamp as string)) : findings;
  return { findings: kept, cursor: newCursor, skippedLines, truncated };
}
