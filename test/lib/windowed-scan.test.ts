// Windowed matching (lib/scan/windows.ts) must change speed, never results: the same
// findings as running every regex on the whole view, for every registry example placed
// deep inside large text (where windows are actually used), for the evaluation corpus, and
// for the hostile inputs. Plus the reach analysis that sizes the windows.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import { Scanner } from '../../lib/scan/scanner.ts';
import { compilePatterns, boundWhitespaceRuns, MAX_WHITESPACE_RUN } from '../../lib/scan/compile.ts';
import { regexReach } from '../../lib/scan/regex-reach.ts';
import { keywordWindows, matchesIn, matchesNear } from '../../lib/scan/windows.ts';
import { KeywordMatcher } from '../../lib/scan/keywords.ts';
import type { Finding } from '../../lib/finding.ts';
import type { ScanRequest } from '../../lib/scan/types.ts';
import { loadSamples, parseName, toScanRequest } from '../eval/run-eval.ts';
import { hostileInputsFor } from './hostile-inputs.ts';

const fingerprint = (family: string, secret: string): string => `${family}:${secret.length}:${secret.slice(-3)}`;
const windowed = new Scanner({ patterns: [...PATTERNS], fingerprint });
const whole = new Scanner({ patterns: [...PATTERNS], fingerprint, windowed: false });

const summary = (fs: Finding[]): string[] => fs.map((f) => `${f.rule_id} ${f.severity} ${f.location} ${f.fingerprint} ${f.snippet}`).sort();

function same(req: ScanRequest, label: string): Finding[] {
  const a = windowed.scan(req);
  assert.deepEqual(summary(a), summary(whole.scan(req)), label);
  return a;
}

// Benign text with the keywords of both directions scattered through it, so windows are
// many and small instead of one window over everything.
const FILLER_WORDS = ['the', 'agent', 'reads', 'notes', 'about', 'deploys', 'and', 'tests', 'nothing', 'here', 'runs', 'fine'];
function filler(size: number, keywords: string[], seed: number): string {
  const out: string[] = [];
  let n = 0;
  let x = seed;
  while (n < size) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    const w = x % 97 === 0 && keywords.length ? (keywords[x % keywords.length] as string) : (FILLER_WORDS[x % FILLER_WORDS.length] as string);
    out.push(w);
    n += w.length + 1;
    if (x % 13 === 0) out.push('\n');
  }
  return out.join(' ');
}

const req = (direction: 'outbound' | 'inbound', text: string): ScanRequest => ({
  direction,
  protocol: 'https',
  platform: 'openclaw',
  source: '127.0.0.1',
  dest: 'collector.attacker.test:443',
  parts: [{ location: 'body', text }],
});

test('windowed scan: every registry example deep inside large text gives the same findings as a whole-view scan', () => {
  const keywords = { outbound: PATTERNS.filter((p) => p.direction === 'outbound').flatMap((p) => p.keywords), inbound: PATTERNS.filter((p) => p.direction === 'inbound').flatMap((p) => p.keywords) };
  let windowsUsed = 0;
  PATTERNS.forEach((p, i) => {
    const before = filler(24 * 1024, keywords[p.direction], i + 1);
    const after = filler(24 * 1024, keywords[p.direction], i + 1000);
    for (const [kind, examples] of [['tp', p.examples.tp], ['fp', p.examples.fp]] as const) {
      for (const ex of examples) {
        for (const [sep, name] of [['\n', 'own line'], [' ', 'mid-line'], ['', 'glued']] as const) {
          const text = before + sep + ex + sep + after;
          const found = same(req(p.direction, text), `${p.id} ${kind} ${name}: ${ex.slice(0, 60)}`);
          if (kind === 'tp' && sep === '\n') assert.ok(found.some((f) => f.rule_id === p.id), `${p.id}: tp not found inside large text: ${ex.slice(0, 60)}`);
        }
      }
    }
    if (Number.isFinite(compilePatterns([p])[0]?.reach.match)) windowsUsed++;
  });
  // the test means something only if most patterns are windowed
  assert.ok(windowsUsed >= PATTERNS.length * 0.8, `only ${windowsUsed} of ${PATTERNS.length} patterns have a bounded reach`);
});

test('windowed scan: the evaluation corpus gives the same findings as a whole-view scan', () => {
  const samples = loadSamples();
  assert.ok(samples.length > 100);
  for (const s of samples) {
    const r = toScanRequest(s, parseName(s.name));
    same(r, s.name);
    // and the same sample padded with benign text, where windows are small
    const padded = { ...r, parts: r.parts.map((p) => ({ ...p, text: filler(16 * 1024, [], 7) + '\n' + p.text + '\n' + filler(16 * 1024, [], 8) })) };
    same(padded, `${s.name} (padded)`);
  }
});

test('windowed scan: hostile inputs give the same findings as a whole-view scan', () => {
  for (const p of PATTERNS) {
    for (const h of hostileInputsFor(p).slice(0, 6)) same(req(p.direction, h.text.slice(0, 128 * 1024)), `${p.id} ${h.name}`);
  }
});

