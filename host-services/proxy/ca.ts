// The guardian's own certificate authority for opt-in HTTPS inspection.
//
// Generated once per home with mockttp's generateCACertificate(): unlike selfsigned's CA it carries
// Subject/Authority Key Identifiers, so `openssl verify -x509_strict` and Python 3.13's default
// context accept the leaves mockttp issues under it. The private key is written 0600 from its first
// byte (temp file opened with that mode, then linked into place) and is never printed or returned:
// mockttp reads it from `layout.caKey` itself.
import {
  chmodSync,
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  lstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { createPrivateKey, randomBytes, X509Certificate } from 'node:crypto';
import { basename, dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { generateCACertificate } from 'mockttp';
import { GuardianError } from '../../lib/errors.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';

export interface CaInfo {
  certPath: string;
  certPem: string;
  /** colon-separated SHA-256 of the DER certificate, as `openssl x509 -fingerprint -sha256` */
  fingerprint256: string;
  /** true when this call generated the CA */
  created: boolean;
}

export interface EnsureCaOptions {
  /** refuse a CA directory inside this NanoClaw project (it is mounted into containers) */
  nanoclawRoot?: string;
  /** CA subject common name (tests use a distinct one) */
  commonName?: string;
  /** how long a key without its certificate may be another writer at work (default 2 s) */
  halfWrittenGraceMs?: number;
}

const DEFAULT_CN = 'clawsec traffic guardian local CA';
// A key without a cert is either a writer still at work or a crash between the two writes.
const HALF_WRITTEN_GRACE_MS = 2000;

export function caFingerprint(pem: string): string {
  return new X509Certificate(pem).fingerprint256;
}

/**
 * Create the CA under `layout.caDir` unless a valid one is already there, and return its public
 * half. Directories are 0700, the key 0600, the certificate 0644.
 */
export async function ensureCa(layout: HomeLayout, opts: EnsureCaOptions = {}): Promise<CaInfo> {
  assertNotContainerVisible(layout.caDir, opts.nanoclawRoot);
  makePrivateDir(layout.caDir);

  const existing = await loadExisting(layout, opts.halfWrittenGraceMs ?? HALF_WRITTEN_GRACE_MS);
  if (existing) return existing;

  let generated: { key: string; cert: string };
  try {
    generated = await generateCACertificate({
      subject: { commonName: opts.commonName ?? DEFAULT_CN, organizationName: 'clawsec', countryName: 'XX' },
      bits: 2048,
    });
  } catch (err) {
    throw new GuardianError('CA_FAILED', 'could not generate the HTTPS inspection CA', {
      cause: err,
      fix: 'check that Node has WebCrypto (Node 20+) and retry',
    });
  }

  // A full disk, a file size limit or a read-only directory fails here, before anything is in
  // place: both files are written whole (or not at all) as temp files first.
  const temps: string[] = [];
  const cleanTemps = (): void => {
    for (const t of temps) rmSync(t, { force: true });
  };
  try {
    temps.push(writeTemp(layout.caKey, generated.key, 0o600));
    temps.push(writeTemp(layout.caCert, generated.cert, 0o644));
  } catch (err) {
    cleanTemps();
    throw writeFailed(layout, err);
  }
  const [keyTmp, certTmp] = temps as [string, string];
  try {
    // link() fails when the target exists: if another process won the race, use its CA.
    linkSync(keyTmp, layout.caKey);
  } catch (err) {
    cleanTemps();
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      const theirs = await loadExisting(layout, opts.halfWrittenGraceMs ?? HALF_WRITTEN_GRACE_MS);
      if (theirs) return theirs;
    }
    throw writeFailed(layout, err);
  }
  rmSync(keyTmp, { force: true });
  try {
    renameSync(certTmp, layout.caCert);
  } catch (err) {
    // the key we just linked has no certificate: take it back rather than leave half a CA
    rmSync(layout.caKey, { force: true });
    cleanTemps();
    throw writeFailed(layout, err);
  }
  return { certPath: layout.caCert, certPem: generated.cert, fingerprint256: caFingerprint(generated.cert), created: true };
}

function writeFailed(layout: HomeLayout, err: unknown): GuardianError {
  const code = (err as NodeJS.ErrnoException).code;
  const why = code === 'ENOSPC' || code === 'EDQUOT' ? 'the disk is full' : code === 'EFBIG' ? 'a file size limit was hit' : code === 'EACCES' || code === 'EPERM' || code === 'EROFS' ? 'it is not writable' : 'the write failed';
  return new GuardianError('CA_FAILED', `could not write the CA in ${layout.caDir} (${code ?? 'error'}: ${why}); nothing was left half-written`, {
    cause: err,
    fix: `free space or fix the permissions of ${layout.caDir}, then start again (a new CA is generated)`,
  });
}

/**
 * Refuse a path inside a NanoClaw project root: everything below it (groups/, data/, store/, ...)
 * can end up mounted into an agent container, and a CA key there lets the agent mint certificates.
 */
export function assertNotContainerVisible(path: string, nanoclawRoot?: string): void {
  if (!nanoclawRoot) return;
  const target = canonical(path);
  const root = canonical(nanoclawRoot);
  const rel = relative(root, target);
  const inside = rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
  if (inside) {
    throw new GuardianError('HOME_UNSAFE', `the CA directory ${path} is inside the NanoClaw project ${nanoclawRoot}, which containers can see`, {
      fix: 'use the default home (~/.config/nanoclaw/clawsec/traffic-guardian) or any --home outside the NanoClaw project',
    });
  }
}

/** realpath of the longest existing prefix, so symlinks cannot hide a path inside the root. */
function canonical(p: string): string {
  let head = resolve(p);
  const tail: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(head), ...tail.reverse());
    } catch {
      const parent = dirname(head);
      if (parent === head) return join(head, ...tail.reverse());
      tail.push(basename(head));
      head = parent;
    }
  }
}

