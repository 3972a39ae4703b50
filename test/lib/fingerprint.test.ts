import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, symlinkSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { fingerprintSecret, loadOrCreateInstallKey, INSTALL_KEY_BYTES } from '../../lib/fingerprint.ts';
import { homeLayout } from '../../lib/home-layout.ts';
import { GuardianError } from '../../lib/errors.ts';

const run = promisify(execFile);
const fixture = new URL('../fixtures/install-key-child.ts', import.meta.url).pathname;
// built at runtime so the repo holds no secret-looking literal
const fakeSecret = 'sk-' + 'ant-' + 'api03-' + 'Q'.repeat(20) + 'x9Zt'.repeat(6);

function tempHome(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctg-fp-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return join(dir, 'home', 'nested');
}

test('install key: created 0600 in a 0700 home, 32 bytes, reused across calls', (t) => {
  const home = tempHome(t);
  const k1 = loadOrCreateInstallKey(home);
  const keyPath = homeLayout(home).installKey;
  assert.equal(k1.length, INSTALL_KEY_BYTES);
  assert.equal(statSync(keyPath).mode & 0o777, 0o600);
  assert.equal(statSync(home).mode & 0o777, 0o700);
  assert.deepEqual(readFileSync(keyPath), k1);
  const k2 = loadOrCreateInstallKey(home);
  assert.deepEqual(k2, k1);
  // no temp files left behind
  assert.deepEqual(readdirSync(home), ['install.key']);
});

test('install key: a loosened key file is tightened back to 0600 and kept', (t) => {
  const home = tempHome(t);
  const k1 = loadOrCreateInstallKey(home);
  chmodSync(homeLayout(home).installKey, 0o644);
  assert.deepEqual(loadOrCreateInstallKey(home), k1);
  assert.equal(statSync(homeLayout(home).installKey).mode & 0o777, 0o600);
});

test('install key: a wrong-size key or a symlink is refused with HOME_UNSAFE', (t) => {
  const home = tempHome(t);
  loadOrCreateInstallKey(home);
  const keyPath = homeLayout(home).installKey;
  writeFileSync(keyPath, 'short', { mode: 0o600 });
  assert.throws(() => loadOrCreateInstallKey(home), (e: unknown) => e instanceof GuardianError && e.code === 'HOME_UNSAFE');
  rmSync(keyPath);
  const elsewhere = join(home, 'elsewhere.bin');
  writeFileSync(elsewhere, Buffer.alloc(32, 7));
  symlinkSync(elsewhere, keyPath);
  assert.throws(() => loadOrCreateInstallKey(home), (e: unknown) => e instanceof GuardianError && e.code === 'HOME_UNSAFE');
});

test('install key: concurrent creators in separate processes all end up with one key', async (t) => {
  const home = tempHome(t);
  const startAt = Date.now() + 1500; // after every child has loaded tsx
  const children = Array.from({ length: 6 }, () =>
    run(process.execPath, ['--import', 'tsx', fixture, home, String(startAt)], { timeout: 20_000 }),
  );
  const keys = (await Promise.all(children)).map((r) => r.stdout.trim());
  assert.equal(keys.length, 6);
  assert.equal(new Set(keys).size, 1, 'every process got the same key');
  assert.equal(keys[0], readFileSync(homeLayout(home).installKey).toString('hex'));
  assert.deepEqual(readdirSync(home), ['install.key']);
});

test('fingerprint: keyed, stable, family-separated, never the plain sha256 of the secret', (t) => {
  const keyA = loadOrCreateInstallKey(tempHome(t));
  const keyB = loadOrCreateInstallKey(tempHome(t));
  assert.notDeepEqual(keyA, keyB);

  const fa = fingerprintSecret(keyA, 'ai_api_key', fakeSecret);
  assert.match(fa, /^hmac-sha256:[0-9a-f]{32}$/);
  assert.equal(fingerprintSecret(keyA, 'ai_api_key', fakeSecret), fa, 'stable for the same key');
  assert.notEqual(fingerprintSecret(keyB, 'ai_api_key', fakeSecret), fa, 'differs with another install key');
  assert.notEqual(fingerprintSecret(keyA, 'aws_access_key_id', fakeSecret), fa, 'differs per family');
  assert.notEqual(fingerprintSecret(keyA, 'ai_api_key', fakeSecret + 'x'), fa, 'differs per secret');

  const hex = fa.slice('hmac-sha256:'.length);
  for (const plain of [fakeSecret, 'ai_api_key' + fakeSecret, 'ai_api_key\0' + fakeSecret]) {
    const sha = createHash('sha256').update(plain).digest('hex');
    assert.ok(!sha.startsWith(hex), 'not a truncated plain sha256');
  }
  assert.ok(!fa.includes(fakeSecret.slice(8, 14)), 'no piece of the secret');
});

test('fingerprint: refuses a key too short to be a real install key', () => {
  assert.throws(() => fingerprintSecret(Buffer.alloc(4), 'ai_api_key', 'x'), GuardianError);
});