test('windowed scan: keyword windows are merged, bounded by the text, and dropped when they would cover most of it', () => {
  const m = new KeywordMatcher([{ word: 'curl', wordStart: false }]);
  const text = 'x'.repeat(1000) + 'curl' + 'x'.repeat(50) + 'curl' + 'x'.repeat(5000) + 'curl';
  const hits = m.scan(text);
  const ranges = keywordWindows([0], hits, () => 4, { match: 100, around: 2 }, text.length);
  assert.deepEqual(ranges, [
    [1000 - 102, 1054 + 4 + 102],
    [text.length - 4 - 102, text.length],
  ]);
  assert.equal(keywordWindows([0], hits, () => 4, { match: 5000, around: 0 }, text.length), null, 'windows over most of the text: whole view');
  assert.equal(keywordWindows([0], hits, () => 4, { match: Infinity, around: 0 }, text.length), null, 'unbounded reach: whole view');
});

test('windowed scan: a match is reported in whole-text coordinates, and one cut by a window edge is dropped', () => {
  const text = 'a'.repeat(100) + 'key=abc' + 'a'.repeat(100);
  const re = /(?<![a-z])key=(?<v>[a-z]{3})/dg;
  // the window starts right at `key`: in the slice the lookbehind would see nothing, but the
  // margin of `around` characters keeps the `a` before it, so there is no match
  assert.deepEqual([...matchesIn(re, text, [[100, 107]], 1)], []);
  const re2 = /key=(?<v>[a-z]{3})/dg;
  const [m] = [...matchesIn(re2, text, [[100, 107]], 1)];
  assert.equal(m?.index, 100);
  assert.deepEqual(m?.indices?.groups?.v, [104, 107]);
  assert.equal(m?.input, text);
});

test('regex reach: longest match and lookaround lengths of the syntax our patterns use', () => {
  const cases: Array<[RegExp, number, number]> = [
    [/abc/, 3, 0],
    [/a{2,5}b?/, 6, 0],
    [/(?:ab|cde){0,3}/, 9, 0],
    [/(?<![\w.-])rm\b/, 2, 1],
    [/(?<=x{3})a(?=[yz]{2,4})/, 1, 4],
    [/\bkey\s{1,4}=\s*v/, Infinity, 1],
    [/a+/, Infinity, 0],
    [/(?=(a{1,100}))\1/, 100, 100],
    [/(?<n>ab)\k<n>/, 4, 0],
    [/[\]a-z]{2}\u0041\x41\./, 5, 0],
    [/x{3}/, 3, 0],
    [/a{2,}/, Infinity, 0],
  ];
  for (const [re, match, around] of cases) assert.deepEqual(regexReach(re), { match, around }, re.source);
});

test('regex reach: every pattern is analysable, and its reach covers every true-positive match', () => {
  for (const c of compilePatterns([...PATTERNS])) {
    for (const tp of c.record.examples.tp) {
      c.regex.lastIndex = 0;
      for (let m = c.regex.exec(tp); m !== null; m = c.regex.exec(tp)) {
        assert.ok(m[0].length <= c.reach.match, `${c.record.id}: a match of ${m[0].length} > reach ${c.reach.match}`);
        if (m[0].length === 0) c.regex.lastIndex++;
      }
    }
  }
});

test('white-space runs are bounded outside character classes only', () => {
  assert.equal(boundWhitespaceRuns(String.raw`a\s+b\s*?c[\s+]\\s+`), String.raw`a\s{1,${MAX_WHITESPACE_RUN}}b\s{0,${MAX_WHITESPACE_RUN}}?c[\s+]\\s+`);
  assert.equal(boundWhitespaceRuns(String.raw`[^\s*]\S+`), String.raw`[^\s*]\S+`);
});

test('lead matching: tried only up to `lead` characters before each hit, left to right, never inside a reported match', () => {
  const text = 'x /usr/bin/sh -c a; sh -c b; ssh -c c; /bin/sh -c d';
  const re = /(?<![\w.-])(?:\/usr)?(?:\/s?bin\/)?sh -c \w/dy;
  const hits = [...text.matchAll(/(?<![\w])sh/g)].map((m) => m.index);
  const found = [...matchesNear(re, text, hits, 9)].map((m) => [m.index, m[0]]);
  assert.deepEqual(found, [
    [2, '/usr/bin/sh -c a'],
    [20, 'sh -c b'],
    [39, '/bin/sh -c d'],
  ]);
  // the same as a scan of the whole text with the global regex
  const all = [...text.matchAll(new RegExp(re.source, 'g'))].map((m) => [m.index, m[0]]);
  assert.deepEqual(found, all);
  // a lead too short to reach back to `/usr/bin/` finds only the shorter match at the name:
  // the lead is what bounds the search, so a rule must declare its true lead
  assert.deepEqual([...matchesNear(re, text, hits, 4)].map((m) => m.index), [11, 20, 44]);
});
