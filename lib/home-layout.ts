// Where every piece of guardian state lives. All of it sits under one home directory
// (the contract's "all state under the guardian home"); nothing here touches the disk.
import { join } from 'node:path';
import { homedir } from 'node:os';
import type { Platform } from './finding.ts';

export interface HomeLayout {
  home: string;
  configFile: string;
  /** per-install HMAC key for finding fingerprints (0600) */
  installKey: string;
  caDir: string;
  caCert: string;
  /** CA private key: 0600, never printed, never under a container-visible path */
  caKey: string;
  /** system bundle + guardian CA, for clients whose CA variable replaces the trust store */
  trustBundle: string;
  runDir: string;
  pidFile: string;
  stateFile: string;
  /** stdout/stderr of a background monitor */
  monitorOut: string;
  logDir: string;
  findingsLog: string;
  hookState: string;
}

export function defaultHome(platform: Platform, userHome: string = homedir()): string {
  return platform === 'nanoclaw'
    ? join(userHome, '.config', 'nanoclaw', 'clawsec', 'traffic-guardian')
    : join(userHome, '.openclaw', 'security', 'clawsec', 'traffic-guardian');
}

export function homeLayout(home: string, logDir?: string): HomeLayout {
  const caDir = join(home, 'ca');
  const runDir = join(home, 'run');
  const logs = logDir ?? join(home, 'logs');
  return {
    home,
    configFile: join(home, 'config.json'),
    installKey: join(home, 'install.key'),
    caDir,
    caCert: join(caDir, 'ca.pem'),
    caKey: join(caDir, 'ca-key.pem'),
    trustBundle: join(caDir, 'trust-bundle.pem'),
    runDir,
    pidFile: join(runDir, 'monitor.pid'),
    stateFile: join(runDir, 'state.json'),
    monitorOut: join(runDir, 'monitor.out'),
    logDir: logs,
    findingsLog: join(logs, 'findings.jsonl'),
    hookState: join(home, 'hook-state.json'),
  };
}
