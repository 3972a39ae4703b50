// Reads the findings log back for `threats`, `status`, MCP and IPC. The log is written by
// other processes while we read and may have survived crashes or a full disk, so nothing in
// it is trusted: a torn last line, a garbage line or a line that fails the schema is skipped
// and counted, never thrown. Memory stays bounded: files are streamed in chunks, a line
// longer than `maxLineBytes` is dropped without being buffered, and only the newest `limit`
// matches are kept (a ring).
import { readdirSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GuardianError } from '../errors.ts';
import {
  FindingSchema,
  SEVERITIES,
  THREAT_TYPES,
  severityRank,
  type Finding,
  type Severity,
  type ThreatType,
} from '../finding.ts';

/** A real finding line is well under this; anything longer is corruption. */
export const DEFAULT_MAX_LINE_BYTES = 1024 * 1024;
const CHUNK_BYTES = 64 * 1024;
/** every line the writer produces starts with this (orderFinding puts schema_version first) */
const LINE_START = '{"schema_version"';

export interface ReadFindingsOptions {
  /** only findings with timestamp >= since (ISO-8601) */
  since?: string;
  threatType?: ThreatType;
  minSeverity?: Severity;
  /** only findings whose `agent` equals this */
  agent?: string;
  /** keep the newest N matches (returned oldest first); without it every match is kept */
  limit?: number;
  maxLineBytes?: number;
}

export interface ReadFindingsResult {
  /** oldest first */
  findings: Finding[];
  /** matching findings before the limit */
  total: number;
  /** lines that were torn, corrupt, oversized or failed the schema */
  skippedLines: number;
  /** the limit left some matches out */
  truncated: boolean;
}

export interface FindingsSummary {
  /** finding lines (a dedup summary line counts once, as in `threats`) */
  total: number;
  /** occurrences: the sum of `count` (1 for lines without it) */
  occurrences: number;
  byType: Record<ThreatType, number>;
  bySeverity: Record<Severity, number>;
  /** the newest findings, oldest first */
  last: Finding[];
  skippedLines: number;
}

/** The current log and its rotated files that exist now, oldest first. */
export function findingsLogFiles(logPath: string): string[] {
  const dir = dirname(logPath);
  const base = basename(logPath);
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw unreadable(dir, err);
  }
  const rotated: Array<{ n: number; name: string }> = [];
  for (const name of names) {
    if (!name.startsWith(base + '.')) continue;
    const suffix = name.slice(base.length + 1);
    if (/^[1-9][0-9]{0,5}$/.test(suffix)) rotated.push({ n: Number(suffix), name });
  }
  rotated.sort((a, b) => b.n - a.n);
  const files = rotated.map((r) => join(dir, r.name));
  if (names.includes(base)) files.push(logPath);
  return files;
}

export async function readFindings(logPath: string, opts: ReadFindingsOptions = {}): Promise<ReadFindingsResult> {
  const match = compileFilter(opts);
  const limit = opts.limit;
  if (limit !== undefined && !(Number.isInteger(limit) && limit >= 1)) {
    throw new GuardianError('USAGE', 'limit must be a positive integer', { fix: 'pass e.g. --limit 20' });
  }
  const ring = new Ring<Finding>(limit ?? Infinity);
  let total = 0;
  const skippedLines = await scanLog(logPath, opts.maxLineBytes, (f) => {
    if (!match(f)) return;
    total += 1;
    ring.push(f);
  });
  const findings = ring.toArray();
  return { findings, total, skippedLines, truncated: total > findings.length };
}

export async function summarizeFindings(logPath: string, opts: { last?: number } = {}): Promise<FindingsSummary> {
  const byType = Object.fromEntries(THREAT_TYPES.map((t) => [t, 0])) as Record<ThreatType, number>;
  const bySeverity = Object.fromEntries(SEVERITIES.map((s) => [s, 0])) as Record<Severity, number>;
  const ring = new Ring<Finding>(opts.last ?? 5);
  let total = 0;
  let occurrences = 0;
  const skippedLines = await scanLog(logPath, undefined, (f) => {
    total += 1;
    occurrences += f.count ?? 1;
    byType[f.threat_type] += 1;
    bySeverity[f.severity] += 1;
    ring.push(f);
  });
  return { total, occurrences, byType, bySeverity, last: ring.toArray(), skippedLines };
}

/**
 * Feeds every valid finding of every log file (oldest first) to `onFinding`; returns the
 * number of skipped lines. All files are opened before any is read, so a rotation during
 * the read cannot make us read one file twice or skip one (open fds follow their inodes).
 */
