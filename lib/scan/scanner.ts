// The scan is one line of named stages, in this order:
//   1. bound     each part is cut at maxScanBytes (marked truncated, never skipped)
//   2. views     normalization + bounded decoding (views.ts)
//   3. prefilter a pattern's regex runs on a view only if one of its keywords occurs, and
//                only on the windows around those keywords when its reach is bounded
//   4. match     regexes with a `secret` group, collected per view
//   5. decide    allow-lists, placeholders, own-provider auth context, pattern `assess`
//   6. redact    snippets built from the view with every secret span in the window replaced;
//                a last check drops any snippet that still holds a piece of any secret found
// Dedup and logging come after the scanner (lib/dedup.ts, lib/log/).
import { createHmac, randomBytes } from 'node:crypto';
import { FINDING_SCHEMA_VERSION, severityRank, threatTypeFor, type Finding, type Severity } from '../finding.ts';
import type { PatternRecord } from '../patterns/types.ts';
import { buildSnippet, leaksSecret, type Span } from '../redact.ts';
import type { ScanLimits, ScanPart, ScanRequest } from './types.ts';
import { buildViews, type View } from './views.ts';
import { isPlaceholder } from './placeholders.ts';
import { compilePatterns, type CompiledPattern } from './compile.ts';
import { KeywordMatcher, type KeywordHits } from './keywords.ts';
import { keywordStarts, keywordWindows, matchesIn, matchesNear } from './windows.ts';
import { KnownSecretMatcher, type KnownSecret } from '../known-secrets/matcher.ts';
import { providerAuthFor } from '../known-secrets/provider.ts';

export const KNOWN_SECRET_FAMILY = 'known_secret';

export const DEFAULT_MAX_SCAN_BYTES = 1024 * 1024;
export const HARD_MAX_SCAN_BYTES = 16 * 1024 * 1024;

export const DEFAULT_LIMITS: ScanLimits = {
  maxScanBytes: DEFAULT_MAX_SCAN_BYTES,
  maxDecodeDepth: 4,
  maxSegments: 256,
  maxDecodedBytes: 2 * 1024 * 1024,
};

/**
 * Accepted matches of one pattern in one view, capped so a hostile body cannot produce
 * unbounded findings; raw regex matches (before allow-lists and `assess`) have their own,
 * larger cap so 32 decoys cannot hide a real 33rd match.
 */
const MAX_MATCHES_PER_VIEW = 32;
const MAX_TRIED_PER_VIEW = 512;

export type Fingerprinter = (family: string, secret: string) => string;

export interface ScannerOptions {
  patterns: PatternRecord[];
  limits?: Partial<ScanLimits>;
  /** keyed hash for dedup; defaults to an HMAC with a per-process random key */
  fingerprint?: Fingerprinter;
  /** the agent's own secret values (held in memory only), found in outbound traffic in any encoding */
  knownSecrets?: KnownSecret[];
  /** run bounded patterns only around their keywords (default true; false for equivalence tests) */
  windowed?: boolean;
}

/** The patterns of one direction with their keyword matcher. */
interface DirectionSet {
  patterns: CompiledPattern[];
  matcher: KeywordMatcher;
  /** per pattern: its keyword ids in `matcher` */
  ids: number[][];
  /** keyword id -> the patterns (indexes) it wakes */
  woken: number[][];
  /** patterns without keywords: they run on every view */
  always: number[];
}

function directionSet(patterns: CompiledPattern[]): DirectionSet {
  const matcher = new KeywordMatcher(patterns.flatMap((p) => p.keywords.map((word) => ({ word, wordStart: p.wordStart, wordEnd: p.wordEnd }))));
  const ids = patterns.map((p) => p.keywords.map((k) => matcher.idOf(k, p.wordStart, p.wordEnd)));
  const woken: number[][] = matcher.specs.map(() => []);
  ids.forEach((list, i) => {
    for (const id of new Set(list)) woken[id]?.push(i);
  });
  return {
    patterns,
    matcher,
    ids,
    woken,
    always: patterns.flatMap((p, i) => (p.keywords.length === 0 ? [i] : [])),
  };
}

