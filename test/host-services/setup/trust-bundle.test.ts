// The combined trust bundle: system roots (first readable candidate, an existing SSL_CERT_FILE
// preferred, Node's roots as the fallback) + the guardian CA; never the CA alone; 0644 whatever
// the umask; only under the home; rewritten only when its content changes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rootCertificates } from 'node:tls';
import { ensureCa } from '../../../host-services/proxy/ca.ts';
import { findSystemBundle, writeTrustBundle } from '../../../host-services/setup/trust-bundle.ts';
import { homeLayout } from '../../../lib/home-layout.ts';
import { isGuardianError } from '../../../lib/errors.ts';

function tempDir(t: { after: (fn: () => void) => void }): string {
  const d = mkdtempSync(join(tmpdir(), 'ctg-bundle-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

const count = (pem: string) => (pem.match(/-----BEGIN CERTIFICATE-----/g) ?? []).length;

test('the first candidate holding certificates is the system part; empty files are skipped', (t) => {
  const d = tempDir(t);
  const empty = join(d, 'empty.pem');
  const two = join(d, 'two.pem');
  writeFileSync(empty, '# no certificates here\n');
  writeFileSync(two, `${rootCertificates[0]}\n${rootCertificates[1]}\n`);
  const found = findSystemBundle({ candidates: [join(d, 'missing.pem'), empty, two] });
  assert.equal(found.source, two);
  assert.equal(found.certificates, 2);
});

test("without any system bundle, Node's bundled roots are used (never the CA alone)", async (t) => {
  const d = tempDir(t);
  const layout = homeLayout(join(d, 'home'));
  const ca = await ensureCa(layout);
  const r = writeTrustBundle(layout, { pem: ca.certPem, fingerprint256: ca.fingerprint256 }, { candidates: [join(d, 'nope.pem')] });
  assert.equal(r.systemSource, 'node:tls.rootCertificates');
  assert.equal(r.systemCertificates, rootCertificates.length);
  const text = readFileSync(layout.trustBundle, 'utf8');
  assert.equal(count(text), rootCertificates.length + 1);
  assert.ok(text.trimEnd().endsWith(ca.certPem.trim()), 'the guardian CA comes last');
  assert.ok(text.includes(`SHA-256 ${ca.fingerprint256}`));
});

test('an existing SSL_CERT_FILE is preferred, but never the bundle itself (no nesting)', async (t) => {
  const d = tempDir(t);
  const layout = homeLayout(join(d, 'home'));
  const ca = await ensureCa(layout);
  const corp = join(d, 'corp.pem');
  writeFileSync(corp, `${rootCertificates[5]}\n`);
  const r1 = writeTrustBundle(layout, { pem: ca.certPem, fingerprint256: ca.fingerprint256 }, { preferred: [corp] });
  assert.equal(r1.systemSource, corp);
  assert.equal(count(readFileSync(layout.trustBundle, 'utf8')), 2);
  // SSL_CERT_FILE already pointing at our bundle (sourced earlier): fall back to the system bundle
  const r2 = writeTrustBundle(layout, { pem: ca.certPem, fingerprint256: ca.fingerprint256 }, { preferred: [layout.trustBundle], candidates: [corp] });
  assert.equal(r2.systemSource, corp);
  assert.equal(count(readFileSync(layout.trustBundle, 'utf8')), 2);
});

test('mode 0644 under a strict umask, rewritten only on change', async (t) => {
  const d = tempDir(t);
  const layout = homeLayout(join(d, 'home'));
  const ca = await ensureCa(layout);
  const old = process.umask(0o077);
  try {
    const first = writeTrustBundle(layout, { pem: ca.certPem, fingerprint256: ca.fingerprint256 });
    assert.equal(first.written, true);
    assert.equal(statSync(layout.trustBundle).mode & 0o777, 0o644);
    const again = writeTrustBundle(layout, { pem: ca.certPem, fingerprint256: ca.fingerprint256 });
    assert.equal(again.written, false);
  } finally {
    process.umask(old);
  }
});

test('refuses a bundle path outside the home and a CA without a certificate', async (t) => {
  const d = tempDir(t);
  const layout = homeLayout(join(d, 'home'));
  const ca = await ensureCa(layout);
  const outside = { ...layout, trustBundle: join(d, 'elsewhere.pem') };
  assert.throws(
    () => writeTrustBundle(outside, { pem: ca.certPem, fingerprint256: ca.fingerprint256 }),
    (e: unknown) => isGuardianError(e) && e.code === 'HOME_UNSAFE',
  );
  assert.throws(
    () => writeTrustBundle(layout, { pem: 'not a certificate', fingerprint256: 'x' }),
    (e: unknown) => isGuardianError(e) && e.code === 'CA_FAILED',
  );
});
