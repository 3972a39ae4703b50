// The HTTPS inspection CA: created once with tight permissions, reused, never inside a NanoClaw
// project, key material never handed back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { join } from 'node:path';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { generateCACertificate } from 'mockttp';
import { Scope, hasOpenssl } from './helpers.ts';
import { assertNotContainerVisible, caFingerprint, ensureCa } from '../../../host-services/proxy/ca.ts';
import { homeLayout } from '../../../lib/home-layout.ts';
import { GuardianError } from '../../../lib/errors.ts';

const mode = (p: string): number => statSync(p).mode & 0o777;
const run = promisify(execFile);
const REPO = new URL('../../../', import.meta.url).pathname;
const caChild = new URL('../../fixtures/ca-child.ts', import.meta.url).pathname;
const BIN = new URL('../../../bin/clawsec-traffic-guardian.mjs', import.meta.url).pathname;
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** `cmd args` under `ulimit -f 1` (512 or 1024 bytes, by the sh): a CA key does not fit. */
async function underFileSizeLimit(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; signal: string | null; stdout: string; stderr: string }> {
  try {
    const r = await run('sh', ['-c', 'ulimit -f 1 && exec "$@"', 'sh', process.execPath, ...args], { cwd: REPO, env, timeout: 120_000 });
    return { code: 0, signal: null, stdout: r.stdout, stderr: r.stderr };
  } catch (err) {
    const e = err as { code?: number; signal?: string | null; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, signal: e.signal ?? null, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

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

test('CA files that cannot be written whole (file size limit: short write, then EFBIG) fail with CA_FAILED, leave nothing behind; the next start makes a valid CA', { timeout: 180_000 }, async () => {
  const scope = new Scope();
  try {
    const base = scope.tempDir();
    const layout = homeLayout(join(base, 'home'));
    // own TMPDIR: tsx's compile cache must not be written under the limit
    const env = { PATH: process.env.PATH, HOME: base, TMPDIR: join(base, 'tmp') };
    mkdirSync(env.TMPDIR);

    const r = await underFileSizeLimit(['--import', 'tsx', caChild, layout.home], env);
    assert.equal(r.signal, null, r.stderr);
    const out = JSON.parse(r.stdout) as { ok: boolean; code?: string; message?: string; fix?: string };
    assert.equal(out.ok, false, `a truncated CA was reported as created: ${r.stdout}`);
    assert.equal(out.code, 'CA_FAILED');
    assert.match(out.message!, /EFBIG/);
    assert.match(out.fix!, /start again/);
    assert.deepEqual(readdirSync(layout.caDir), [], 'no key, certificate or temp file left in the CA directory');

    // the whole start fails closed the same way: exit 1, the error on stderr, no run files
    const start = await underFileSizeLimit([BIN, 'start', '--foreground', '--https-inspection', '--port', '0', '--home', layout.home], env);
    assert.equal(start.signal, null, start.stderr);
    assert.equal(start.code, 1, start.stderr);
    assert.match(start.stderr, /could not write the CA/);
    assert.match(start.stderr, /^fix: /m);
    assert.equal(start.stdout, '', 'nothing on stdout: no proxy URL was offered');
    assert.deepEqual(readdirSync(layout.caDir), []);
    assert.equal(existsSync(layout.stateFile) || existsSync(layout.pidFile), false, 'no run files');

    // without the limit the next attempt generates a complete, matching CA
    const ok = await ensureCa(layout);
    assert.equal(ok.created, true);
    const cert = new X509Certificate(readFileSync(layout.caCert));
    assert.ok(cert.checkPrivateKey(createPrivateKey(readFileSync(layout.caKey))));
  } finally {
    await scope.close();
  }
});

test('a file where the CA directory should be fails with CA_FAILED naming it and the fix; nothing is written', async () => {
  const scope = new Scope();
  try {
    const layout = homeLayout(join(scope.tempDir(), 'home'));
    mkdirSync(layout.home, { recursive: true });
    writeFileSync(layout.caDir, 'not a directory');
    await assert.rejects(ensureCa(layout), (err: unknown) => {
      assert.ok(err instanceof GuardianError);
      assert.equal(err.code, 'CA_FAILED');
      assert.ok(err.message.includes(layout.caDir), err.message);
      assert.match(err.fix ?? '', /not a directory is in the way/);
      return true;
    });
    assert.equal(readFileSync(layout.caDir, 'utf8'), 'not a directory', 'the file in the way is untouched');
  } finally {
    await scope.close();
  }
});

test('a CA key that is a link, or owned by another user, is refused with HOME_UNSAFE; a linked file is never chmod-ed', async () => {
  const scope = new Scope();
  try {
    const base = scope.tempDir();
    const layout = homeLayout(join(base, 'home'));
    await ensureCa(layout);
    const isUnsafe = (err: unknown): boolean => err instanceof GuardianError && err.code === 'HOME_UNSAFE';

    // the key replaced by a link to a (matching) key elsewhere, readable by others there
    const elsewhere = join(base, 'elsewhere.pem');
    renameSync(layout.caKey, elsewhere);
    chmodSync(elsewhere, 0o644);
    symlinkSync(elsewhere, layout.caKey);
    await assert.rejects(ensureCa(layout), isUnsafe);
    assert.equal(mode(elsewhere), 0o644, 'the link target was not touched');
    rmSync(layout.caKey);
    renameSync(elsewhere, layout.caKey);
    chmodSync(layout.caKey, 0o600);
    assert.equal((await ensureCa(layout)).created, false, 'the real file is accepted again');

    if (isRoot) {
      // a key another user owns (and so could replace) is not ours to trust
      chownSync(layout.caKey, 65534, 65534);
      await assert.rejects(ensureCa(layout), isUnsafe);
    }
  } finally {
    await scope.close();
  }
});
