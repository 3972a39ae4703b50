// Collapses repeats of the same finding so an agent retrying one leaky request in a loop
// produces two log lines per window instead of thousands, while no occurrence goes uncounted.
//
// Per key (pattern + dest + fingerprint + agent):
//   - the first occurrence is returned at once with `count: 1` (operators see it immediately);
//   - later occurrences inside the window are only counted;
//   - when the window ends, one summary line stands for all of them: `count` = repeats,
//     `first_seen` = timestamp of the first repeat, `timestamp` and `snippet` from the newest.
// So summing `count` over the log gives the number of occurrences, and one window yields at
// most two lines. Nothing here runs a timer: the monitor calls flushExpired() on its own
// timer and flushAll() at shutdown; offer() also flushes whatever has expired.
import { GuardianError } from './errors.ts';
import type { Finding } from './finding.ts';

export const DEFAULT_DEDUP_WINDOW_MS = 60_000;
export const DEFAULT_DEDUP_MAX_KEYS = 10_000;

export interface DeduperOptions {
  /** window length from a key's first occurrence; 0 turns dedup off (every finding passes) */
  windowMs?: number;
  /** tracked keys at most; the oldest is flushed and forgotten when a new key would exceed it */
  maxKeys?: number;
  /** clock used when offer()/flushExpired() get no explicit time (tests inject one) */
  now?: () => Date;
}

interface Entry {
  startMs: number;
  repeats: number;
  /** timestamp of the first repeat (not of the first occurrence, which was already written) */
  firstRepeatAt?: string;
  /** newest repeat: its snippet and timestamp go into the summary */
  latest?: Finding;
}

export class Deduper {
  readonly windowMs: number;
  readonly maxKeys: number;
  private readonly clock: () => Date;
  // Map keeps insertion order, and a key is re-inserted whenever its window restarts, so
  // iteration order is oldest window first: expiry scans stop at the first live entry.
  private readonly entries = new Map<string, Entry>();

  constructor(opts: DeduperOptions = {}) {
    const windowMs = opts.windowMs ?? DEFAULT_DEDUP_WINDOW_MS;
    const maxKeys = opts.maxKeys ?? DEFAULT_DEDUP_MAX_KEYS;
    if (!Number.isFinite(windowMs) || windowMs < 0) {
      throw new GuardianError('CONFIG_INVALID', 'dedup window must be a non-negative number of milliseconds', {
        fix: 'set the dedup window to e.g. 60000 (or 0 to log every occurrence)',
        problems: [{ path: 'dedup_window_ms', message: 'expected a number >= 0' }],
      });
    }
    if (!Number.isInteger(maxKeys) || maxKeys < 1) {
      throw new GuardianError('CONFIG_INVALID', 'dedup key cap must be a positive integer', {
        fix: 'leave it unset (10000) or pass a positive integer',
        problems: [{ path: 'dedup_max_keys', message: 'expected an integer >= 1' }],
      });
    }
    this.windowMs = windowMs;
    this.maxKeys = maxKeys;
    this.clock = opts.now ?? (() => new Date());
  }

  /** keys currently tracked (bounded by maxKeys) */
  get size(): number {
    return this.entries.size;
  }

  /**
   * Offer one finding; returns the lines to write now, in order: summaries of windows that
   * have ended (this key's and others'), then this finding if it is a first occurrence.
   * A finding without `fingerprint` cannot be grouped safely and passes through as is.
   */
  offer(finding: Finding, now: Date = this.clock()): Finding[] {
    const nowMs = now.getTime();
    const out = this.flushExpired(now);
    if (this.windowMs === 0 || !finding.fingerprint) {
      out.push({ ...finding, count: 1 });
      return out;
    }
    const key = keyOf(finding);
    const entry = this.entries.get(key);
    if (entry && nowMs - entry.startMs < this.windowMs) {
      entry.repeats += 1;
      entry.firstRepeatAt ??= finding.timestamp;
      entry.latest = finding;
      return out;
    }
    if (entry) {
      // expired but not reached by the ordered scan (a clock that stepped back): close it now
      const summary = summarize(entry);
      if (summary) out.push(summary);
      this.entries.delete(key);
    }
    if (this.entries.size >= this.maxKeys) this.evictOldest(out);
    this.entries.set(key, { startMs: nowMs, repeats: 0 });
    out.push({ ...finding, count: 1 });
    return out;
  }

  /** Summaries for every window that has ended by `now`; those keys are forgotten. */
  flushExpired(now: Date = this.clock()): Finding[] {
    const nowMs = now.getTime();
    const out: Finding[] = [];
    for (const [key, entry] of this.entries) {
      if (nowMs - entry.startMs < this.windowMs) break;
      const summary = summarize(entry);
      if (summary) out.push(summary);
      this.entries.delete(key);
    }
    return out;
  }

  /** Summaries for every open window (shutdown); the deduper is empty afterwards. */
  flushAll(): Finding[] {
    const out: Finding[] = [];
    for (const entry of this.entries.values()) {
      const summary = summarize(entry);
      if (summary) out.push(summary);
    }
    this.entries.clear();
    return out;
  }

  private evictOldest(out: Finding[]): void {
    const first = this.entries.entries().next();
    if (first.done) return;
    const [key, entry] = first.value;
    const summary = summarize(entry);
    if (summary) out.push(summary);
    this.entries.delete(key);
  }
}

/** NUL-separated: no field can contain NUL, so distinct tuples never collide. */
function keyOf(f: Finding): string {
  return `${f.pattern}\0${f.dest}\0${f.fingerprint ?? ''}\0${f.agent ?? ''}`;
}

function summarize(entry: Entry): Finding | undefined {
  if (entry.repeats === 0 || !entry.latest) return undefined;
  return {
    ...entry.latest,
    count: entry.repeats,
    first_seen: entry.firstRepeatAt ?? entry.latest.timestamp,
  };
}
