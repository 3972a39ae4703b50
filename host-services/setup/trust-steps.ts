// System trust-store steps for the guardian CA, per operating system, as text for a human to
// read and run themselves. This module only builds strings: it has no way to run anything (no
// process spawning, no file writes), which test/host-services/setup/trust-instructions.test.ts
// checks by reading this file and the command's.
import { X509Certificate } from 'node:crypto';
import { quote } from './shells.ts';

export const TRUST_OSES = ['debian', 'rhel', 'macos', 'windows'] as const;
export type TrustOs = (typeof TRUST_OSES)[number];

export interface TrustSection {
  os: TrustOs;
  title: string;
  /** check the file is the CA you expect before trusting it */
  verify: string[];
  install: string[];
  remove: string[];
}

export interface CaIdentity {
  path: string;
  /** colon-separated SHA-256, as `openssl x509 -fingerprint -sha256` prints it */
  sha256: string;
  /** hex SHA-1 without colons: the id macOS `security -Z` and Windows `certutil -delstore` take */
  sha1: string;
  subject: string;
  validTo: string;
}

export function caIdentity(path: string, pem: string): CaIdentity {
  const cert = new X509Certificate(pem);
  return {
    path,
    sha256: cert.fingerprint256,
    sha1: cert.fingerprint.replace(/:/g, ''),
    subject: cert.subject.replace(/\n/g, ', '),
    validTo: cert.validTo,
  };
}

const NAME = 'clawsec-traffic-guardian';

export function trustSections(ca: CaIdentity, oses: readonly TrustOs[] = TRUST_OSES): TrustSection[] {
  const p = quote('bash', ca.path);
  const ps = quote('powershell', ca.path);
  const opensslVerify = `openssl x509 -in ${p} -noout -fingerprint -sha256   # must print ${ca.sha256}`;
  const all: Record<TrustOs, TrustSection> = {
    debian: {
      os: 'debian',
      title: 'Debian / Ubuntu (update-ca-certificates)',
      verify: [opensslVerify],
      install: [
        `sudo install -m 0644 ${p} /usr/local/share/ca-certificates/${NAME}.crt`,
        'sudo update-ca-certificates',
      ],
      remove: [`sudo rm /usr/local/share/ca-certificates/${NAME}.crt`, 'sudo update-ca-certificates --fresh'],
    },
    rhel: {
      os: 'rhel',
      title: 'RHEL / Fedora / CentOS (update-ca-trust)',
      verify: [opensslVerify],
      install: [`sudo install -m 0644 ${p} /etc/pki/ca-trust/source/anchors/${NAME}.pem`, 'sudo update-ca-trust extract'],
      remove: [`sudo rm /etc/pki/ca-trust/source/anchors/${NAME}.pem`, 'sudo update-ca-trust extract'],
    },
    macos: {
      os: 'macos',
      title: 'macOS (System keychain)',
      verify: [opensslVerify],
      install: [`sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${p}`],
      remove: [`sudo security remove-trusted-cert -d ${p}`, `sudo security delete-certificate -Z ${ca.sha1} /Library/Keychains/System.keychain`],
    },
    windows: {
      os: 'windows',
      title: 'Windows (elevated PowerShell, machine Root store)',
      verify: [`certutil -dump ${ps}   # "Cert Hash(sha256)" must be ${ca.sha256.replace(/:/g, '').toLowerCase()}`],
      install: [`certutil -addstore -f Root ${ps}`],
      remove: [`certutil -delstore Root ${ca.sha1}`],
    },
  };
  return oses.map((os) => all[os]);
}

/** What every printout says, with or without --confirm (paragraphs). */
export function trustWarnings(caKeyPath: string): string[] {
  return [
    `These steps make EVERY program on the machine trust certificates the guardian issues. Anyone who obtains the CA key (${caKeyPath}) could then impersonate any site to that machine. The guardian never runs them.`,
    'Prefer per-process trust: `clawsec-traffic-guardian env` (NODE_EXTRA_CA_CERTS plus a combined bundle, for one process).',
  ];
}

/** Printed after the steps (paragraphs). */
export function trustNotes(): string[] {
  return [
    'Node does not read the system store by default (it uses its bundled roots unless started with --use-openssl-ca or --use-system-ca): Node agents still need NODE_EXTRA_CA_CERTS. Firefox keeps its own store.',
    'On another machine, copy the certificate (never the key) there first and check its fingerprint.',
  ];
}
