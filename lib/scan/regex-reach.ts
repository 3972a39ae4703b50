// How far a regex can reach: the longest text one match can span, and the longest text its
// lookarounds can inspect beyond the match. The scanner uses both to run a pattern only on
// windows around its keywords instead of on a whole view (see windows.ts). A regex whose
// match or lookaround is unbounded (`*`, `+`, `{n,}`, a back-reference) has reach Infinity
// and always runs on the whole view.
//
// A small parser for the regex syntax our patterns use: literals, escapes, classes, groups
// (capturing, named, non-capturing), lookarounds, alternation, and the quantifiers
// ? * + {n} {n,} {n,m} (greedy or lazy). Lengths are in UTF-16 code units, as string
// indexes are; with the `u` or `v` flag a class or `.` may take two.

export interface RegexReach {
  /** longest match, in UTF-16 code units */
  match: number;
  /** longest text a lookaround can inspect before the match start or after the match end */
  around: number;
}

interface Len {
  max: number;
  /** the largest lookaround inside, measured as its own max length */
  around: number;
}

class Parser {
  private i = 0;
  /** max length of each capturing group, by number (for back-references) */
  private readonly groups: number[] = [];
  private readonly named = new Map<string, number>();
  constructor(
    private readonly src: string,
    private readonly unit: number,
  ) {}

  parse(): Len {
    const r = this.alternation();
    if (this.i < this.src.length) throw new Error(`unexpected '${this.src[this.i]}' at ${this.i}`);
    return r;
  }

  private alternation(): Len {
    let best = this.sequence();
    while (this.src[this.i] === '|') {
      this.i++;
      const next = this.sequence();
      best = { max: Math.max(best.max, next.max), around: Math.max(best.around, next.around) };
    }
    return best;
  }

  private sequence(): Len {
    let max = 0;
    let around = 0;
    while (this.i < this.src.length && this.src[this.i] !== '|' && this.src[this.i] !== ')') {
      const atom = this.atom();
      const q = this.quantifier();
      max += atom.max === 0 ? 0 : atom.max * q;
      around = Math.max(around, atom.around);
    }
    return { max, around };
  }

  /** the max repeat count of a quantifier after an atom (1 when there is none) */
  private quantifier(): number {
    const c = this.src[this.i];
    let n = 1;
    if (c === '*' || c === '+') {
      this.i++;
      n = Infinity;
    } else if (c === '?') {
      this.i++;
      n = 1;
    } else if (c === '{') {
      const m = /^\{(\d+)(,(\d*))?\}/.exec(this.src.slice(this.i));
      if (!m) return 1; // a literal `{`
      this.i += m[0].length;
      n = m[2] === undefined ? Number(m[1]) : m[3] === '' ? Infinity : Number(m[3]);
    } else return 1;
    if (this.src[this.i] === '?') this.i++; // lazy
    return n;
  }

  private atom(): Len {
    const c = this.src[this.i] as string;
    if (c === '(') return this.group();
    if (c === '[') return this.cls();
    if (c === '\\') return this.escape();
    this.i++;
    if (c === '^' || c === '$') return { max: 0, around: 1 };
    if (c === '.') return { max: this.unit, around: 0 };
    // a literal; a surrogate pair in the source is two code units in the text too
    return { max: 1, around: 0 };
  }

  private group(): Len {
    this.i++;
    let look = false;
    let capture: number | undefined;
    let name: string | undefined;
    if (this.src.startsWith('?:', this.i)) this.i += 2;
    else if (this.src.startsWith('?=', this.i) || this.src.startsWith('?!', this.i)) {
      this.i += 2;
      look = true;
    } else if (this.src.startsWith('?<=', this.i) || this.src.startsWith('?<!', this.i)) {
      this.i += 3;
      look = true;
    } else if (this.src.startsWith('?<', this.i)) {
      const end = this.src.indexOf('>', this.i);
      if (end < 0) throw new Error(`unterminated group name at ${this.i}`);
      name = this.src.slice(this.i + 2, end);
      this.i = end + 1;
      capture = this.groups.push(Infinity);
    } else if (this.src[this.i] === '?') throw new Error(`unsupported group syntax at ${this.i}`);
    else capture = this.groups.push(Infinity);
    const inner = this.alternation();
    if (this.src[this.i] !== ')') throw new Error(`unterminated group at ${this.i}`);
    this.i++;
    if (capture !== undefined) this.groups[capture - 1] = inner.max;
    if (name !== undefined && capture !== undefined) this.named.set(name, capture);
    return look ? { max: 0, around: Math.max(inner.max, inner.around) } : inner;
  }

  private cls(): Len {
    this.i++;
    if (this.src[this.i] === '^') this.i++;
    if (this.src[this.i] === ']') this.i++; // a leading `]` is literal
    while (this.i < this.src.length && this.src[this.i] !== ']') {
      if (this.src[this.i] === '\\') this.i++;
      this.i++;
    }
    if (this.src[this.i] !== ']') throw new Error('unterminated character class');
    this.i++;
    return { max: this.unit, around: 0 };
  }

  private escape(): Len {
    const c = this.src[this.i + 1];
    this.i += 2;
    if (c === undefined) throw new Error('trailing backslash');
    if (c === 'b' || c === 'B') return { max: 0, around: 1 };
    if (/[1-9]/.test(c)) {
      // a back-reference repeats what its group matched (Infinity if the group is still open)
      let n = c;
      while (/[0-9]/.test(this.src[this.i] ?? '')) n += this.src[this.i++];
      return { max: this.groups[Number(n) - 1] ?? Infinity, around: 0 };
    }
    if (c === 'k' && this.src[this.i] === '<') {
      const end = this.src.indexOf('>', this.i);
      const group = this.named.get(this.src.slice(this.i + 1, end));
      this.i = end + 1;
      return { max: group === undefined ? Infinity : (this.groups[group - 1] ?? Infinity), around: 0 };
    }
    if (c === 'x') this.i += 2;
    else if (c === 'u') {
      if (this.src[this.i] === '{') this.i = this.src.indexOf('}', this.i) + 1;
      else this.i += 4;
    } else if (c === 'c') this.i += 1;
    else if (c === 'p' || c === 'P') {
      this.i = this.src.indexOf('}', this.i) + 1;
      return { max: this.unit, around: 0 };
    }
    return { max: /[dDwWsS]/.test(c) ? 1 : this.unit === 2 && 'u' === c ? 2 : 1, around: 0 };
  }
}

export function regexReach(re: RegExp): RegexReach {
  const unit = re.unicode || re.flags.includes('v') ? 2 : 1;
  const r = new Parser(re.source, unit).parse();
  return { match: r.max, around: r.around };
}
