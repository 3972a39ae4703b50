// Windowed matching: a pattern's regex runs only on the stretches of a view around its
// keyword hits, not on the whole view. Sound because every match inspects one of its
// keywords (PatternRecord.regex) and cannot be longer than its measured reach: a match that
// inspects a keyword hit at `pos` lies inside [pos - reach, pos + keyword + reach].
//
// Each stretch is cut from the view with `around` extra characters on both sides, so
// lookbehinds, lookaheads and \b see the same neighbours they would in the whole view. A
// match that starts or ends in that margin is an artefact of the cut (a lookbehind that
// lost its context) and is dropped; the search resumes one character on. Matches are
// reported in whole-view coordinates, so `assess` reads the same text either way.
import type { KeywordHits } from './keywords.ts';
import type { RegexReach } from './regex-reach.ts';

export type Range = [start: number, end: number];

/** Windows covering more than this share of a view are not worth the slicing. */
const MAX_COVERAGE = 0.75;

/**
 * The hits of `ids` as [start, keyword length], ascending, or null when one of them is dense
 * (the pattern then runs on the whole view).
 */
function hitsOf(ids: number[], hits: KeywordHits, lengthOf: (id: number) => number): Array<[number, number]> | null {
  const found: Array<[number, number]> = [];
  for (const id of ids) {
    if (hits.dense.has(id)) return null;
    for (const pos of hits.positions.get(id) ?? []) found.push([pos, lengthOf(id)]);
  }
  return ids.length > 1 ? found.sort((x, y) => x[0] - y[0]) : found;
}

/**
 * The merged windows around the hits of `ids`, or null when the pattern must run on the
 * whole view (unbounded reach, a dense keyword, or windows covering most of the view).
 */
export function keywordWindows(ids: number[], hits: KeywordHits, lengthOf: (id: number) => number, reach: RegexReach, textLength: number): Range[] | null {
  const ext = reach.match + reach.around;
  if (ids.length === 0 || !Number.isFinite(ext)) return null;
  const starts = hitsOf(ids, hits, lengthOf);
  if (starts === null) return null;
  const ranges: Range[] = [];
  let covered = 0;
  for (const [pos, len] of starts) {
    const lo = Math.max(0, pos - ext);
    const hi = Math.min(textLength, pos + len + ext);
    const last = ranges.at(-1);
    if (last && lo <= last[1]) {
      covered += Math.max(0, hi - last[1]);
      last[1] = Math.max(last[1], hi);
    } else {
      ranges.push([lo, hi]);
      covered += hi - lo;
    }
  }
  return covered > textLength * MAX_COVERAGE ? null : ranges;
}

/** Every match of the global regex `re` in `text`, or only those inside `ranges`. */
export function* matchesIn(re: RegExp, text: string, ranges: Range[] | null, around: number): Generator<RegExpExecArray> {
  if (ranges === null) {
    re.lastIndex = 0;
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) re.lastIndex++;
      yield m;
    }
    return;
  }
  for (const [lo, hi] of ranges) {
    const sliceStart = Math.max(0, lo - around);
    const sliceEnd = Math.min(text.length, hi + around);
    const slice = text.slice(sliceStart, sliceEnd);
    re.lastIndex = 0;
    for (let m = re.exec(slice); m !== null; m = re.exec(slice)) {
      const start = m.index + sliceStart;
      const end = start + m[0].length;
      if ((start < lo && sliceStart > 0) || (end > hi && sliceEnd < text.length)) {
        re.lastIndex = m.index + 1;
        continue;
      }
      if (m[0].length === 0) re.lastIndex++;
      const afterSlice = re.lastIndex;
      yield shift(m, sliceStart, text);
      re.lastIndex = afterSlice;
    }
  }
}

/** The hit positions of `ids`, ascending, or null when one of them is dense. */
export function keywordStarts(ids: number[], hits: KeywordHits): number[] | null {
  return hitsOf(ids, hits, () => 0)?.map(([pos]) => pos) ?? null;
}

/**
 * Matches of the sticky regex `re` that start at most `lead` characters before a keyword
 * hit: the same matches a scan of the whole text finds when every match starts there (tried
 * left to right, and never inside a match already reported).
 */
export function* matchesNear(re: RegExp, text: string, starts: number[], lead: number): Generator<RegExpExecArray> {
  let next = 0;
  for (const hit of starts) {
    for (let p = Math.max(next, hit - lead); p <= hit; p++) {
      re.lastIndex = p;
      const m = re.exec(text);
      if (m === null) continue;
      next = m.index + Math.max(1, m[0].length);
      p = next - 1;
      yield m;
    }
    next = Math.max(next, hit + 1);
  }
}

/** The match as if found in the whole text: index, input and `d`-flag indices moved. */
function shift(m: RegExpExecArray, by: number, text: string): RegExpExecArray {
  if (by === 0) {
    m.input = text;
    return m;
  }
  m.index += by;
  m.input = text;
  const indices = m.indices;
  if (indices) {
    const moved = new Set<[number, number]>();
    const move = (pair: [number, number] | undefined): void => {
      if (!pair || moved.has(pair)) return;
      moved.add(pair);
      pair[0] += by;
      pair[1] += by;
    };
    for (let i = 0; i < indices.length; i++) move(indices[i]);
    for (const pair of Object.values(indices.groups ?? {})) move(pair);
  }
  return m;
}
