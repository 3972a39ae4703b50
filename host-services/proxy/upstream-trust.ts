// Which CAs the monitor trusts for upstream HTTPS (intercepted requests, wss, an https upstream proxy).
//
// mockttp's `additionalTrustedCAs` builds its trust list as tls.rootCertificates + the given CAs,
// which silently drops what NODE_EXTRA_CA_CERTS added to Node's default store (a corporate proxy
// CA, say). So the extras are read here and passed along with every --upstream-ca file: the result
// is Node's bundled roots + NODE_EXTRA_CA_CERTS + upstreamCaFiles, never a replacement.
import { readFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { GuardianError, type FieldProblem } from '../../lib/errors.ts';

export interface UpstreamTrust {
  /** one entry per certificate, in mockttp's CADefinition shape; empty = Node defaults unchanged */
  additionalTrustedCAs: Array<{ cert: string }>;
  /** non-fatal problems (an unreadable NODE_EXTRA_CA_CERTS is ignored, as Node itself does) */
  warnings: string[];
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/** Every certificate in a PEM bundle that parses; anything else in the file is ignored. */
export function splitPemBundle(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(PEM_CERT)) {
    try {
      new X509Certificate(m[0]);
      out.push(`${m[0]}\n`);
    } catch {
      // not a certificate Node can use: skipped, like Node does for NODE_EXTRA_CA_CERTS
    }
  }
  return out;
}

export function buildUpstreamTrust(
  upstreamCaFiles: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  field = 'upstreamCaFiles',
): UpstreamTrust {
  const certs: string[] = [];
  const warnings: string[] = [];
  const problems: FieldProblem[] = [];

  const extra = env.NODE_EXTRA_CA_CERTS;
  if (extra) {
    try {
      const found = splitPemBundle(readFileSync(extra, 'utf8'));
      if (found.length === 0) warnings.push('NODE_EXTRA_CA_CERTS holds no certificate; ignored');
      certs.push(...found);
    } catch {
      warnings.push('NODE_EXTRA_CA_CERTS is not readable; ignored');
    }
  }

  upstreamCaFiles.forEach((file, i) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      problems.push({ path: `${field}[${i}]`, message: `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? 'error'}` });
      return;
    }
    const found = splitPemBundle(text);
    if (found.length === 0) problems.push({ path: `${field}[${i}]`, message: `${file} holds no PEM certificate` });
    certs.push(...found);
  });

  if (problems.length) {
    throw new GuardianError('CONFIG_INVALID', `unusable upstream CA file: ${problems.map((p) => p.path).join(', ')}`, {
      problems,
      fix: 'pass readable PEM files (-----BEGIN CERTIFICATE-----) to --upstream-ca',
    });
  }
  return { additionalTrustedCAs: [...new Set(certs)].map((cert) => ({ cert })), warnings };
}
