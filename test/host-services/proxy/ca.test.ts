// The HTTPS inspection CA: created once with tight permissions, reused, never inside a NanoClaw
// project, key material never handed back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generateCACertificate } from 'mockttp';
import { Scope, hasOpenssl } from './helpers.ts';
import { assertNotContainerVisible, caFingerprint, ensureCa } from '../../../host-services/proxy/ca.ts';
import { homeLayout } from '../../../lib/home-layout.ts';
import { GuardianError } from '../../../lib/errors.ts';

const mode = (p: string): number => statSync(p).mode & 0o777;

test('ensureCa creates a CA once (dir 0700, key 0600, cert 0644) and reuses it', async () => {
  const scope = new Scope();
  try {
    const layout = homeLayout(join(scope.tempDir(), 'home'));
    const first = await ensureCa(layout);
    assert.equal(first.created, true);
    assert.equal(mode(layout.caDir), 0o700);
    assert.equal(mode(layout.caKey), 0o600);
    assert.equal(mode(layout.caCert), 0o644);
    const cert = new X509Certificate(readFileSync(layout.caCert));
    assert.equal(cert.ca, true);
    assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(layout.caKey))));
    assert.equal(first.fingerprint256, cert.fingerprint256);
    assert.equal(caFingerprint(first.certPem), cert.fingerprint256);
    assert.match(first.fingerprint256, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.ok(!JSON.stringify(first).includes('PRIVATE KEY'), 'no key material returned');

    const again = await ensureCa(layout);
    assert.equal(again.created, false);
    assert.equal(again.fingerprint256, first.fingerprint256);

    // Loosened permissions are tightened again.
    chmodSync(layout.caKey, 0o644);
    chmodSync(layout.caDir, 0o755);
    await ensureCa(layout);
    assert.equal(mode(layout.caKey), 0o600);
    assert.equal(mode(layout.caDir), 0o700);
  } finally {
    await scope.close();
  }
});

test('the fingerprint equals openssl x509 -fingerprint -sha256', { skip: hasOpenssl() ? false : 'openssl missing' }, async () => {
  const scope = new Scope();
  try {
    const layout = homeLayout(scope.tempDir());
    const ca = await ensureCa(layout);
    const out = execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256', '-in', layout.caCert], { encoding: 'utf8' });
    assert.equal(out.trim().split('=')[1], ca.fingerprint256);
  } finally {
    await scope.close();
  }
});

test('concurrent ensureCa calls end with one matching pair', async () => {
  const scope = new Scope();
  try {
    const layout = homeLayout(scope.tempDir());
    const [a, b] = await Promise.all([ensureCa(layout), ensureCa(layout)]);
    assert.equal(a.fingerprint256, b.fingerprint256);
    const cert = new X509Certificate(readFileSync(layout.caCert));
    assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(layout.caKey))));
  } finally {
    await scope.close();
  }
});

test('a half-written CA (key without cert) is replaced; a mismatched pair is refused with CA_FAILED', async () => {
  const scope = new Scope();
  try {
    const layout = homeLayout(scope.tempDir());
    const first = await ensureCa(layout);
    rmSync(layout.caCert);
    const redo = await ensureCa(layout, { halfWrittenGraceMs: 50 });
    assert.equal(redo.created, true);
    assert.notEqual(redo.fingerprint256, first.fingerprint256);

    const other = await generateCACertificate();
    writeFileSync(layout.caCert, other.cert);
    await assert.rejects(ensureCa(layout), (err: unknown) => err instanceof GuardianError && err.code === 'CA_FAILED' && /does not match/.test(err.message));
  } finally {
    await scope.close();
  }
});

test('a CA directory inside a NanoClaw project root is refused with HOME_UNSAFE (symlinks resolved), nothing written', async () => {
  const scope = new Scope();
  try {
    const base = scope.tempDir();
    const root = join(base, 'nanoclaw');
    for (const d of ['groups/main', 'data/ipc', 'store']) mkdirSync(join(root, d), { recursive: true });
    const isUnsafe = (err: unknown): boolean => err instanceof GuardianError && err.code === 'HOME_UNSAFE';

    for (const inside of [root, join(root, 'groups/main/ca'), join(root, 'data/ipc/x/ca'), join(root, 'store/ca'), join(root, 'not-yet/created/ca')]) {
      assert.throws(() => assertNotContainerVisible(inside, root), isUnsafe, inside);
    }
    symlinkSync(join(root, 'groups'), join(base, 'innocent'));
    assert.throws(() => assertNotContainerVisible(join(base, 'innocent', 'ca'), root), isUnsafe, 'through a symlink');
    assert.doesNotThrow(() => assertNotContainerVisible(join(base, 'home', 'ca'), root));
    assert.doesNotThrow(() => assertNotContainerVisible(join(base, 'nanoclaw-sibling', 'ca'), root));
    assert.doesNotThrow(() => assertNotContainerVisible(join(root, 'groups', 'ca')));

    const layout = homeLayout(join(root, 'groups', 'main', 'guardian'));
    await assert.rejects(ensureCa(layout, { nanoclawRoot: root }), isUnsafe);
    assert.equal(existsSync(layout.caDir), false);
  } finally {
    await scope.close();
  }
});
