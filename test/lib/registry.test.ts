// Walks the whole registry: every pattern's true positives are found with its rule id, in
// every traffic context; every false positive is quiet; no finding carries the secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import { EXFIL_FAMILIES, INJECTION_FAMILIES, FindingSchema } from '../../lib/finding.ts';
import { Scanner } from '../../lib/scan/scanner.ts';
import { compilePatterns } from '../../lib/scan/compile.ts';
import { LEAK_PIECE } from '../../lib/redact.ts';
import { INBOUND_CONTEXTS, OUTBOUND_CONTEXTS } from './contexts.ts';

const scanner = new Scanner({ patterns: [...PATTERNS] });
const compiled = compilePatterns([...PATTERNS]);

test('registry covers every family of the contract, both directions', () => {
  const families = new Set(PATTERNS.map((p) => p.family));
  for (const f of [...EXFIL_FAMILIES, ...INJECTION_FAMILIES]) assert.ok(families.has(f), `no pattern for family ${f}`);
  for (const p of PATTERNS) {
    const exfil = (EXFIL_FAMILIES as readonly string[]).includes(p.family);
    const inj = (INJECTION_FAMILIES as readonly string[]).includes(p.family);
    if (exfil) assert.equal(p.direction, 'outbound', `${p.id}: EXFIL families scan outbound text`);
    if (inj) assert.equal(p.direction, 'inbound', `${p.id}: INJECTION families scan inbound text`);
    assert.ok(p.id.startsWith(p.family + '/'), `${p.id}: id is family/name`);
    assert.ok(p.examples.tp.length >= 1, `${p.id}: needs true-positive examples`);
    assert.ok(p.examples.fp.length >= 1, `${p.id}: needs false-positive examples`);
  }
});

/** The secret span of a tp, found by the pattern's own regex, independent of redaction code. */
function secretsOf(id: string, text: string): string[] {
  const c = compiled.find((x) => x.record.id === id);
  assert.ok(c);
  if (!c.sensitive) return [];
  const re = new RegExp(c.regex.source, c.regex.flags);
  const out: string[] = [];
  for (const m of text.matchAll(re)) {
    const [s, e] = m.indices?.groups?.secret ?? [m.index ?? 0, (m.index ?? 0) + m[0].length];
    out.push(text.slice(s, e));
  }
  return out;
}

function encodedForms(secret: string): string[] {
  const b = Buffer.from(secret);
  return [b.toString('base64'), b.toString('base64url'), b.toString('hex'), encodeURIComponent(secret)];
}

function assertNoLeak(id: string, serialized: string, secret: string, keep: number): void {
  const body = secret.slice(keep);
  for (let i = 0; i + LEAK_PIECE <= body.length; i++) {
    const piece = body.slice(i, i + LEAK_PIECE);
    assert.ok(!serialized.includes(piece), `${id}: output holds secret piece ${JSON.stringify(piece)}`);
  }
  // encoded forms of the part past the public prefix (the prefix itself may stay visible)
  for (const form of encodedForms(body).filter((f) => f.length >= 16)) {
    assert.ok(!serialized.includes(form.slice(4, 16)), `${id}: output holds an encoded form of the secret`);
  }
}

for (const p of PATTERNS) {
  const contexts = p.direction === 'outbound' ? OUTBOUND_CONTEXTS : INBOUND_CONTEXTS;
  test(`pattern ${p.id}: true positives in every traffic context`, () => {
    p.examples.tp.forEach((tp, i) => {
      for (const ctx of contexts) {
        const findings = scanner.scan(ctx.build(tp));
        const hit = findings.find((f) => f.rule_id === p.id);
        assert.ok(hit, `${p.id} tp[${i}] not found in context "${ctx.name}"`);
        FindingSchema.parse(hit);
        const serialized = JSON.stringify(findings);
        for (const secret of secretsOf(p.id, tp)) {
          const keep = p.publicPrefix?.exec(secret)?.[0].length ?? 0;
          assertNoLeak(`${p.id} tp[${i}] ${ctx.name}`, serialized, secret, keep);
        }
      }
    });
  });
  test(`pattern ${p.id}: false positives stay quiet`, () => {
    p.examples.fp.forEach((fp, i) => {
      const findings = scanner.scan({
        direction: p.direction, protocol: 'https', platform: 'openclaw', source: '127.0.0.1',
        dest: 'collector.attacker.test:443', parts: [{ location: 'body', text: fp }],
      });
      const hit = findings.find((f) => f.rule_id === p.id);
      assert.equal(hit, undefined, `${p.id} fp[${i}] fired: ${hit?.snippet}`);
    });
  });
}
