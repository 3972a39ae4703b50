// Snippet redaction. A snippet is short context around a match with every secret span in
// the window replaced by `[REDACTED:<family>]` (a vendor's public prefix may stay), long
// opaque tokens masked (they may be an encoded form of a secret), whitespace folded.
// `leaksSecret` is the last line of defence: the scanner drops any snippet that still
// holds a 6-character piece of a secret found in the same message.

export interface Span {
  start: number;
  end: number;
  /** the family named in the replacement tag */
  family: string;
  /** characters at the start of the span that may stay visible (public vendor prefix) */
  keep: number;
}

export const SNIPPET_CONTEXT = 40;
export const SNIPPET_MAX = 240;
export const LEAK_PIECE = 6;

// Long runs of base64/hex alphabet with both letters and digits look like encoded material.
const OPAQUE = /[A-Za-z0-9+/_=-]{24,}/g;
const PERCENT_RUN = /(?:%[0-9a-fA-F]{2}){6,}/g;

function maskOpaque(s: string): string {
  return s
    .replace(OPAQUE, (run) => (/[0-9]/.test(run) && /[A-Za-z]/.test(run) ? `[OPAQUE:${run.length}]` : run))
    .replace(PERCENT_RUN, (run) => `[OPAQUE:${run.length}]`);
}

function fold(s: string): string {
  return s.replace(/[\u0000-\u001F\u007F]+/g, ' ').replace(/ {2,}/g, ' ');
}

/**
 * Builds a redacted snippet for the match at [matchStart, matchEnd) of `text`.
 * `spans` are all secret spans known in `text` (this match's included); every one that
 * overlaps the window is replaced before the window is cut, so no partial secret survives
 * at an edge. `shown` is a non-secret match (a path, a command) copied as it stands rather
 * than masked as opaque text, except where a secret span overlaps it.
 */
export function buildSnippet(text: string, matchStart: number, matchEnd: number, spans: Span[], shown?: { start: number; end: number }): string {
  const from = Math.max(0, matchStart - SNIPPET_CONTEXT);
  const to = Math.min(text.length, matchEnd + SNIPPET_CONTEXT);
  const inWindow = spans
    .filter((s) => s.end > from && s.start < to)
    .sort((a, b) => a.start - b.start);
  // plain text between secret spans: masked, except the part inside `shown`
  const plain = (a: number, b: number): string => {
    if (!shown || shown.end <= a || shown.start >= b) return maskOpaque(text.slice(a, b));
    const s0 = Math.max(a, shown.start);
    const s1 = Math.min(b, shown.end);
    return maskOpaque(text.slice(a, s0)) + text.slice(s0, s1) + maskOpaque(text.slice(s1, b));
  };
  let out = '';
  let pos = from;
  // Spans may straddle the window edge: extend the window to cover them whole, then replace.
  for (const s of inWindow) {
    if (s.start < pos) {
      if (s.end <= pos) continue;
      // overlapping spans: replace the remainder
      out += `[REDACTED:${s.family}]`;
      pos = s.end;
      continue;
    }
    out += plain(pos, s.start);
    out += text.slice(s.start, s.start + s.keep) + `[REDACTED:${s.family}]`;
    pos = s.end;
  }
  if (pos < to) out += plain(pos, to);
  out = fold(out).trim();
  const prefix = from > 0 ? '…' : '';
  const suffix = to < text.length ? '…' : '';
  if (out.length > SNIPPET_MAX) out = out.slice(0, SNIPPET_MAX);
  return prefix + out + suffix;
}

/** Whether `snippet` holds any LEAK_PIECE-character piece of `secret` past its public prefix. */
export function leaksSecret(snippet: string, secret: string, keep: number): boolean {
  const body = secret.slice(keep);
  if (body.length < LEAK_PIECE) return body.length > 0 && snippet.includes(body) && body.length >= 4;
  for (let i = 0; i + LEAK_PIECE <= body.length; i++) {
    if (snippet.includes(body.slice(i, i + LEAK_PIECE))) return true;
  }
  return false;
}
