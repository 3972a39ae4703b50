// Stage 3, the prefilter: which keywords occur in a view, found in one pass. One
// case-insensitive alternation of every keyword of a direction replaces one `includes` per
// keyword per pattern (about 60 passes over every view). A keyword inside a longer one
// found at the same place (`token` inside `access_token`) is credited through `contained`,
// since the regex reports only the longest alternative at each position; overlapping
// keywords that start later are found because the search resumes one character on.

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class KeywordIndex {
  private readonly re: RegExp | null;
  /** keyword -> every keyword that is a substring of it (itself included) */
  private readonly contained = new Map<string, string[]>();

  constructor(keywords: Iterable<string>) {
    const words = [...new Set([...keywords].map((k) => k.toLowerCase()).filter(Boolean))].sort((a, b) => b.length - a.length);
    this.re = words.length ? new RegExp(words.map(escapeRegExp).join('|'), 'gi') : null;
    for (const w of words) this.contained.set(w, words.filter((o) => w.includes(o)));
  }

  /** The set of keywords present in `text` (lower case). */
  present(text: string): Set<string> {
    const found = new Set<string>();
    if (!this.re) return found;
    const re = new RegExp(this.re.source, this.re.flags);
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      // resume one character on, not after the match: `x-api` must not hide an `api-key`
      // that starts inside it
      re.lastIndex = m.index + 1;
      const w = m[0].toLowerCase();
      if (found.has(w)) continue;
      for (const k of this.contained.get(w) ?? [w]) found.add(k);
    }
    return found;
  }
}
