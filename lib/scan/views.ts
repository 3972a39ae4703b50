// Stage 1 of a scan: normalization and bounded decoding. One part's text becomes a list of
// views: the folded original, then every decoding that changed something (JSON escapes,
// percent-encoding, HTML entities, base64/hex segments, and for inbound text shell
// de-obfuscation), each recording the encodings it went through. Depth, segment count and
// decoded bytes are bounded so hostile input cannot make a scan grow.
import type { Direction } from '../finding.ts';
import { foldUnicode } from '../normalize/unicode.ts';
import { hasJsonEscapes, jsonUnescape } from '../normalize/json-unescape.ts';
import { hasPercentEscapes, percentDecode } from '../normalize/percent.ts';
import { decodeHtmlEntities, hasHtmlEntities } from '../normalize/html-entities.ts';
import { decodeSegments } from '../normalize/segments.ts';
import { deobfuscateShell, hasShellObfuscation } from '../normalize/shell.ts';
import type { ScanLimits } from './types.ts';

export interface View {
  text: string;
  encodings: string[];
  depth: number;
}

interface RegionDecoder {
  name: string;
  /** the next place at or after `from` where the decoder could change something: [start, end] */
  trigger: (text: string, from: number) => [number, number] | null;
  /** the stretch of text around a trigger that is decoded as one piece */
  region: (text: string, at: number) => [number, number];
  applies: (text: string) => boolean;
  decode: (text: string) => string;
  inboundOnly?: boolean;
}

// Region bounds are found by walking outward from the trigger one character at a time and
// stopping at the region's own delimiter, a newline, or `cap`. No search looks further than
// the region it returns, so the cost of all regions together stays linear in the text
// (an indexOf/lastIndexOf or slice of the whole line per region was quadratic on one-line
// bodies full of escapes).
const NL = 10;
const QUOTE = 34;
const BACKSLASH = 92;

function lineStart(text: string, at: number, cap: number): number {
  const lo = Math.max(0, at - cap);
  let i = at;
  while (i > lo && text.charCodeAt(i - 1) !== NL) i--;
  return i;
}
function lineEnd(text: string, at: number, cap: number): number {
  const hi = Math.min(text.length, at + cap);
  let i = at;
  while (i < hi && text.charCodeAt(i) !== NL) i++;
  return i;
}

/** The JSON string literal around `at`: from the unescaped quote before it to the one after. */
function jsonStringRegion(text: string, at: number): [number, number] {
  const cap = 256 * 1024;
  const lo = Math.max(0, at - cap);
  const hi = Math.min(text.length, at + cap);
  let s = at;
  while (s > lo) {
    const c = text.charCodeAt(s - 1);
    if (c === NL) break;
    if (c === QUOTE && text.charCodeAt(s - 2) !== BACKSLASH) {
      s--;
      break;
    }
    s--;
  }
  let e = at + 1;
  while (e < hi) {
    const c = text.charCodeAt(e);
    if (c === NL) break;
    e++;
    if (c === QUOTE && text.charCodeAt(e - 2) !== BACKSLASH) break;
  }
  return [s, Math.min(e, text.length)];
}

/** A run of characters around `at` up to any of `stops`, a newline, or `cap` either way. */
function runRegion(stops: string, cap: number) {
  // a lookup table, not a regex test per character: regions are walked on every view
  const stop = new Uint8Array(128);
  for (const c of stops + '\n') stop[c.charCodeAt(0)] = 1;
  const isStop = (c: number): boolean => c < 128 && stop[c] === 1;
  return (text: string, at: number): [number, number] => {
    const lo = Math.max(0, at - cap);
    const hi = Math.min(text.length, at + cap);
    let s = at;
    while (s > lo && !isStop(text.charCodeAt(s - 1))) s--;
    let e = at;
    while (e < hi && !isStop(text.charCodeAt(e))) e++;
    return [s, e];
  };
}

function regexTrigger(re: RegExp) {
  const g = new RegExp(re.source, 'g');
  return (text: string, from: number): [number, number] | null => {
    g.lastIndex = from;
    const m = g.exec(text);
    return m === null ? null : [m.index, m.index + m[0].length];
  };
}

