// The combined trust bundle for clients whose CA variable REPLACES their trust store
// (SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, GIT_SSL_CAINFO). Pointing those at the
// guardian CA alone would make every site that is not intercepted fail verification, so the
// bundle is: the system's CA bundle (or Node's bundled roots when none is found) followed by the
// guardian CA. It is written to `layout.trustBundle` under the guardian home, mode 0644
// (certificates are public), atomically (temp file + rename in the same directory), and only
// rewritten when its content changes. Nothing outside the home is ever written.
import { randomBytes } from 'node:crypto';
import { chmodSync, closeSync, constants as fsc, lstatSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, isAbsolute, resolve } from 'node:path';
import { rootCertificates } from 'node:tls';
import { GuardianError } from '../../lib/errors.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';

/** Where distributions keep the system CA bundle, most common first. */
export const SYSTEM_BUNDLE_CANDIDATES = [
  '/etc/ssl/certs/ca-certificates.crt', // Debian, Ubuntu, Arch, Alpine, Gentoo
  '/etc/pki/tls/certs/ca-bundle.crt', // RHEL, Fedora, CentOS
  '/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem', // RHEL 7+ (the file the one above links to)
  '/etc/ssl/ca-bundle.pem', // openSUSE
  '/etc/ssl/cert.pem', // macOS, Alpine, the BSDs
] as const;

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

export interface SystemBundle {
  /** the file the roots came from, or `node:tls.rootCertificates` */
  source: string;
  pem: string;
  certificates: number;
}

function countCerts(pem: string): number {
  return pem.match(PEM_CERT)?.length ?? 0;
}

/**
 * The system CA bundle: the first readable candidate holding at least one PEM certificate.
 * `preferred` (an existing SSL_CERT_FILE, for example) is tried first. Falls back to Node's
 * bundled Mozilla roots so the combined bundle is never the guardian CA alone.
 */
export function findSystemBundle(opts: { candidates?: readonly string[]; preferred?: string[] } = {}): SystemBundle {
  for (const file of [...(opts.preferred ?? []), ...(opts.candidates ?? SYSTEM_BUNDLE_CANDIDATES)]) {
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    const certificates = countCerts(pem);
    if (certificates > 0) return { source: file, pem, certificates };
  }
  const pem = `${rootCertificates.join('\n')}\n`;
  return { source: 'node:tls.rootCertificates', pem, certificates: rootCertificates.length };
}

export interface TrustBundleResult {
  path: string;
  /** where the system part came from */
  systemSource: string;
  systemCertificates: number;
  /** false when the file already had exactly this content */
  written: boolean;
}

function isInside(child: string, parent: string): boolean {
  const rel = relative(resolve(parent), resolve(child));
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/** The bundle's text: system roots, then the guardian CA under a label line. */
export function combinedBundleText(system: SystemBundle, caPem: string, caFingerprint: string): string {
  const sys = system.pem.endsWith('\n') ? system.pem : `${system.pem}\n`;
  const ca = caPem.trim();
  return `${sys}\n# clawsec-traffic-guardian CA, SHA-256 ${caFingerprint}\n${ca}\n`;
}

/**
 * Writes `layout.trustBundle` = system bundle + guardian CA. Refuses a bundle path outside the
 * home and a CA that holds no certificate.
 */
export function writeTrustBundle(
  layout: HomeLayout,
  ca: { pem: string; fingerprint256: string },
  opts: { candidates?: readonly string[]; preferred?: string[] } = {},
): TrustBundleResult {
  const target = layout.trustBundle;
  if (!isInside(target, layout.home)) {
    throw new GuardianError('HOME_UNSAFE', `the trust bundle path ${target} is outside the home ${layout.home}`, {
      fix: 'use the default layout: the bundle lives under <home>/ca/',
    });
  }
  if (countCerts(ca.pem) === 0) {
    throw new GuardianError('CA_FAILED', `the guardian CA ${layout.caCert} holds no PEM certificate`, {
      fix: `remove ${layout.caDir} and start the monitor with --https-inspection to create a new CA`,
    });
  }
  const preferred = (opts.preferred ?? []).filter((p) => resolve(p) !== resolve(target));
  const system = findSystemBundle({ ...(opts.candidates ? { candidates: opts.candidates } : {}), preferred });
  const text = combinedBundleText(system, ca.pem, ca.fingerprint256);
  const result = { path: target, systemSource: system.source, systemCertificates: system.certificates };

  try {
    if (readFileSync(target, 'utf8') === text && (lstatSync(target).mode & 0o777) === 0o644) return { ...result, written: false };
  } catch {
    // absent or unreadable: write it
  }
  const dir = dirname(target);
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `.${basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
    const fd = openSync(tmp, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o644);
    try {
      writeSync(fd, text);
    } finally {
      closeSync(fd);
    }
    try {
      chmodSync(tmp, 0o644); // the umask may have removed bits
      renameSync(tmp, target);
    } catch (err) {
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw err;
    }
  } catch (err) {
    throw new GuardianError('HOME_UNSAFE', `cannot write the trust bundle ${target} (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      cause: err,
      fix: `check that ${dir} is a directory this user can write`,
    });
  }
  return { ...result, written: true };
}
