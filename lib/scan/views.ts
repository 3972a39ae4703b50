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

interface LineDecoder {
  name: string;
  /** finds the next place the decoder could change something (global regex) */
  trigger: RegExp;
  applies: (text: string) => boolean;
  decode: (text: string) => string;
  inboundOnly?: boolean;
}

const LINE_DECODERS: LineDecoder[] = [
  { name: 'json_escape', trigger: /\\/g, applies: hasJsonEscapes, decode: jsonUnescape },
  { name: 'percent', trigger: /%[0-9a-fA-F]{2}/g, applies: hasPercentEscapes, decode: (t) => percentDecode(t) },
  { name: 'html_entity', trigger: /&#?[a-zA-Z0-9]{2,8};?/g, applies: hasHtmlEntities, decode: decodeHtmlEntities },
  {
    name: 'shell',
    // Only lines with an obfuscation trick: a quote or backslash inside a word, $IFS, $'..',
    // empty expansions, empty quotes. Ordinary quoted strings in code do not trigger it.
    trigger: /[A-Za-z0-9_](?:['"][A-Za-z0-9_]|\\[A-Za-z0-9./-])|\$(?:IFS|\{|'|@|\*|\d)|''|""/g,
    applies: hasShellObfuscation,
    decode: deobfuscateShell,
    inboundOnly: true,
  },
];

/**
 * A decoded view holds only the lines the decoder changed, not a copy of the whole text:
 * a 1 MiB body with one escaped string yields a one-line view, so every later stage (and
 * every pattern) pays for what decoding revealed rather than for the whole body again.
 * Lines are the unit because escapes, encoded URLs and shell commands live within a line;
 * a JSON-escaped PEM key is one line before decoding. Shell line continuations are joined
 * first so a command split with `\` + newline is one line.
 */
function decodedLines(text: string, d: LineDecoder): string | null {
  const src = d.name === 'shell' ? text.replace(/\\\r?\n/g, '') : text;
  const out: string[] = [];
  const trigger = new RegExp(d.trigger.source, 'g');
  let pos = 0;
  while (pos < src.length) {
    trigger.lastIndex = pos;
    const hit = trigger.exec(src);
    if (hit === null) break;
    const start = src.lastIndexOf('\n', hit.index) + 1;
    let end = src.indexOf('\n', hit.index);
    if (end < 0) end = src.length;
    const line = src.slice(start, end);
    if (d.applies(line)) {
      const decoded = d.decode(line);
      if (decoded !== line) out.push(decoded);
    }
    pos = end + 1;
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
    for (const d of LINE_DECODERS) {
      if (d.inboundOnly && direction !== 'inbound') continue;
      // A shell-deobfuscated view is final: decoding it again as JSON or percent would
      // describe a text no program ever saw.
      if (view.encodings.at(-1) === 'shell') continue;
      if (!d.applies(view.text)) continue;
      const out = decodedLines(view.text, d);
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
