// The detection-quality ratchet: the independent evaluation corpus (test/eval/corpus/ plus the
// credential-bearing samples make-corpus.ts generates) scanned with the real detector must
// not do worse than test/eval/baseline.json, which holds the numbers measured when it was
// written (not 100%). A sample that met its expectation then must still meet it; a known
// failure that now passes is reported so the baseline can be raised:
//   node --import tsx test/eval/run-eval.ts --write-baseline
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Scanner } from '../../lib/scan/scanner.ts';
import type { Finding } from '../../lib/finding.ts';
import { BASELINE_FILE, evaluateSample, leaksOf, runEval, type Baseline, type EvalReport } from './run-eval.ts';

const baseline = JSON.parse(readFileSync(BASELINE_FILE, 'utf8')) as Baseline;
const rep: EvalReport = runEval();
const EPS = 1e-9;
const failing = (r: EvalReport['results'][number]): boolean => r.verdict !== 'hit' && r.verdict !== 'clean';

test('the corpus is large and mixed: at least 120 samples, both positives and hard negatives', () => {
  assert.ok(rep.samples >= 120, `only ${rep.samples} samples`);
  assert.ok(rep.positives >= 0.35 * rep.samples && rep.negatives >= 0.35 * rep.samples, `${rep.positives} positives / ${rep.negatives} negatives`);
});

test('overall recall and precision do not drop below the baseline', () => {
  const got = { recall: rep.recall, strongRecall: rep.strongRecall, precision: rep.precision, negativesClean: rep.negativesClean };
  for (const k of Object.keys(got) as Array<keyof typeof got>) {
    assert.ok(got[k] + EPS >= baseline[k], `${k}: ${got[k].toFixed(4)} < baseline ${baseline[k]}`);
  }
});

test('per-family recall, recall at >= medium and precision do not drop below the baseline', () => {
  const drops: string[] = [];
  for (const [family, want] of Object.entries(baseline.families)) {
    const got = rep.families.find((f) => f.family === family);
    if (!got) {
      drops.push(`${family}: no longer measured (family removed or renamed?)`);
      continue;
    }
    if (got.recall + EPS < want.recall) drops.push(`${family} recall ${got.recall.toFixed(4)} < ${want.recall}`);
    if (got.strongRecall + EPS < want.strongRecall) drops.push(`${family} recall>=medium ${got.strongRecall.toFixed(4)} < ${want.strongRecall}`);
    if (got.precision + EPS < want.precision) drops.push(`${family} precision ${got.precision.toFixed(4)} < ${want.precision}`);
  }
  assert.deepEqual(drops, []);
});

test('no sample that met its expectation at the baseline fails now', (t) => {
  const regressions = rep.results
    .filter((r) => failing(r) && !(r.sample.name in baseline.known_failures))
    .map((r) => `${r.verdict}: ${r.sample.name} [${r.findings.map((f) => `${f.rule_id ?? f.pattern}:${f.severity}`).join(', ')}]`);
  const fixed = Object.keys(baseline.known_failures).filter((name) => {
    const r = rep.results.find((x) => x.sample.name === name);
    return r !== undefined && !failing(r);
  });
  if (fixed.length) t.diagnostic(`now passing (raise the baseline with --write-baseline): ${fixed.join(', ')}`);
  assert.deepEqual(regressions, []);
});

test('no finding shows a piece of a placed secret past its public prefix', () => {
  const leaks = rep.results.flatMap((r) => r.leaks.map((l) => `${r.sample.name}: ${l}`));
  assert.deepEqual(leaks, []);
});

test('the harness itself can fail: a scanner without patterns misses every positive', () => {
  const empty = new Scanner({ patterns: [] });
  const blind = runEval(empty);
  assert.equal(blind.detected, 0);
  assert.equal(blind.recall, 0);
  assert.ok(blind.recall < baseline.recall);
  // a negative is clean, a positive a miss, whatever the file says
  const tp = rep.results.find((r) => r.exp.kind === 'tp')!;
  assert.equal(evaluateSample(empty, tp.sample).verdict, 'miss');
});

test('the leak check flags a snippet holding 6 characters of a secret past its prefix', () => {
  const secret = { value: 'gh' + 'p_' + 'Q7xK2mP9vL4nR8sT1wY6zA3bC5dE0fG2hJ4k', publicPrefix: 4 };
  const finding = (snippet: string) => ({ pattern: 'github_token', rule_id: 'github_token/classic', snippet }) as unknown as Finding;
  assert.equal(leaksOf([finding('token=ghp_[REDACTED:github_token]')], [secret]).length, 0);
  assert.equal(leaksOf([finding('token=ghp_Q7xK2m…')], [secret]).length, 1);
});
