import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Deduper } from '../../lib/dedup.ts';
import { GuardianError } from '../../lib/errors.ts';
import type { Finding } from '../../lib/finding.ts';
import { sampleFinding } from '../support/findings.ts';

const T0 = Date.parse('2026-04-26T00:00:00.000Z');
const at = (ms: number): Date => new Date(T0 + ms);

function finding(over: Partial<Finding> & { ms?: number } = {}): Finding {
  const { ms = 0, ...rest } = over;
  return sampleFinding({
    severity: 'critical',
    snippet: `x-api-key: sk-ant-[REDACTED] #${ms}`,
    timestamp: at(ms).toISOString(),
    fingerprint: 'hmac-sha256:' + 'a'.repeat(32),
    ...rest,
  });
}

const sumCounts = (lines: Finding[]): number => lines.reduce((n, f) => n + (f.count ?? 0), 0);

test('same key 5x in one window: first line at once (count 1), one summary (count 4) after the window', () => {
  const d = new Deduper({ windowMs: 60_000 });
  const lines: Finding[] = [];
  const first = d.offer(finding({ ms: 0 }), at(0));
  assert.equal(first.length, 1);
  assert.equal(first[0]!.count, 1);
  assert.equal(first[0]!.timestamp, at(0).toISOString());
  lines.push(...first);
  for (const ms of [1_000, 2_000, 30_000, 59_999]) {
    assert.deepEqual(d.offer(finding({ ms }), at(ms)), [], 'repeats inside the window are not emitted');
  }
  assert.deepEqual(d.flushExpired(at(59_999)), [], 'window not over yet');
  const summary = d.flushExpired(at(60_000));
  assert.equal(summary.length, 1);
  const s = summary[0]!;
  assert.equal(s.count, 4);
  assert.equal(s.first_seen, at(1_000).toISOString(), 'first_seen = first repeat');
  assert.equal(s.timestamp, at(59_999).toISOString(), 'timestamp = last repeat');
  assert.equal(s.snippet, 'x-api-key: sk-ant-[REDACTED] #59999', 'newest snippet');
  lines.push(...summary);
  assert.equal(lines.length, 2);
  assert.equal(sumCounts(lines), 5, 'sum of count = occurrences');
  assert.equal(d.size, 0);
  assert.deepEqual(d.flushAll(), []);
});

test('a different dest, pattern, fingerprint or agent is a separate key', () => {
  const d = new Deduper({ windowMs: 60_000 });
  const variants = [
    finding(),
    finding({ dest: 'other.example:443' }),
    finding({ pattern: 'aws_access_key_id' }),
    finding({ fingerprint: 'hmac-sha256:' + 'b'.repeat(32) }),
    finding({ agent: 'main' }),
  ];
  for (const v of variants) {
    const out = d.offer(v, at(10));
    assert.equal(out.length, 1);
    assert.equal(out[0]!.count, 1);
  }
  assert.equal(d.size, 5);
});

test('window expiry is checked on offer(): the summary comes out, and the next hit opens a new window', () => {
  const d = new Deduper({ windowMs: 1_000 });
  d.offer(finding({ ms: 0 }), at(0));
  d.offer(finding({ ms: 500 }), at(500));
  d.offer(finding({ ms: 600 }), at(600));
  const out = d.offer(finding({ ms: 1_200 }), at(1_200));
  assert.deepEqual(out.map((f) => f.count), [2, 1], 'summary of the old window, then the new first line');
  assert.equal(out[0]!.first_seen, at(500).toISOString());
  assert.equal(out[1]!.timestamp, at(1_200).toISOString());
  assert.equal(out[1]!.first_seen, undefined);
});

test('a key seen once produces no summary; other keys expire during an unrelated offer', () => {
  const d = new Deduper({ windowMs: 1_000 });
  d.offer(finding({ dest: 'a.example:80' }), at(0));
  d.offer(finding({ dest: 'b.example:80' }), at(0));
  d.offer(finding({ dest: 'b.example:80', ms: 100 }), at(100));
  const out = d.offer(finding({ dest: 'c.example:80', ms: 5_000 }), at(5_000));
  assert.deepEqual(out.map((f) => [f.dest, f.count]), [['b.example:80', 1], ['c.example:80', 1]]);
  assert.equal(d.size, 1);
});

test('injected clock is used when no time is passed; flushAll emits open windows at shutdown', () => {
  let nowMs = 0;
  const d = new Deduper({ windowMs: 60_000, now: () => at(nowMs) });
  const lines: Finding[] = [];
  for (let i = 0; i < 100; i++) {
    nowMs = i * 10;
    lines.push(...d.offer(finding({ ms: nowMs })));
  }
  assert.equal(lines.length, 1);
  nowMs = 30_000;
  assert.deepEqual(d.flushExpired(), []);
  lines.push(...d.flushAll());
  assert.equal(lines.length, 2, 'N repeats in one window give at most 2 lines');
  assert.equal(sumCounts(lines), 100);
  assert.equal(d.size, 0);
});

test('memory is bounded: past maxKeys the oldest key is flushed (its repeats summarized) and forgotten', () => {
  const d = new Deduper({ windowMs: 60_000, maxKeys: 3 });
  const lines: Finding[] = [];
  lines.push(...d.offer(finding({ dest: 'k0:80' }), at(0)));
  lines.push(...d.offer(finding({ dest: 'k0:80', ms: 1 }), at(1)));
  lines.push(...d.offer(finding({ dest: 'k1:80' }), at(2)));
  lines.push(...d.offer(finding({ dest: 'k2:80' }), at(3)));
  const out = d.offer(finding({ dest: 'k3:80' }), at(4));
  assert.deepEqual(out.map((f) => [f.dest, f.count]), [['k0:80', 1], ['k3:80', 1]]);
  lines.push(...out);
  assert.equal(d.size, 3);
  for (let i = 0; i < 1000; i++) lines.push(...d.offer(finding({ dest: `many${i}:80` }), at(10 + i)));
  assert.equal(d.size, 3);
  lines.push(...d.flushAll());
  assert.equal(sumCounts(lines), 5 + 1000, 'no occurrence lost to eviction');
});

test('no fingerprint or window 0: every finding passes through with count 1', () => {
  const noFp = new Deduper({ windowMs: 60_000 });
  const f = finding();
  delete f.fingerprint;
  assert.equal(noFp.offer(f, at(0)).length, 1);
  assert.equal(noFp.offer(f, at(1)).length, 1);
  const off = new Deduper({ windowMs: 0 });
  assert.equal(off.offer(finding(), at(0)).length, 1);
  assert.equal(off.offer(finding(), at(0)).length, 1);
  assert.equal(off.size, 0);
});

test('invalid options are a CONFIG_INVALID error naming the field', () => {
  assert.throws(() => new Deduper({ windowMs: -1 }), (e: unknown) => e instanceof GuardianError && e.code === 'CONFIG_INVALID' && e.problems[0]?.path === 'dedup_window_ms');
  assert.throws(() => new Deduper({ maxKeys: 0 }), (e: unknown) => e instanceof GuardianError && e.problems[0]?.path === 'dedup_max_keys');
});
