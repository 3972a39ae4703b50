// Finds the agent's own secret values in traffic, raw or encoded, in one pass over a text.
//
// Each secret becomes a few needles: the raw value, its hex form, and the parts of its
// base64/base64url encoding that do not depend on what surrounds it (one core for each of
// the three byte alignments, so a secret inside a longer base64 blob is found too).
// Percent-encoding, JSON escapes and whole base64 segments are undone earlier by the
// scanner's views, so the raw needle covers those.
//
// Search: every 6-character piece of every needle is indexed by a numeric hash; the text is
// sampled every `step` characters, where step = shortest needle - 6 + 1, which guarantees
// each occurrence of each needle contains a sampled position. A hit is verified with
// startsWith. Cost per MiB is a few hundred thousand hash lookups, whatever the number of
// secrets, so 50 loaded secrets cost about what 5 do.

export type SecretForm = 'raw' | 'hex' | 'base64' | 'base64url';

export interface KnownSecret {
  /** variable name from the dotenv file, shown in findings as rule `known_secret/<name>` */
  name: string;
  value: string;
}

export interface KnownSecretHit {
  secret: KnownSecret;
  start: number;
  end: number;
  form: SecretForm;
}

interface Needle {
  secret: KnownSecret;
  text: string;
  form: SecretForm;
}

const Q = 6;
export const MIN_NEEDLE = 10;

function hashAt(s: string, p: number): number {
  let h = 0;
  for (let i = 0; i < Q; i++) h = (Math.imul(h, 31) + s.charCodeAt(p + i)) | 0;
  return h;
}

function base64Cores(value: string, urlSafe: boolean): string[] {
  const bytes = Buffer.from(value, 'utf8');
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString(urlSafe ? 'base64url' : 'base64').replace(/=+$/, '');
    // drop the first group when it mixes in unknown preceding bytes, the last when it is partial
    const start = k === 0 ? 0 : 4;
    const total = k + bytes.length;
    const fullGroups = Math.floor(total / 3);
    const end = fullGroups * 4;
    const core = enc.slice(start, end);
    if (core.length >= MIN_NEEDLE) out.push(core);
  }
  return out;
}

function needlesFor(secret: KnownSecret): Needle[] {
  const v = secret.value;
  const out: Needle[] = [{ secret, text: v, form: 'raw' }];
  const hex = Buffer.from(v, 'utf8').toString('hex');
  out.push({ secret, text: hex, form: 'hex' }, { secret, text: hex.toUpperCase(), form: 'hex' });
  for (const core of base64Cores(v, false)) out.push({ secret, text: core, form: 'base64' });
  for (const core of base64Cores(v, true)) if (/[-_]/.test(core)) out.push({ secret, text: core, form: 'base64url' });
  return out.filter((n) => n.text.length >= MIN_NEEDLE);
}

export class KnownSecretMatcher {
  private readonly index = new Map<number, Array<{ needle: Needle; offset: number }>>();
  private readonly step: number;
  readonly size: number;

  constructor(secrets: KnownSecret[]) {
    const needles = secrets.flatMap(needlesFor);
    this.size = secrets.length;
    let shortest = Infinity;
    for (const needle of needles) {
      shortest = Math.min(shortest, needle.text.length);
      for (let o = 0; o + Q <= needle.text.length; o++) {
        const h = hashAt(needle.text, o);
        let list = this.index.get(h);
        if (!list) this.index.set(h, (list = []));
        list.push({ needle, offset: o });
      }
    }
    this.step = Number.isFinite(shortest) ? shortest - Q + 1 : 1;
  }

  find(text: string, maxHits = 32): KnownSecretHit[] {
    if (this.size === 0) return [];
    const hits: KnownSecretHit[] = [];
    const seen = new Set<string>();
    for (let p = 0; p + Q <= text.length && hits.length < maxHits; p += this.step) {
      const list = this.index.get(hashAt(text, p));
      if (!list) continue;
      for (const { needle, offset } of list) {
        const start = p - offset;
        if (start < 0 || !text.startsWith(needle.text, start)) continue;
        const key = `${start}:${needle.form}:${needle.secret.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        hits.push({ secret: needle.secret, start, end: start + needle.text.length, form: needle.form });
      }
    }
    // a raw hit and an encoded hit over the same bytes: keep the widest
    return hits.filter((h) => !hits.some((o) => o !== h && o.start <= h.start && o.end >= h.end && o.end - o.start > h.end - h.start));
  }
}