function makePrivateDir(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const st = lstatSync(dir);
    if (!st.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    if (typeof process.getuid === 'function' && st.uid !== process.getuid()) {
      throw new GuardianError('HOME_UNSAFE', `the CA directory ${dir} belongs to another user`, {
        fix: 'use a home directory you own',
      });
    }
    if ((st.mode & 0o077) !== 0) chmodSync(dir, 0o700);
  } catch (err) {
    if (err instanceof GuardianError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    throw new GuardianError('CA_FAILED', `could not create the CA directory ${dir} (${code ?? 'error'})`, {
      cause: err,
      fix:
        code === 'EEXIST' || code === 'ENOTDIR'
          ? `something that is not a directory is in the way at ${dir} or above it: move it away`
          : `check that ${dirname(dir)} is writable`,
    });
  }
}

/** A complete, matching CA pair, or undefined when there is none yet (half-written state cleared). */
async function loadExisting(layout: HomeLayout, graceMs: number): Promise<CaInfo | undefined> {
  const hasKey = existsSync(layout.caKey);
  let hasCert = existsSync(layout.caCert);
  if (hasKey && !hasCert) {
    // Another writer links the key first and renames the cert right after: give it a moment.
    const until = Date.now() + graceMs;
    while (!hasCert && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 50));
      hasCert = existsSync(layout.caCert);
    }
  }
  if (!hasKey && !hasCert) return undefined;
  if (!hasKey || !hasCert) {
    // Crash between the two writes, or a deleted key: the pair is unusable and nobody can trust a
    // cert whose key is gone (or a key that never got a cert), so start over.
    rmSync(layout.caKey, { force: true });
    rmSync(layout.caCert, { force: true });
    return undefined;
  }

  // The key must be a file of ours, not a link: whoever can replace it can mint certificates
  // every client of the monitor trusts. Its mode is tightened to 0600 (never through a link).
  assertOwnRegularFile(layout.caKey, 'key', layout.caDir);
  assertOwnRegularFile(layout.caCert, 'certificate', layout.caDir);
  const keyStat = lstatSync(layout.caKey);
  if ((keyStat.mode & 0o077) !== 0) {
    try {
      chmodSync(layout.caKey, 0o600);
    } catch (err) {
      throw new GuardianError('CA_FAILED', `could not make the CA key ${layout.caKey} private (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
        cause: err,
        fix: `chmod 600 ${layout.caKey}`,
      });
    }
  }

  try {
    const certPem = readFileSync(layout.caCert, 'utf8');
    const cert = new X509Certificate(certPem);
    if (!cert.ca) throw new Error('certificate is not a CA');
    if (Date.parse(cert.validTo) <= Date.now()) throw new Error('CA certificate expired');
    // Proves the pair matches without handing the key to anyone.
    if (!cert.checkPrivateKey(createPrivateKey(readFileSync(layout.caKey)))) throw new Error('key does not match certificate');
    return { certPath: layout.caCert, certPem, fingerprint256: cert.fingerprint256, created: false };
  } catch (err) {
    throw new GuardianError('CA_FAILED', `the CA in ${layout.caDir} is unusable: ${(err as Error).message}`, {
      cause: err,
      fix: `remove ${layout.caDir} to generate a new CA (clients must then trust the new certificate)`,
    });
  }
}

function assertOwnRegularFile(path: string, what: string, caDir: string): void {
  const st = lstatSync(path);
  const foreign = typeof process.getuid === 'function' && st.uid !== process.getuid();
  if (!st.isFile() || foreign) {
    throw new GuardianError('HOME_UNSAFE', `the CA ${what} ${path} is ${foreign ? 'owned by another user' : 'not a regular file (a link or something else)'}`, {
      fix: `remove ${caDir} to generate a new CA as this user (clients must then trust the new certificate)`,
    });
  }
}

/** Write a sibling temp file with its final mode from the first byte, whole and fsynced (or throw, removed). */
function writeTemp(target: string, content: string, mode: number): string {
  const tmp = join(dirname(target), `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', mode);
  try {
    // a short write (the disk filled, a file size limit) is retried, so it ends in an error
    // instead of a truncated key or certificate
    const buf = Buffer.from(content, 'utf8');
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fsyncSync(fd);
    chmodSync(tmp, mode); // umask may have removed bits from 0644
  } catch (err) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw err;
  }
  closeSync(fd);
  return tmp;
}
