// Finds base64, base64url and hex runs inside a text and decodes the ones that turn into
// readable text. The printable gate keeps images, hashes and ciphertext from producing noise:
// a decoded segment is kept only when nearly all of it is printable UTF-8.

export interface DecodedSegment {
  encoding: 'base64' | 'base64url' | 'hex';
  text: string;
}

// A run is 16+ characters of the base64/base64url/hex alphabet, plus up to two `=`. Found
// by a table walk rather than /[A-Za-z0-9+/_-]{16,}/g: that regex restarts inside every
// shorter identifier (one attempt per character of it) and was the slowest stage of a scan.
const MIN_RUN = 16;
const IN_RUN = new Uint8Array(65536);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/_-') IN_RUN[c.charCodeAt(0)] = 1;
const EQ = 61;

function* runs(text: string): Generator<string> {
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (IN_RUN[c] === 0) {
      i++;
      continue;
    }
    const start = i;
    while (i < n) {
      if (IN_RUN[text.charCodeAt(i)] === 0) break;
      i++;
    }
    if (i - start < MIN_RUN) continue;
    let end = i;
    if (end < n && text.charCodeAt(end) === EQ) end++;
    if (end < n && text.charCodeAt(end) === EQ) end++;
    i = end;
    yield text.slice(start, end);
  }
}
const MIN_PRINTABLE_RATIO = 0.9;

function printableRatio(s: string): number {
  if (s.length === 0) return 0;
  let ok = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if ((c >= 0x20 && c < 0x7f) || c === 0x09 || c === 0x0a || c === 0x0d || (c >= 0xa0 && c !== 0xfffd)) ok++;
  }
  return ok / s.length;
}

/**
 * A lower bound on the unprintable characters `buf.toString('utf8')` would hold, counted on
 * the bytes: control bytes, and one per invalid UTF-8 sequence (Node replaces each maximal
 * invalid subpart with at least one U+FFFD). There are never more characters than bytes, so
 * more bad ones than 10% of the bytes rejects the buffer before it becomes a string: a 1 MiB
 * run of `A` (zero bytes) or `e` (invalid UTF-8 as hex) used to be converted and counted in
 * full, four times, which was most of the worst-case scan.
 */
function surelyUnprintable(buf: Buffer): boolean {
  const n = buf.length;
  // the same division the character gate makes, so a ratio of exactly 0.9 passes both
  const over = (bad: number): boolean => (n - bad) / n < MIN_PRINTABLE_RATIO;
  let bad = 0;
  let i = 0;
  while (i < n) {
    const b = buf[i] as number;
    if (b < 0x80) {
      if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
        if (over(++bad)) return true;
      }
      i++;
      continue;
    }
    const need = b >= 0xc2 && b <= 0xdf ? 1 : b >= 0xe0 && b <= 0xef ? 2 : b >= 0xf0 && b <= 0xf4 ? 3 : 0;
    // continuation bytes that follow the lead, up to what it needs
    let cont = 0;
    while (cont < need && i + 1 + cont < n && ((buf[i + 1 + cont] as number) & 0xc0) === 0x80) cont++;
    if (need > 0 && cont === need) {
      i += need + 1;
      continue;
    }
    // one invalid subpart: a lead with the continuation bytes it had, or a lone byte (Node
    // writes at least one U+FFFD for it; a run of lone continuation bytes is one each)
    if (over(++bad)) return true;
    i += 1 + cont;
  }
  return false;
}

function gate(buf: Buffer): string | null {
  if (buf.length < 8 || surelyUnprintable(buf)) return null;
  const text = buf.toString('utf8');
  return printableRatio(text) >= MIN_PRINTABLE_RATIO ? text : null;
}

// In base64 of ASCII text every 4-character group starts with A-Z or a-f (the top six bits of
// a byte below 0x80). Checking that first skips identifiers and paths without decoding them;
// text with many non-ASCII bytes fails this check and the full decode decides.
function looksLikeBase64OfText(run: string, shift = 0): boolean {
  let bad = 0;
  const groups = Math.floor((run.length - shift) / 4);
  const limit = groups * 0.34;
  for (let i = shift; i < shift + groups * 4; i += 4) {
    const c = run.charCodeAt(i);
    if (!((c >= 65 && c <= 90) || (c >= 97 && c <= 102)) && ++bad > limit) return false;
  }
  return true;
}

const isHexChar = (c: number): boolean => (c >= 48 && c <= 57) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);

/** What a run is made of, found in one pass and shared by its four alignments. */
interface RunFacts {
  /** the last index holding a character that is not a hex digit, or -1 */
  lastNonHex: number;
  /** the length without trailing `=` */
  end: number;
  /** the last index of a base64url-only (`-` `_`) and of a classic-only (`+` `/`) character */
  lastUrl: number;
  lastClassic: number;
}

function factsOf(run: string): RunFacts {
  let end = run.length;
  while (end > 0 && run.charCodeAt(end - 1) === EQ) end--;
  const f: RunFacts = { lastNonHex: -1, end, lastUrl: -1, lastClassic: -1 };
  for (let i = 0; i < run.length; i++) {
    const c = run.charCodeAt(i);
    if (!isHexChar(c)) f.lastNonHex = i;
    if (i >= end) continue;
    if (c === 45 || c === 95) f.lastUrl = i;
    else if (c === 43 || c === 47) f.lastClassic = i;
  }
  return f;
}

/** The run from `shift` on, decoded as hex or base64 if it reads as text. */
function decodeRun(run: string, f: RunFacts, shift: number): DecodedSegment | null {
  const len = run.length - shift;
  if (len % 2 === 0 && len >= 16 && f.lastNonHex < shift) {
    const text = gate(Buffer.from(shift ? run.slice(shift) : run, 'hex'));
    if (text !== null) return { encoding: 'hex', text };
  }
  if (!looksLikeBase64OfText(run, shift)) return null;
  const urlSafe = f.lastUrl >= shift;
  const classic = f.lastClassic >= shift;
  if (urlSafe && classic) return null; // mixed alphabets: not one encoding
  const body = run.slice(shift, f.end);
  if (body.length % 4 === 1) return null; // never a valid base64 length
  const buf = Buffer.from(body, urlSafe ? 'base64url' : 'base64');
  const text = gate(buf);
  return text === null ? null : { encoding: urlSafe ? 'base64url' : 'base64', text };
}

/**
 * Decoded segments of `text`, at most `maxSegments`, at most `maxBytes` of decoded text in all.
 * Runs are tried whole and, when whole fails, at the three other 4-character alignments
 * (a base64 blob glued to a preceding word).
 */
export function decodeSegments(text: string, maxSegments: number, maxBytes: number): DecodedSegment[] {
  const out: DecodedSegment[] = [];
  let budget = maxBytes;
  let tried = 0;
  for (let run of runs(text)) {
    if (tried++ >= maxSegments * 4 || out.length >= maxSegments || budget <= 0) break;
    if (run.length > budget * 2) run = run.slice(0, budget * 2 - ((budget * 2) % 4));
    const facts = factsOf(run);
    let seg = decodeRun(run, facts, 0);
    for (let shift = 1; seg === null && shift < 4 && run.length - shift >= 16; shift++) seg = decodeRun(run, facts, shift);
    if (seg !== null) {
      out.push(seg);
      budget -= seg.text.length;
    }
  }
  return out;
}
