// Keyed fingerprints for findings. Dedup needs "is this the same secret again?" without
// ever storing or logging the secret. A plain SHA-256 of a secret is a dictionary oracle
// (anyone holding the log can confirm a guessed key), so the digest is an HMAC under a
// random per-install key that lives only in the guardian home (0600).
import { createHmac, randomBytes } from 'node:crypto';
import {
  closeSync,
  constants as fsc,
  fchmodSync,
  fstatSync,
  linkSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { GuardianError } from './errors.ts';
import { homeLayout } from './home-layout.ts';

export const INSTALL_KEY_BYTES = 32;
export const FINGERPRINT_PREFIX = 'hmac-sha256:';
/** 128 bits of the HMAC: plenty to tell secrets apart, short enough for log lines */
const FINGERPRINT_HEX_CHARS = 32;

/**
 * Returns the install key, creating it on first use. Creation is atomic and safe against a
 * concurrent creator: the key is written to a private temp file (0600 from the start) and
 * then hard-linked into place. link(2) fails with EEXIST instead of replacing, so exactly one
 * creator wins and every process ends up with the winner's key (rename(2) would let a late
 * creator silently replace a key another process already uses). Where the filesystem has no
 * hard links, rename is the fallback.
 */
export function loadOrCreateInstallKey(home: string): Buffer {
  const keyPath = homeLayout(home).installKey;
  mkdirSync(dirname(keyPath), { recursive: true, mode: 0o700 });

  const existing = tryReadKey(keyPath);
  if (existing) return existing;

  const tmp = `${keyPath}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const key = randomBytes(INSTALL_KEY_BYTES);
  const fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o600);
  try {
    writeSync(fd, key);
    fchmodSync(fd, 0o600); // the umask cannot loosen 0600, but be explicit
  } finally {
    closeSync(fd);
  }
  try {
    try {
      linkSync(tmp, keyPath);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return readKeyOrFail(keyPath); // a concurrent creator won
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'EXDEV') {
        renameSync(tmp, keyPath);
        return readKeyOrFail(keyPath); // re-read: a racing rename may have replaced ours
      }
      throw err;
    }
    return key;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // already renamed away
    }
  }
}

/** `hmac-sha256:<32 hex>` of family + secret under the install key; never a plain hash. */
export function fingerprintSecret(key: Buffer, patternFamily: string, secret: string): string {
  if (key.length < 16) {
    throw new GuardianError('INTERNAL', 'fingerprint key is shorter than 16 bytes', {
      fix: 'pass the key returned by loadOrCreateInstallKey(home)',
    });
  }
  // The family is domain separation: the same text matched by two families yields two
  // unrelated fingerprints, and the NUL keeps `a`+`bc` apart from `ab`+`c`.
  const mac = createHmac('sha256', key).update(patternFamily).update('\0').update(secret, 'utf8').digest('hex');
  return FINGERPRINT_PREFIX + mac.slice(0, FINGERPRINT_HEX_CHARS);
}

function tryReadKey(keyPath: string): Buffer | undefined {
  try {
    return readKey(keyPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unsafe(keyPath, err);
  }
}

function readKeyOrFail(keyPath: string): Buffer {
  try {
    return readKey(keyPath);
  } catch (err) {
    throw unsafe(keyPath, err);
  }
}

/** O_NOFOLLOW: a symlink planted at the key path is refused, not followed. */
function readKey(keyPath: string): Buffer {
  const fd = openSync(keyPath, fsc.O_RDONLY | fsc.O_NOFOLLOW);
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw new Error('not a regular file');
    if (st.size !== INSTALL_KEY_BYTES) throw new Error(`holds ${st.size} bytes, expected ${INSTALL_KEY_BYTES}`);
    // tighten a key file someone loosened (e.g. copied with cp); it is still our key
    if ((st.mode & 0o077) !== 0) fchmodSync(fd, 0o600);
    const buf = Buffer.alloc(INSTALL_KEY_BYTES);
    let got = 0;
    while (got < INSTALL_KEY_BYTES) {
      const n = readSync(fd, buf, got, INSTALL_KEY_BYTES - got, got);
      if (n === 0) throw new Error('ended early');
      got += n;
    }
    return buf;
  } finally {
    closeSync(fd);
  }
}

function unsafe(keyPath: string, err: unknown): GuardianError {
  const why = err instanceof Error ? err.message : String(err);
  return new GuardianError('HOME_UNSAFE', `install key ${keyPath} is unusable: ${why}`, {
    fix: `remove ${keyPath} (a new key is created on the next start; old fingerprints stop matching)`,
    cause: err,
  });
}