interface KnownSecrets {
  matcher: KnownSecretMatcher;
  /** one synthetic pattern per secret, so findings carry `known_secret/<NAME>` and provider context */
  patterns: Map<KnownSecret, CompiledPattern>;
}

interface Candidate {
  pattern: CompiledPattern;
  view: View;
  matchStart: number;
  matchEnd: number;
  /** the secret's span, for sensitive patterns only (paths and commands are shown as they are) */
  span: Span | undefined;
  /** the value fingerprinted and checked for leaks (a known secret's raw value, whatever form matched) */
  secret: string;
  /** the text as it stood in the view (an encoded form for known secrets) */
  matched: string;
  /** encodings beyond the view's own (a known secret matched in its base64 form) */
  extraEncodings?: string[];
  severity: Severity;
}

export class Scanner {
  private readonly outbound: DirectionSet;
  private readonly inbound: DirectionSet;
  private readonly windowed: boolean;
  readonly limits: ScanLimits;
  private readonly fingerprint: Fingerprinter;
  private readonly patternRecords: PatternRecord[];
  private known: KnownSecrets | undefined;

  constructor(opts: ScannerOptions) {
    this.patternRecords = opts.patterns;
    const compiled = compilePatterns(opts.patterns);
    this.outbound = directionSet(compiled.filter((p) => p.record.direction === 'outbound'));
    this.inbound = directionSet(compiled.filter((p) => p.record.direction === 'inbound'));
    this.windowed = opts.windowed ?? true;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.limits.maxScanBytes = Math.min(this.limits.maxScanBytes, HARD_MAX_SCAN_BYTES);
    const key = randomBytes(32);
    this.fingerprint =
      opts.fingerprint ?? ((family, secret) => 'hmac-sha256:' + createHmac('sha256', key).update(`${family}\0${secret}`).digest('hex').slice(0, 32));
    this.setKnownSecrets(opts.knownSecrets ?? []);
  }

  /** Replaces the known secrets (SIGHUP reload). The old values are dropped with the old matcher. */
  setKnownSecrets(secrets: KnownSecret[]): void {
    if (secrets.length === 0) {
      this.known = undefined;
      return;
    }
    const patterns = new Map<KnownSecret, CompiledPattern>();
    for (const s of secrets) {
      const providerAuth = providerAuthFor(s, this.patternRecords);
      const record: PatternRecord = {
        id: `${KNOWN_SECRET_FAMILY}/${s.name}`,
        family: KNOWN_SECRET_FAMILY,
        direction: 'outbound',
        severity: 'critical',
        description: `the agent's own secret ${s.name}, loaded from a secret env file`,
        keywords: [],
        regex: /(?!)/g,
        ...(providerAuth ? { providerAuth } : {}),
        examples: { tp: [], fp: [] },
      };
      // compiled like any rule, though only its record is used: the matcher finds the value
      patterns.set(s, compilePatterns([record])[0] as CompiledPattern);
    }
    this.known = { matcher: new KnownSecretMatcher(secrets), patterns };
  }

  get knownSecretCount(): number {
    return this.known?.matcher.size ?? 0;
  }

