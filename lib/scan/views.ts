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
  /** finds the next place the decoder could change something (global regex) */
  trigger: RegExp;
  /** the stretch of text around a trigger that is decoded as one piece */
  region: (text: string, at: number) => [number, number];
  applies: (text: string) => boolean;
  decode: (text: string) => string;
  inboundOnly?: boolean;
}

// Both search only inside the cap: an unbounded indexOf/lastIndexOf rescans a newline-free
// 1 MiB body once per region (quadratic).
function lineStart(text: string, at: number, cap: number): number {
  const lo = Math.max(0, at - cap);
  return lo + text.slice(lo, at + 1).lastIndexOf('\n') + 1;
}
function lineEnd(text: string, at: number, cap: number): number {
  const hi = Math.min(text.length, at + cap);
  const nl = text.slice(at, hi).indexOf('\n');
  return nl < 0 ? hi : at + nl;
}

/** The JSON string literal around `at`: from the unescaped quote before it to the one after. */
function jsonStringRegion(text: string, at: number): [number, number] {
  const cap = 256 * 1024;
  const lo = lineStart(text, at, cap);
  const hi = lineEnd(text, at, cap);
  let s = at;
  while (s > lo) {
    const q = text.lastIndexOf('"', s - 1);
    if (q < lo) {
      s = lo;
      break;
    }
    s = q;
    if (text[q - 1] !== '\\') break;
  }
  let e = at + 1;
  while (e < hi) {
    const q = text.indexOf('"', e);
    if (q < 0 || q >= hi) {
      e = hi;
      break;
    }
    e = q + 1;
    if (text[q - 1] !== '\\') break;
  }
  return [s, e];
}

/** A run of characters around `at` up to any of `stops` (or the line, or `cap` either way). */
function runRegion(stops: RegExp, cap: number) {
  return (text: string, at: number): [number, number] => {
    const lo = lineStart(text, at, cap);
    const hi = lineEnd(text, at, cap);
    let s = at;
    while (s > lo && !stops.test(text[s - 1] as string)) s--;
    let e = at;
    while (e < hi && !stops.test(text[e] as string)) e++;
    return [s, e];
  };
}

const REGION_DECODERS: RegionDecoder[] = [
  { name: 'json_escape', trigger: /\\/g, region: jsonStringRegion, applies: hasJsonEscapes, decode: jsonUnescape },
  {
    name: 'percent',
    trigger: /%[0-9a-fA-F]{2}/g,
    // an encoded URL or form value ends at white space, quotes or markup
    region: runRegion(/[\s"'<>]/, 64 * 1024),
    applies: hasPercentEscapes,
    decode: (t) => percentDecode(t),
  },
  {
    name: 'html_entity',
    trigger: /&#?[a-zA-Z0-9]{2,8};?/g,
    // one text node: between tags
    region: runRegion(/[<>]/, 64 * 1024),
    applies: hasHtmlEntities,
    decode: decodeHtmlEntities,
  },
  {
    name: 'shell',
    // Only where an obfuscation trick appears: a quote or backslash inside a word, $IFS,
    // $'..', empty expansions, empty quotes. Ordinary quoted strings in code do not trigger it.
    trigger: /[A-Za-z0-9_]['"][A-Za-z0-9_./-]{0,64}['"]|(?<![A-Za-z0-9_'"])['"][A-Za-z0-9_./-]{1,64}['"][A-Za-z0-9_]|[A-Za-z0-9_]\\[A-Za-z0-9./-]|\$(?:IFS|\{|'|@|\*|\d)/g,
    // a command is short: the line around the trick, at most 1 KiB either side
    region: (text, at) => [lineStart(text, at, 1024), lineEnd(text, at, 1024)],
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
function decodedRegions(text: string, d: RegionDecoder): string | null {
  const src = d.name === 'shell' ? text.replace(/\\\r?\n/g, '') : text;
  const out: string[] = [];
  const trigger = new RegExp(d.trigger.source, 'g');
  let pos = 0;
  while (pos < src.length) {
    trigger.lastIndex = pos;
    const hit = trigger.exec(src);
    if (hit === null) break;
    const [start, end] = d.region(src, hit.index);
    const piece = src.slice(start, Math.max(end, hit.index + hit[0].length));
    if (d.applies(piece)) {
      const decoded = d.decode(piece);
      if (decoded !== piece) out.push(decoded);
    }
    pos = Math.max(end, hit.index + hit[0].length);
  }
  return out.length ? out.join('\n') : null;
}

export function buildViews(text: string, baseEncodings: string[], direction: Direction, limits: ScanLimits): View[] {
  const folded = foldUnicode(text);
  const first: View = {
    text: folded,
    encodings: folded === text ? [...baseEncodings] : [...baseEncodings, 'unicode'],
    depth: 0,
  };
  const views: View[] = [first];
  const seen = new Set<string>([folded]);
  let decodedBytes = 0;
  let segments = 0;

  for (let i = 0; i < views.length; i++) {
    const view = views[i] as View;
    if (view.depth >= limits.maxDecodeDepth) continue;
    const add = (t: string, encoding: string): void => {
      if (decodedBytes + t.length > limits.maxDecodedBytes) return;
      const candidate = foldUnicode(t);
      if (seen.has(candidate)) return;
      seen.add(candidate);
      decodedBytes += candidate.length;
      views.push({ text: candidate, encodings: [...view.encodings, encoding], depth: view.depth + 1 });
    };
    for (const d of REGION_DECODERS) {
      if (d.inboundOnly && direction !== 'inbound') continue;
      // A shell-deobfuscated view is final: decoding it again as JSON or percent would
      // describe a text no program ever saw.
      if (view.encodings.at(-1) === 'shell') continue;
      if (!d.applies(view.text)) continue;
      const out = decodedRegions(view.text, d);
      if (out !== null) add(out, d.name);
    }
    if (segments < limits.maxSegments) {
      const remaining = Math.max(0, limits.maxDecodedBytes - decodedBytes);
      for (const seg of decodeSegments(view.text, limits.maxSegments - segments, remaining)) {
        segments++;
        add(seg.text, seg.encoding);
      }
    }
  }
  return views;
}
