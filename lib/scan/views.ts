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

interface WholeTextDecoder {
  name: string;
  applies: (text: string) => boolean;
  decode: (text: string) => string;
  inboundOnly?: boolean;
}

const WHOLE_TEXT_DECODERS: WholeTextDecoder[] = [
  { name: 'json_escape', applies: hasJsonEscapes, decode: jsonUnescape },
  { name: 'percent', applies: hasPercentEscapes, decode: (t) => percentDecode(t) },
  { name: 'html_entity', applies: hasHtmlEntities, decode: decodeHtmlEntities },
  { name: 'shell', applies: hasShellObfuscation, decode: deobfuscateShell, inboundOnly: true },
];

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
    for (const d of WHOLE_TEXT_DECODERS) {
      if (d.inboundOnly && direction !== 'inbound') continue;
      // A shell-deobfuscated view is final: decoding it again as JSON or percent would
      // describe a text no program ever saw.
      if (view.encodings.at(-1) === 'shell') continue;
      if (!d.applies(view.text)) continue;
      const out = d.decode(view.text);
      if (out !== view.text) add(out, d.name);
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
