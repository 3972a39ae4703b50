// Host paths never leave through a tool or an IPC result. Two passes:
//   - known roots (the guardian home, the NanoClaw project, the user's home directory) are
//     replaced wherever they occur in any string of a value, longest first, under their real
//     and their given spelling: `<guardian-home>/logs/...`, `<nanoclaw-root>/...`, `~/...`
//   - for free-form text the guardian wrote itself (config problems, fault messages), every
//     absolute path is replaced by `<path>`: a CA file under /etc is still a host path.
// Finding snippets keep what the agent itself sent (that is the evidence); only the roots pass
// applies to them.
import { realpathSync } from 'node:fs';
import { homedir } from 'node:os';
import { resolve, sep } from 'node:path';

export interface PathRoot {
  path: string;
  label: string;
}

export interface Scrubber {
  /** replaces known roots in every string of `value` (deep copy) */
  roots<T>(value: T): T;
  /** roots, then every absolute path in free-form text */
  text(s: string): string;
}

export function createScrubber(roots: PathRoot[], opts: { userHome?: string | null } = {}): Scrubber {
  const userHome = opts.userHome === undefined ? homedir() : opts.userHome;
  const all: PathRoot[] = [...roots];
  if (userHome) all.push({ path: userHome, label: '~' });
  const pairs: Array<[string, string]> = [];
  for (const r of all) {
    if (!r.path) continue;
    for (const spelling of spellings(r.path)) {
      // "/" alone (or a drive root) would turn every path into a label: never a root
      if (spelling.length <= 1 || /^[A-Za-z]:\\?$/.test(spelling)) continue;
      pairs.push([spelling, r.label]);
    }
  }
  pairs.sort((a, b) => b[0].length - a[0].length);

  const replaceRoots = (s: string): string => {
    let out = s;
    for (const [p, label] of pairs) {
      if (!out.includes(p)) continue;
      out = replaceAllAtBoundary(out, p, label);
    }
    return out;
  };

  const deep = (v: unknown, depth: number): unknown => {
    if (typeof v === 'string') return replaceRoots(v);
    if (depth > 32 || v === null || typeof v !== 'object') return v;
    if (Array.isArray(v)) return v.map((x) => deep(x, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = deep(x, depth + 1);
    return out;
  };

  return {
    roots: <T>(value: T) => deep(value, 0) as T,
    text: (s: string) => scrubAbsolutePaths(replaceRoots(s)),
  };
}

/** The path as given, resolved, and its realpath (symlinked homes are common on macOS: /var -> /private/var). */
function spellings(p: string): string[] {
  const out = new Set<string>([p.replace(/[\\/]+$/, ''), resolve(p)]);
  try {
    out.add(realpathSync(p));
  } catch {
    // not there (yet): the given spellings suffice
  }
  return [...out].filter(Boolean);
}

/** Replaces `root` only where it is a whole path prefix (`/home/u` in `/home/u/x`, not in `/home/u2`). */
function replaceAllAtBoundary(s: string, root: string, label: string): string {
  let out = '';
  let i = 0;
  for (;;) {
    const at = s.indexOf(root, i);
    if (at === -1) return out + s.slice(i);
    const next = s[at + root.length];
    const whole = next === undefined || next === '/' || next === sep || !/[A-Za-z0-9._-]/.test(next);
    out += s.slice(i, at) + (whole ? label : root);
    i = at + root.length;
  }
}

// An absolute path starting a token: after start, whitespace, a quote, `(`, `=` or `[`.
// `http://host/x` is left alone (the slash follows a colon), as is `~/x` (already relative).
const ABS_POSIX = /(^|[\s"'`(=[,])(\/(?:[^\s"'`),\]]+))/g;
const ABS_WIN = /(^|[\s"'`(=[,])([A-Za-z]:\\[^\s"'`),\]]*)/g;

export function scrubAbsolutePaths(s: string): string {
  return s.replace(ABS_POSIX, (_m, pre: string) => `${pre}<path>`).replace(ABS_WIN, (_m, pre: string) => `${pre}<path>`);
}
