// Unicode folding so look-alike and invisible characters cannot split a keyword:
// NFKC turns full-width and compatibility forms into ASCII; zero-width and bidi/format
// characters and C0/C1 controls (except tab and newlines) are removed.
const INVISIBLE = /[\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180E\u200B-\u200F\u202A-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0]|[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F]/g;
// Printable ASCII, tab and newlines are already folded: NFKC leaves them as they are.
const NEEDS_WORK = /[^\t\n\r\u0020-\u007E]/;
const RUNS = /[^\t\n\r\u0020-\u007E]+/g;

/**
 * Only the stretches that are not plain ASCII are normalized, each with the character
 * before it (a combining mark composes with its base): ASCII characters are starters that
 * never compose with what follows, so this equals normalizing the whole text, at a fraction
 * of the cost on mostly-ASCII traffic (NFKC of a whole 1 MiB body was a visible share of a scan).
 */
export function foldUnicode(text: string): string {
  if (!NEEDS_WORK.test(text)) return text;
  const out: string[] = [];
  let last = 0;
  let runs = 0;
  let changed = false;
  const maxRuns = Math.max(64, text.length >> 7);
  RUNS.lastIndex = 0;
  for (let m = RUNS.exec(text); m !== null; m = RUNS.exec(text)) {
    // text dense with non-ASCII (another script, or hostile) is cheaper in one piece
    if (++runs > maxRuns) return text.normalize('NFKC').replace(INVISIBLE, '');
    const start = m.index > last ? m.index - 1 : m.index;
    const piece = text.slice(start, m.index + m[0].length);
    const folded = piece.normalize('NFKC').replace(INVISIBLE, '');
    if (folded !== piece) changed = true;
    out.push(text.slice(last, start), folded);
    last = m.index + m[0].length;
  }
  // the same string object when nothing changed: callers compare views with ===
  if (!changed) return text;
  out.push(text.slice(last));
  return out.join('');
}
