// Stage 3, the prefilter: where the keywords of one direction occur in a view, found in one
// pass. An Aho-Corasick automaton over a case-folded alphabet visits each character once
// whatever the number of keywords; the regex alternation it replaces retried every keyword
// at every position (5-8 ms per MiB, more than all the regexes it was saving).
//
// A keyword can be marked `wordStart`: it counts only where it is not preceded by a letter,
// digit or underscore. Patterns whose regex begins with a `(?<![\w.-])` guard use it, so
// `sh` inside `ssh`, `publish` or `hash` does not wake the `sh -c` rule. `wordEnd` is the
// same on the other side (`post` as a word, not `postinstall`).
//
// The positions feed windowed matching (scanner.ts): a pattern whose match must inspect one
// of its keywords runs only on the text around the keyword's hits. A keyword hit more than
// MAX_HITS times in a view is `dense`, and its patterns run on the whole view instead.

export interface KeywordSpec {
  word: string;
  wordStart: boolean;
  /** counts only where no letter, digit or underscore follows */
  wordEnd?: boolean;
}

/** hits of every keyword in one view, by keyword id (made only when something is hit) */
export interface KeywordHits {
  /** start positions, ascending, of each keyword hit at least once; complete unless dense */
  positions: Map<number, number[]>;
  /** keywords hit more than MAX_HITS times */
  dense: Set<number>;
}

const NO_HITS: KeywordHits = Object.freeze({ positions: new Map<number, number[]>(), dense: new Set<number>() });

export const MAX_HITS = 4096;

function isWordChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;
}

function fold(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

export class KeywordMatcher {
  readonly specs: KeywordSpec[];
  private readonly ids = new Map<string, number>();
  /** char code -> alphabet class (0: a character no keyword contains) */
  private readonly cls = new Uint8Array(65536);
  private readonly width: number;
  /**
   * full transition table: (state * width) + class -> next state * width (states are stored
   * pre-multiplied, so the scan loop does one add and one load per character)
   */
  private readonly delta: Int32Array;
  /** keyword ids ending at each state (its own and those reached by failure links) */
  private readonly out: Array<number[] | undefined>;
  /** 1 where `out` has ids, by pre-multiplied state */
  private readonly hasOut: Uint8Array;

  constructor(specs: Iterable<KeywordSpec>) {
    this.specs = [];
    for (const s of specs) {
      const word = s.word.toLowerCase();
      const k = key(word, s.wordStart, s.wordEnd ?? false);
      if (!word || this.ids.has(k)) continue;
      this.ids.set(k, this.specs.length);
      this.specs.push({ word, wordStart: s.wordStart, wordEnd: s.wordEnd ?? false });
    }
    let classes = 1;
    for (const { word } of this.specs) {
      for (let i = 0; i < word.length; i++) {
        const c = word.charCodeAt(i);
        if (this.cls[c] === 0) {
          if (classes === 255) throw new Error('keyword alphabet too large');
          this.cls[c] = classes;
          if (c >= 97 && c <= 122) this.cls[c - 32] = classes; // upper case folds to lower
          classes++;
        }
      }
    }
    this.width = classes;

    // trie
    const next: Array<Map<number, number>> = [new Map()];
    const out: Array<number[] | undefined> = [undefined];
    this.specs.forEach(({ word }, id) => {
      let s = 0;
      for (let i = 0; i < word.length; i++) {
        const c = this.cls[fold(word.charCodeAt(i))] as number;
        let t = next[s]?.get(c);
        if (t === undefined) {
          t = next.length;
          next.push(new Map());
          out.push(undefined);
          next[s]?.set(c, t);
        }
        s = t;
      }
      (out[s] ??= []).push(id);
    });

    // failure links, breadth first, folded into a complete transition table
    const delta = new Int32Array(next.length * this.width);
    const fail = new Int32Array(next.length);
    const queue: number[] = [];
    for (let c = 0; c < this.width; c++) {
      const t = next[0]?.get(c) ?? 0;
      delta[c] = t;
      if (t !== 0) queue.push(t);
    }
    for (let qi = 0; qi < queue.length; qi++) {
      const s = queue[qi] as number;
      const f = fail[s] as number;
      const inherited = out[f];
      if (inherited) out[s] = [...(out[s] ?? []), ...inherited];
      for (let c = 0; c < this.width; c++) {
        const t = next[s]?.get(c);
        if (t !== undefined) {
          fail[t] = delta[f * this.width + c] as number;
          delta[s * this.width + c] = t;
          queue.push(t);
        } else delta[s * this.width + c] = delta[f * this.width + c] as number;
      }
    }
    for (let i = 0; i < delta.length; i++) delta[i] = (delta[i] as number) * this.width;
    this.delta = delta;
    this.out = out;
    this.hasOut = new Uint8Array(delta.length);
    out.forEach((ids, state) => {
      if (ids) this.hasOut[state * this.width] = 1;
    });
  }

  /** the length of keyword `id` */
  readonly lengthOf = (id: number): number => (this.specs[id] as KeywordSpec).word.length;

  idOf(word: string, wordStart: boolean, wordEnd = false): number {
    const id = this.ids.get(key(word.toLowerCase(), wordStart, wordEnd));
    if (id === undefined) throw new Error(`unknown keyword ${word}`);
    return id;
  }

  scan(text: string): KeywordHits {
    let hits: KeywordHits | undefined;
    const { cls, delta, width, out, hasOut, specs } = this;
    let s = 0;
    const n = text.length;
    for (let i = 0; i < n; i++) {
      s = delta[s + (cls[text.charCodeAt(i)] as number)] as number;
      if (hasOut[s] === 0) continue;
      for (const id of out[s / width] as number[]) {
        const spec = specs[id] as KeywordSpec;
        const start = i - spec.word.length + 1;
        if (spec.wordStart && start > 0 && isWordChar(text.charCodeAt(start - 1))) continue;
        if (spec.wordEnd && i + 1 < n && isWordChar(text.charCodeAt(i + 1))) continue;
        hits ??= { positions: new Map(), dense: new Set() };
        let list = hits.positions.get(id);
        if (list === undefined) hits.positions.set(id, (list = []));
        if (list.length < MAX_HITS) list.push(start);
        else hits.dense.add(id);
      }
    }
    return hits ?? NO_HITS;
  }

  /** The keywords present in `text` (lower case; `wordStart` ones as `^word`, `wordEnd` ones as `word$`). */
  present(text: string): Set<string> {
    const hits = this.scan(text);
    const found = new Set<string>();
    for (const id of hits.positions.keys()) {
      const spec = this.specs[id] as KeywordSpec;
      found.add(key(spec.word, spec.wordStart, spec.wordEnd ?? false));
    }
    return found;
  }
}

function key(word: string, wordStart: boolean, wordEnd: boolean): string {
  return (wordStart ? '^' : '') + word + (wordEnd ? '$' : '');
}
