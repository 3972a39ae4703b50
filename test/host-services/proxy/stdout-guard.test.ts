// The console wrap that keeps mockttp quiet: known mockttp lines are swallowed and counted, the
// program's own output passes, and the wrap is gone once the last monitor releases it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guardConsole } from '../../../host-services/proxy/stdout-guard.ts';

/** Run `fn` with process.stdout/stderr writes captured (synchronously restored). */
function captured(fn: () => void): string {
  let out = '';
  const so = process.stdout.write;
  const se = process.stderr.write;
  const grab = ((chunk: string | Uint8Array) => {
    out += chunk.toString();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = grab;
  process.stderr.write = grab;
  try {
    fn();
  } finally {
    process.stdout.write = so;
    process.stderr.write = se;
  }
  return out;
}

test('mockttp lines are swallowed and counted; our own console output passes; release restores console', () => {
  const seen: string[] = [];
  const original = console.log;
  const release = guardConsole((c) => seen.push(c));
  try {
    const out = captured(() => {
      console.log('Response error:', 'read ECONNRESET');
      console.warn('Not forwarding invalid header: "x-secret: value"');
      console.error('Failed to handle request:', 'connect ECONNREFUSED');
      console.log('our own line');
      console.error('our own error');
    });
    assert.equal(out, 'our own line\nour own error\n');
    assert.deepEqual(seen, ['response', 'upstream', 'request']);

    // A second monitor shares the wrap; it stays until the last one releases it.
    const release2 = guardConsole((c) => seen.push(`2:${c}`));
    release2();
    assert.equal(captured(() => console.log('Response error: still guarded')), '');
  } finally {
    release();
  }
  assert.equal(console.log, original, 'console restored');
  assert.equal(captured(() => console.log('Response error: after release')), 'Response error: after release\n');
});
