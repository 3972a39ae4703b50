// The detector sink between the proxy and the findings log: scanner -> dedup -> log, keyed
// fingerprints, the flush timer, and faults that are counted instead of thrown.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, statSync } from 'node:fs';
import { createDetectorSink } from '../../../host-services/detector-sink.ts';
import type { ScanRequest } from '../../../lib/scan/types.ts';
import { fakeKey, findingLines, Sandbox, waitFor } from './helpers.ts';

function config(over: { dedup_window_ms?: number } = {}) {
  return { max_scan_bytes: 1024 * 1024, dedup_window_ms: over.dedup_window_ms ?? 60_000, log: { dir: '', max_bytes: 10 * 1024 * 1024, max_files: 5 } };
}

function request(body: string, dest = '127.0.0.1:9999'): ScanRequest {
  return { direction: 'outbound', protocol: 'http', platform: 'openclaw', source: '127.0.0.1', dest, parts: [{ location: 'body', text: body }] };
}

test('findings reach the log once per window; close() writes the summary; fingerprints are keyed', (t) => {
  const sb = new Sandbox(t);
  const sink = createDetectorSink({ layout: sb.layout, config: config(), platform: 'openclaw' });
  const key = fakeKey('sink-1');
  for (let i = 0; i < 3; i++) sink.inspect(request(`{"k":"${key}"}`));
  assert.equal(findingLines(sb.layout).length, 1);
  const c = sink.counters();
  assert.equal(c.scanned, 3);
  assert.equal(c.findings_detected, 3);
  assert.equal(c.findings_deduplicated, 2);
  assert.equal(c.findings_logged, 1);
  sink.close();
  const lines = findingLines(sb.layout);
  assert.deepEqual(lines.map((l) => l.count), [1, 2]);
  assert.match(lines[0]?.fingerprint, /^hmac-sha256:[0-9a-f]{32}$/);
  assert.ok(!readFileSync(sb.layout.findingsLog, 'utf8').includes(key.slice(14, 30)), 'no secret in the log');
  // the same secret under a new install key fingerprints differently (keyed, not a plain hash)
  const other = new Sandbox(t);
  const sink2 = createDetectorSink({ layout: other.layout, config: config(), platform: 'openclaw' });
  sink2.inspect(request(`{"k":"${key}"}`));
  sink2.close();
  assert.notEqual(findingLines(other.layout)[0]?.fingerprint, lines[0]?.fingerprint);
  // inspect after close is a no-op, never a throw
  sink.inspect(request(key));
  assert.equal(sink.counters().scanned, 3);
});

test('the flush timer writes summaries of windows that ended', { timeout: 30_000 }, async (t) => {
  const sb = new Sandbox(t);
  const sink = createDetectorSink({ layout: sb.layout, config: config({ dedup_window_ms: 200 }), platform: 'openclaw' });
  t.after(() => sink.close());
  const key = fakeKey('sink-2');
  sink.inspect(request(key));
  sink.inspect(request(key));
  await waitFor('summary flushed by the timer', () => findingLines(sb.layout).length === 2, 10_000);
  assert.deepEqual(findingLines(sb.layout).map((l) => l.count), [1, 1]);
});

test('a detector exception and a failing log are counted, never thrown', (t) => {
  const sb = new Sandbox(t);
  const sink = createDetectorSink({ layout: sb.layout, config: config({ dedup_window_ms: 0 }), platform: 'openclaw' });
  // a malformed request makes the scanner throw
  assert.doesNotThrow(() => sink.inspect({ ...request('x'), parts: null as unknown as ScanRequest['parts'] }));
  let c = sink.counters();
  assert.equal(c.detector_errors, 1);
  assert.equal(c.last_error?.kind, 'detector_error');
  assert.equal(c.last_error?.code, 'TypeError');

  // the log path becomes unwritable: a directory where the file should be
  mkdirSync(sb.layout.findingsLog, { recursive: true });
  assert.doesNotThrow(() => sink.inspect(request(fakeKey('sink-3'))));
  c = sink.counters();
  assert.equal(c.log_write_failures, 1);
  assert.equal(c.last_error?.kind, 'log_write');
  assert.ok(!JSON.stringify(c).includes(sb.root), 'faults carry no path');
  assert.doesNotThrow(() => sink.close());
});

test('the install key is created 0600 under the home and reused', (t) => {
  const sb = new Sandbox(t);
  createDetectorSink({ layout: sb.layout, config: config(), platform: 'openclaw' }).close();
  const first = readFileSync(sb.layout.installKey);
  createDetectorSink({ layout: sb.layout, config: config(), platform: 'openclaw' }).close();
  assert.deepEqual(readFileSync(sb.layout.installKey), first);
  assert.equal(statSync(sb.layout.installKey).mode & 0o777, 0o600);
});