const WORD = new Uint8Array(65536);
for (const c of 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_') WORD[c.charCodeAt(0)] = 1;
/** characters of a shell word that quotes may be wrapped around: word characters and ./- */
const WORDISH = WORD.slice();
for (const c of './-') WORDISH[c.charCodeAt(0)] = 1;
const SQ = 39;
/**
 * Where a trick can start, as a cheap superset the regex engine finds without returning to
 * JavaScript for every quote: a quote with a word-ish character before it and a word-ish
 * character or quote after it, a backslash inside a word, a dollar before `{ ' @ * digit IFS`.
 * JSON's `"key":"value"` quotes have punctuation on one side and are skipped inside the engine.
 */
const TRICK_START = /['"](?<=[\w./-]['"])(?=[\w./'"-])|\\(?<=\w\\)(?=[\w./-])|\$(?=[{'@*\d]|IFS)/g;

/**
 * The next shell obfuscation trick: a quote or backslash inside a word (c'u'rl, c\url),
 * `$IFS`, `${..}`, `$'..'`, `$@`, `$*`, `$1`. Ordinary quoted strings ("name": "value") are
 * not tricks. Hand-written after a skip to the next candidate: JSON bodies are full of
 * quotes, and one regex trying its alternatives and lookbehinds at every quote was the
 * slowest part of decoding them.
 */
function shellTrigger(text: string, from: number): [number, number] | null {
  const n = text.length;
  TRICK_START.lastIndex = from;
  for (let m = TRICK_START.exec(text); m !== null; m = TRICK_START.exec(text)) {
    const i = m.index;
    const c = text.charCodeAt(i);
    if (c === QUOTE || c === SQ) {
      // Each quote is checked in O(1) unless it can be part of a trick: JSON's `"key":"value"`
      // quotes have a non-word character on their outer side and fail at once.
      // w'ord' or w''ord: this quote opens inside a word (and closes within 64 characters)
      if (i > 0 && WORD[text.charCodeAt(i - 1)] === 1) {
        const limit = Math.min(n, i + 65);
        let j = i + 1;
        while (j < limit && WORDISH[text.charCodeAt(j)] === 1) j++;
        const close = j < n ? text.charCodeAt(j) : -1;
        if (close === QUOTE || close === SQ) return [i, j + 1];
      }
      // 'wo'rd: this quote closes a quoted piece that is glued to the word after it
      if (i + 1 < n && WORD[text.charCodeAt(i + 1)] === 1) {
        const limit = Math.max(0, i - 65);
        let k = i - 1;
        while (k >= limit && WORDISH[text.charCodeAt(k)] === 1) k--;
        if (k >= 0 && k < i - 1 && k >= i - 65) {
          const open = text.charCodeAt(k);
          const before = k > 0 ? text.charCodeAt(k - 1) : -1;
          if ((open === QUOTE || open === SQ) && !(before >= 0 && (WORD[before] === 1 || before === QUOTE || before === SQ))) return [k, i + 2];
        }
      }
    } else if (c === BACKSLASH) {
      if (i > 0 && WORD[text.charCodeAt(i - 1)] === 1 && i + 1 < n && WORDISH[text.charCodeAt(i + 1)] === 1) return [i, i + 2];
    } else if (i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if (d === 123 /* { */ || d === SQ || d === 64 /* @ */ || d === 42 /* * */ || (d >= 48 && d <= 57)) return [i, i + 2];
      if (text.startsWith('IFS', i + 1)) return [i, i + 4];
    }
  }
  return null;
}

const REGION_DECODERS: RegionDecoder[] = [
  { name: 'json_escape', trigger: regexTrigger(/\\/g), region: jsonStringRegion, applies: hasJsonEscapes, decode: jsonUnescape },
  {
    name: 'percent',
    trigger: regexTrigger(/%[0-9a-fA-F]{2}/g),
    // an encoded URL or form value ends at white space, quotes or markup
    region: runRegion(' \t\r\f\v"\'<>', 64 * 1024),
    applies: hasPercentEscapes,
    decode: (t) => percentDecode(t),
  },
  {
    name: 'html_entity',
    trigger: regexTrigger(/&#?[a-zA-Z0-9]{2,8};?/g),
    // one text node: between tags
    region: runRegion('<>', 64 * 1024),
    applies: hasHtmlEntities,
    decode: decodeHtmlEntities,
  },
  {
    name: 'shell',
    // Only where an obfuscation trick appears: a quote or backslash inside a word, $IFS,
    // $'..', empty expansions, empty quotes. Ordinary quoted strings in code do not trigger it.
    trigger: shellTrigger,
    // a command is short: the line around the trick, at most 512 characters either side
    // (more than the longest command rule reaches past its first word)
    region: (text, at) => [lineStart(text, at, 512), lineEnd(text, at, 512)],
    applies: hasShellObfuscation,
    decode: deobfuscateShell,
    inboundOnly: true,
  },
];

/**
 * A decoded view holds only the regions the decoder changed, not a copy of the whole text:
 * a 1 MiB minified JSON body with one escaped string yields a view of that one string, so
 * every later stage (and every pattern) pays for what decoding revealed rather than for the
 * whole body again. A region is the natural unit of each encoding: the JSON string literal
 * around an escape, the URL or form value around a %XX, the HTML text node around an
 * entity, the line around a shell trick. Shell line continuations are joined first so a
 * command split with `\` + newline is one line.
 */
/** Regions closer than this are decoded as one piece: fewer, larger decode calls. */
const MERGE_GAP = 256;
const DENSE_SAMPLE = 16 * 1024;
/** more than one trigger per this many characters of the sample counts as dense */
const DENSE_EVERY = 64;

function isDense(src: string, trigger: RegionDecoder['trigger']): boolean {
  const sample = src.slice(0, DENSE_SAMPLE);
  let hits = 0;
  const limit = DENSE_SAMPLE / DENSE_EVERY;
  for (let hit = trigger(sample, 0); hit !== null && ++hits <= limit; hit = trigger(sample, hit[1])) {
    // counting only
  }
  return hits > limit;
}

function decodePiece(src: string, start: number, end: number, d: RegionDecoder, out: string[]): void {
  const piece = src.slice(start, end);
  if (!d.applies(piece)) return;
  const decoded = d.decode(piece);
  if (decoded !== piece) out.push(decoded);
}

function decodedRegions(text: string, d: RegionDecoder): string | null {
  const src = d.name === 'shell' ? text.replace(/\\\r?\n/g, '') : text;
  const trigger = d.trigger;
  // Dense triggers (a body that is mostly escapes or entities) are hostile or machine-made:
  // decoding the whole text once is linear, region by region would be one call per escape.
  if (src.length > DENSE_SAMPLE && isDense(src, trigger)) {
    const decoded = d.applies(src) ? d.decode(src) : src;
    return decoded !== src ? decoded : null;
  }
  const out: string[] = [];
  let chunkStart = -1;
  let chunkEnd = -1;
  let pos = 0;
  while (pos < src.length) {
    const hit = trigger(src, pos);
    if (hit === null) break;
    const [start, regionEnd] = d.region(src, hit[0]);
    const end = Math.max(regionEnd, hit[1]);
    // Many small regions close together (a minified JSON array of escaped strings) become
    // one piece, so the cost is one decode per neighbourhood instead of one per string.
    if (chunkStart >= 0 && start - chunkEnd <= MERGE_GAP) chunkEnd = Math.max(chunkEnd, end);
    else {
      if (chunkStart >= 0) decodePiece(src, chunkStart, chunkEnd, d, out);
      chunkStart = start;
      chunkEnd = end;
    }
    pos = end;
  }
  if (chunkStart >= 0) decodePiece(src, chunkStart, chunkEnd, d, out);
  return out.length ? out.join('\n') : null;
}

interface ViewBudget {
  views: View[];
  /** lazily made: most parts (a header, a small body) never decode to anything */
  seen: Set<string> | undefined;
  decodedBytes: number;
  segments: number;
  maxDecodedBytes: number;
}

function addView(b: ViewBudget, from: View, t: string, encoding: string): void {
  if (b.decodedBytes + t.length > b.maxDecodedBytes) return;
  const candidate = foldUnicode(t);
  b.seen ??= new Set(b.views.map((v) => v.text));
  if (b.seen.has(candidate)) return;
  b.seen.add(candidate);
  b.decodedBytes += candidate.length;
  b.views.push({ text: candidate, encodings: [...from.encodings, encoding], depth: from.depth + 1 });
}

export function buildViews(text: string, baseEncodings: string[], direction: Direction, limits: ScanLimits): View[] {
  const folded = foldUnicode(text);
  const first: View = {
    text: folded,
    encodings: folded === text ? [...baseEncodings] : [...baseEncodings, 'unicode'],
    depth: 0,
  };
  const b: ViewBudget = { views: [first], seen: undefined, decodedBytes: 0, segments: 0, maxDecodedBytes: limits.maxDecodedBytes };

  for (let i = 0; i < b.views.length; i++) {
    const view = b.views[i] as View;
    if (view.depth >= limits.maxDecodeDepth) continue;
    for (const d of REGION_DECODERS) {
      if (d.inboundOnly && direction !== 'inbound') continue;
      // A shell-deobfuscated view is final: decoding it again as JSON or percent would
      // describe a text no program ever saw.
      if (view.encodings.at(-1) === 'shell') continue;
      if (!d.applies(view.text)) continue;
      const out = decodedRegions(view.text, d);
      if (out !== null) addView(b, view, out, d.name);
    }
    if (b.segments < limits.maxSegments && view.text.length >= 16) {
      const remaining = Math.max(0, limits.maxDecodedBytes - b.decodedBytes);
      for (const seg of decodeSegments(view.text, limits.maxSegments - b.segments, remaining)) {
        b.segments++;
        addView(b, view, seg.text, seg.encoding);
      }
    }
  }
  return b.views;
}