  scan(req: ScanRequest): Finding[] {
    const patterns = req.direction === 'outbound' ? this.outbound : this.inbound;
    const destHost = hostOf(req.dest);
    // made on the first finding: most messages have none, and a Date + ISO string per scan
    // was a measurable share of the proxy's per-request cost
    let stamp: string | undefined;
    const findings: Finding[] = [];
    const secretsSeen: Array<{ secret: string; keep: number }> = [];

    for (const part of req.parts) {
      const { text, truncated } = bound(part, this.limits.maxScanBytes);
      if (text.length === 0) continue;
      const views = buildViews(text, part.encodings ?? [], req.direction, this.limits);
      const chosen = new Map<string, { c: Candidate; snippet: string }>();
      for (const view of views) {
        const candidates = this.matchView(patterns, view, part.location, destHost);
        if (req.direction === 'outbound' && this.known) candidates.push(...this.matchKnown(this.known, view, part.location, destHost));
        const spans = candidates.flatMap((c) => (c.span ? [c.span] : []));
        for (const c of candidates) {
          const key = `${c.pattern.record.id}\0${canonicalSecret(c)}`;
          const prev = chosen.get(key);
          // the least-decoded view wins, unless a later candidate is more severe
          if (prev && severityRank(c.severity) <= severityRank(prev.c.severity)) continue;
          chosen.set(key, {
            c,
            snippet: buildSnippet(view.text, c.matchStart, c.matchEnd, spans, c.span ? undefined : { start: c.matchStart, end: c.matchEnd }),
          });
        }
      }
      // A known secret that a registry pattern also matched is reported once, as known_secret.
      const knownValues = [...chosen.values()].filter((x) => x.c.pattern.record.family === KNOWN_SECRET_FAMILY).map((x) => x.c.secret);
      // A catch-all rule repeats what a specific family already said about the same secret.
      const specificSecrets = [...chosen.values()].filter((x) => x.c.span && !x.c.pattern.record.generic).map((x) => x.c.secret);
      for (const { c, snippet } of chosen.values()) {
        if (c.span) secretsSeen.push({ secret: c.secret, keep: c.span.keep });
        if (c.matched !== c.secret) secretsSeen.push({ secret: c.matched, keep: 0 });
        if (c.span && c.pattern.record.family !== KNOWN_SECRET_FAMILY && knownValues.some((v) => v.includes(c.secret))) continue;
        if (c.pattern.record.generic && specificSecrets.some((v) => v.includes(c.secret) || c.secret.includes(v))) continue;
        const rec = c.pattern.record;
        findings.push({
          schema_version: FINDING_SCHEMA_VERSION,
          platform: req.platform,
          direction: req.direction,
          protocol: req.protocol,
          threat_type: threatTypeFor(req.direction),
          pattern: rec.family,
          severity: c.severity,
          source: req.source,
          dest: req.dest,
          snippet,
          timestamp: (stamp ??= (req.now ?? new Date()).toISOString()),
          rule_id: rec.id,
          location: part.location,
          ...(c.view.encodings.length || c.extraEncodings ? { encodings: [...c.view.encodings, ...(c.extraEncodings ?? [])] } : {}),
          fingerprint: this.fingerprint(rec.family, canonicalSecret(c)),
          ...(req.agent ? { agent: req.agent } : {}),
          ...(truncated ? { truncated: true } : {}),
          ...(req.method ? { method: req.method } : {}),
          ...(req.path ? { path: redactPath(req.path) } : {}),
        });
      }
    }
    // Last line of defence: no snippet may carry a piece of any secret found in this message
    // (a key from one part can sit in the context window of another part's finding).
    for (const f of findings) {
      for (const s of secretsSeen) {
        if (leaksSecret(f.snippet, s.secret, s.keep)) {
          f.snippet = `[REDACTED:${f.pattern}]`;
          break;
        }
      }
    }
    return findings;
  }

  private matchKnown(known: KnownSecrets, view: View, location: string, destHost: string): Candidate[] {
    return knownCandidates(known, view, location, destHost);
  }

  /** Where a rule's regex runs: near its keywords (lead), in windows around them, or everywhere. */
  private matches(set: DirectionSet, i: number, p: CompiledPattern, hits: KeywordHits, text: string): Generator<RegExpExecArray> {
    const ids = set.ids[i] as number[];
    if (this.windowed && p.sticky && p.record.keywordLead !== undefined) {
      const starts = keywordStarts(ids, hits);
      if (starts) return matchesNear(p.sticky, text, starts, p.record.keywordLead);
    }
    const ranges = this.windowed ? keywordWindows(ids, hits, set.matcher.lengthOf, p.reach, text.length) : null;
    return matchesIn(p.regex, text, ranges, p.reach.around);
  }

