// Where `env` takes the listener and CA from: the running monitor's state when one runs for this
// home, otherwise the resolved configuration (the listener the next `start` will use). Read-only:
// a stale state is reported as "not running" but left for `status` to clean up, so `env` writes
// nothing but the trust bundle.
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { HomeLayout } from '../../lib/home-layout.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { inspectMonitor } from '../lifecycle/status.ts';
import type { SetupStatus } from './plan.ts';

export interface MonitorSource {
  status: SetupStatus;
  source: 'running' | 'config';
  /** the CA certificate text, when inspection is on and the CA exists */
  caPem: string | null;
}

function readCa(path: string): { pem: string; fingerprint: string } | null {
  try {
    const pem = readFileSync(path, 'utf8');
    return { pem, fingerprint: new X509Certificate(pem).fingerprint256 };
  } catch {
    return null;
  }
}

export function resolveMonitorSource(layout: HomeLayout, config: ResolvedConfig): MonitorSource {
  const inspection = inspectMonitor(layout, { clean: false });
  if (inspection.running) {
    const s = inspection.state;
    const ca = s.https_inspection && s.ca_cert_path ? readCa(s.ca_cert_path) : null;
    return {
      source: 'running',
      caPem: ca?.pem ?? null,
      status: {
        running: true,
        platform: s.platform,
        proxy_url: s.proxy_url,
        listen: { host: s.listen.host, port: s.listen.port },
        https_inspection: s.https_inspection,
        ca_cert_path: ca ? s.ca_cert_path : null,
        // the file is the truth: the fingerprint of what a client will actually be given
        ca_fingerprint_sha256: ca?.fingerprint ?? null,
        home: s.home,
      },
    };
  }
  const ca = config.https_inspection ? readCa(layout.caCert) : null;
  return {
    source: 'config',
    caPem: ca?.pem ?? null,
    status: {
      running: false,
      platform: config.platform,
      proxy_url: null,
      listen: { host: config.host, port: config.port },
      https_inspection: config.https_inspection,
      ca_cert_path: ca ? layout.caCert : null,
      ca_fingerprint_sha256: ca?.fingerprint ?? null,
      home: layout.home,
    },
  };
}
