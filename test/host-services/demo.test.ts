// `demo` through the real bin: it finishes well inside 15 s of its own time, every sample
// behaves as expected (exit 0 and the summary line), and it leaves nothing behind: its
// temporary home (created under TMPDIR, pointed at a fresh directory here) is gone and the
// monitor's port no longer accepts connections.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runBin } from './setup/helpers.ts';

function sandbox(t: { after: (fn: () => void) => void }) {
  const root = mkdtempSync(join(tmpdir(), 'ctg-demo-test-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const tmp = join(root, 'tmp');
  const home = join(root, 'home');
  mkdirSync(tmp);
  mkdirSync(home);
  return { root, tmp, home };
}

/** What is left in TMPDIR besides tsx's own compile cache (tsx-<uid>, created by the loader). */
function leftovers(dir: string): string[] {
  return readdirSync(dir).filter((n) => !/^tsx-\d+$/.test(n));
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
  });
}

test('demo: N/N samples behave as expected, exit 0, nothing left behind', async (t) => {
  const sb = sandbox(t);
  const env = { PATH: process.env.PATH, HOME: sb.home, TMPDIR: sb.tmp, NO_COLOR: '1' };

  const r = await runBin(['demo'], env, sb.root, 60_000);
  const lines = r.stdout.trimEnd().split('\n');
  const last = lines[lines.length - 1] ?? '';
  assert.match(last, /^(\d+)\/\1 samples behaved as expected$/, `${r.stdout}\n${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Cleanup: temporary home removed, monitor stopped, simulated upstream stopped/);
  assert.match(r.stdout, /key-to-collector\s+critical\s+ai_api_key/);
  assert.match(r.stdout, /\[REDACTED:ai_api_key\]/);
  assert.doesNotMatch(r.stdout, /sk-ant-api03-[A-Za-z0-9_-]{20}/, 'no key in the output');
  assert.deepEqual(leftovers(sb.tmp), [], 'the temporary home is gone');
  assert.deepEqual(readdirSync(sb.home), [], "the user's home was not touched");
});

test('demo --json: the result object, its own time under 15 s, the monitor port closed afterwards', async (t) => {
  const sb = sandbox(t);
  const env = { PATH: process.env.PATH, HOME: sb.home, TMPDIR: sb.tmp, NO_COLOR: '1' };
  const r = await runBin(['demo', '--json'], env, sb.root, 60_000);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.schema_version, 'clawsec-traffic-demo/v1');
  assert.equal(out.ok, true);
  assert.equal(out.passed, out.total);
  assert.ok(out.total >= 10);
  assert.ok(out.duration_ms < 15_000, `took ${out.duration_ms} ms`);
  assert.deepEqual(out.cleanup, { home_removed: true, monitor_stopped: true, upstream_stopped: true });
  assert.equal(out.unattributed, 0);
  const kinds = new Set(out.samples.map((s: { kind: string; direction: string }) => `${s.kind}/${s.direction}`));
  for (const k of ['malicious/outbound', 'malicious/inbound', 'benign/inbound', 'benign/outbound']) assert.ok(kinds.has(k), k);
  for (const s of out.samples) {
    assert.equal(s.scanned, true, s.id);
    if (s.expected === null) assert.deepEqual(s.found, [], `${s.id} stays quiet`);
    else assert.ok(s.found.some((f: { pattern: string }) => f.pattern === s.expected), `${s.id} finds ${s.expected}`);
  }
  assert.ok(out.samples.some((s: { id: string; found: unknown[] }) => s.id === 'own-provider-key' && s.found.length === 0), 'own-provider key stays quiet');
  const port = Number(/:(\d+)$/.exec(out.proxy_url)?.[1]);
  assert.ok(port > 0);
  assert.equal(await refused(port), true, 'the monitor is gone with the process');
  assert.deepEqual(leftovers(sb.tmp), []);
});