  private matchView(set: DirectionSet, view: View, location: string, destHost: string): Candidate[] {
    const hits = set.matcher.scan(view.text);
    const out: Candidate[] = [];
    if (hits.positions.size === 0 && set.always.length === 0) return out;
    // the patterns a keyword woke, run in registry order (findings keep a stable order)
    const run = new Set<number>(set.always);
    for (const id of hits.positions.keys()) for (const i of set.woken[id] ?? []) run.add(i);
    for (const i of [...run].sort((a, b) => a - b)) {
      const p = set.patterns[i] as CompiledPattern;
      let n = 0;
      let tried = 0;
      for (const m of this.matches(set, i, p, hits, view.text)) {
        if (n >= MAX_MATCHES_PER_VIEW || tried >= MAX_TRIED_PER_VIEW) break;
        tried++;
        if (m[0].length === 0) continue;
        const [gStart, gEnd] = m.indices?.groups?.secret ?? [m.index, m.index + m[0].length];
        const secret = view.text.slice(gStart, gEnd);
        const rec = p.record;
        if (rec.allow?.some((a) => a.test(secret) || a.test(m[0]))) continue;
        if (p.sensitive && isPlaceholder(secret)) continue;
        if (rec.providerAuth && rec.providerAuth.hosts.test(destHost) && rec.providerAuth.locations.includes(location)) continue;
        let severity: Severity = rec.severity;
        if (rec.assess) {
          const verdict = rec.assess({ text: view.text, match: m, secret, location, destHost, encodings: view.encodings });
          if (verdict === null) continue;
          severity = verdict;
        }
        const prefix = rec.publicPrefix?.exec(secret)?.[0].length ?? 0;
        n++;
        out.push({
          pattern: p,
          view,
          matchStart: m.index,
          matchEnd: m.index + m[0].length,
          span: p.sensitive ? { start: gStart, end: gEnd, family: rec.family, keep: prefix } : undefined,
          secret,
          matched: secret,
          severity,
        });
      }
    }
    return out;
  }
}

/** Known-secret hits in one view, with the same decide stage as patterns (own-provider context). */
function knownCandidates(known: KnownSecrets, view: View, location: string, destHost: string): Candidate[] {
  const out: Candidate[] = [];
  for (const hit of known.matcher.find(view.text)) {
    const p = known.patterns.get(hit.secret);
    if (!p) continue;
    const auth = p.record.providerAuth;
    if (auth && auth.hosts.test(destHost) && auth.locations.includes(location)) continue;
    out.push({
      pattern: p,
      view,
      matchStart: hit.start,
      matchEnd: hit.end,
      span: { start: hit.start, end: hit.end, family: KNOWN_SECRET_FAMILY, keep: 0 },
      secret: hit.secret.value,
      matched: view.text.slice(hit.start, hit.end),
      ...(hit.form !== 'raw' ? { extraEncodings: [hit.form] } : {}),
      severity: 'critical',
    });
  }
  return out;
}

/** The secret as dedup and fingerprints see it: one key in two views is one key. */
function canonicalSecret(c: Candidate): string {
  return c.pattern.record.canonical ? c.pattern.record.canonical(c.secret) : c.secret;
}

function bound(part: ScanPart, maxBytes: number): { text: string; truncated: boolean } {
  // Characters, not bytes, are cut here; the proxy bounds raw bytes before decoding.
  if (part.text.length <= maxBytes) return { text: part.text, truncated: part.truncated ?? false };
  return { text: part.text.slice(0, maxBytes), truncated: true };
}

function hostOf(dest: string): string {
  const d = dest.toLowerCase();
  if (d.startsWith('[')) return d.slice(1, d.indexOf(']'));
  const i = d.lastIndexOf(':');
  return i > 0 && d.indexOf(':') === i ? d.slice(0, i) : d;
}

/** The URL path shown in findings: kept short, with long opaque segments masked. */
function redactPath(path: string): string {
  const p = path.split('?')[0] ?? '';
  return buildSnippet(p.length > 120 ? p.slice(0, 120) : p, 0, 0, []);
}