async function scanLog(logPath: string, maxLineBytes: number | undefined, onFinding: (f: Finding) => void): Promise<number> {
  const handles: FileHandle[] = [];
  let skipped = 0;
  try {
    for (const file of findingsLogFiles(logPath)) {
      try {
        handles.push(await open(file, 'r'));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // rotated away meanwhile
        throw unreadable(file, err);
      }
    }
    for (const h of handles) {
      for await (const line of readLines(h, maxLineBytes ?? DEFAULT_MAX_LINE_BYTES)) {
        if (line === null) {
          skipped += 1;
          continue;
        }
        if (line.trim() === '') continue; // a writer terminating an earlier torn line
        const parsed = parseLine(line);
        skipped += parsed.skipped;
        if (parsed.finding) onFinding(parsed.finding);
      }
    }
  } finally {
    await Promise.all(handles.map((h) => h.close().catch(() => undefined)));
  }
  return skipped;
}

/**
 * One line → a finding. A line that fails but contains a later line start is a torn write
 * glued to a complete line (the writer died mid-line and the next write followed it): the
 * complete tail is recovered and the torn head counted as skipped.
 */
function parseLine(line: string): { finding?: Finding; skipped: number } {
  const whole = tryFinding(line);
  if (whole) return { finding: whole, skipped: 0 };
  const at = line.lastIndexOf(LINE_START);
  if (at > 0) {
    const tail = tryFinding(line.slice(at));
    if (tail) return { finding: tail, skipped: 1 };
  }
  return { skipped: 1 };
}

function tryFinding(text: string): Finding | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = FindingSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/**
 * Lines of a file as strings; `null` for a line longer than maxLineBytes (dropped without
 * being held in memory). The last line is yielded even without a newline (it may be torn;
 * the parser decides).
 */
async function* readLines(h: FileHandle, maxLineBytes: number): AsyncGenerator<string | null> {
  const chunk = Buffer.alloc(CHUNK_BYTES);
  let parts: Buffer[] = [];
  let partLen = 0;
  let oversized = false;
  for (;;) {
    const { bytesRead } = await h.read(chunk, 0, CHUNK_BYTES, null);
    if (bytesRead === 0) break;
    const data = chunk.subarray(0, bytesRead);
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      const piece = data.subarray(start, nl);
      start = nl + 1;
      if (oversized || partLen + piece.length > maxLineBytes) {
        yield null;
      } else {
        yield (partLen ? Buffer.concat([...parts, piece]) : piece).toString('utf8');
      }
      parts = [];
      partLen = 0;
      oversized = false;
    }
    const rest = data.subarray(start);
    if (rest.length === 0 || oversized) continue;
    if (partLen + rest.length > maxLineBytes) {
      oversized = true;
      parts = [];
      partLen = 0;
    } else {
      parts.push(Buffer.from(rest)); // copy: `chunk` is reused by the next read
      partLen += rest.length;
    }
  }
  if (oversized) yield null;
  else if (partLen) yield Buffer.concat(parts).toString('utf8');
}

function compileFilter(opts: ReadFindingsOptions): (f: Finding) => boolean {
  let sinceMs: number | undefined;
  if (opts.since !== undefined) {
    sinceMs = Date.parse(opts.since);
    if (Number.isNaN(sinceMs)) {
      throw new GuardianError('USAGE', 'since is not an ISO-8601 time', { fix: 'pass e.g. --since 2026-04-26T00:00:00Z' });
    }
  }
  if (opts.threatType !== undefined && !THREAT_TYPES.includes(opts.threatType)) {
    throw new GuardianError('USAGE', 'threat type must be EXFIL or INJECTION', { fix: 'pass --type EXFIL or --type INJECTION' });
  }
  if (opts.minSeverity !== undefined && !SEVERITIES.includes(opts.minSeverity)) {
    throw new GuardianError('USAGE', 'min severity must be low, medium, high or critical', { fix: 'pass e.g. --min-severity high' });
  }
  const minRank = opts.minSeverity === undefined ? -1 : severityRank(opts.minSeverity);
  return (f) =>
    (sinceMs === undefined || Date.parse(f.timestamp) >= sinceMs) &&
    (opts.threatType === undefined || f.threat_type === opts.threatType) &&
    severityRank(f.severity) >= minRank &&
    (opts.agent === undefined || f.agent === opts.agent);
}

/** Keeps the newest `capacity` items pushed. */
class Ring<T> {
  private readonly items: T[] = [];
  private next = 0;
  constructor(private readonly capacity: number) {}

  push(item: T): void {
    if (this.capacity <= 0) return;
    if (this.items.length < this.capacity) {
      this.items.push(item);
      return;
    }
    this.items[this.next] = item;
    this.next = (this.next + 1) % this.capacity;
  }

  /** oldest first */
  toArray(): T[] {
    return [...this.items.slice(this.next), ...this.items.slice(0, this.next)];
  }
}

function unreadable(path: string, err: unknown): GuardianError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new GuardianError('INPUT_UNREADABLE', `cannot read findings log ${path} (${code})`, {
    fix: 'check that the guardian home belongs to this user and is readable',
    cause: err,
  });
}
