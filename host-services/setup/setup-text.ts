// The per-process setup text `start` (and `npm start`) prints once the listener accepts
// connections: where the proxy is, the CA fingerprint when HTTPS inspection is on, one
// copy-pasteable line that starts ONE agent through the guardian, the Node 20 caveat, and a
// pointer to `env` for other shells and targets. Pure: it reads and writes nothing (the
// combined trust bundle is written by `env`, not here).
import { homedir } from 'node:os';
import { defaultHome } from '../../lib/home-layout.ts';
import { BIN } from '../cli/args.ts';
import { nodeHonoursEnvProxy, oldNodeNote, parseNodeVersion } from './node-support.ts';
import { buildEnvPlan, OPENCLAW_MANAGED_PROXY_SINCE, type SetupStatus } from './plan.ts';
import { wrap } from './render.ts';
import { prefixCommand, quote } from './shells.ts';

export interface SetupTextOptions {
  /** Node version of the agent, for the Node 20 note (default: this process's Node) */
  nodeVersion?: string;
  /** user home, to decide whether `env` needs --home (default: os.homedir()) */
  userHome?: string;
  /**
   * false: leave out the first two lines (where the proxy is, nothing host-wide changed), for a
   * caller that prints its own summary of the monitor above the per-process part (default true)
   */
  header?: boolean;
}

const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

/**
 * Setup text for a status object (`status --json` / buildStatus() output, or any object with
 * the SetupStatus fields). Lines end with `\n`; nothing in it is secret (the CA key is never
 * read). When the monitor is not running it says so and how to start it.
 */
export function renderSetupText(status: SetupStatus, opts: SetupTextOptions = {}): string {
  const lines: string[] = [];
  const homeFlag = status.home !== defaultHome(status.platform, opts.userHome ?? homedir()) ? ` --home ${quote('bash', status.home)}` : '';

  if (!status.running || !status.listen) {
    lines.push('clawsec-traffic-guardian is not running.', `Start it with: ${BIN} start${homeFlag}`);
    return `${lines.join('\n')}\n`;
  }

  const plan = buildEnvPlan({
    target: status.platform === 'openclaw' ? 'openclaw' : 'generic',
    listen: status.listen,
    httpsInspection: status.https_inspection,
    ca: status.ca_cert_path && status.ca_fingerprint_sha256 ? { path: status.ca_cert_path, fingerprint: status.ca_fingerprint_sha256 } : null,
    trustBundle: null,
    openclawProxy: 'env',
  });

  if (opts.header ?? true) {
    lines.push(
      `clawsec-traffic-guardian is monitoring at ${plan.proxyUrl} (detect and log only).`,
      'Nothing host-wide was changed: only a process started with the variables below goes through it.',
      '',
    );
  }
  if (status.https_inspection && status.ca_cert_path && status.ca_fingerprint_sha256) {
    lines.push(
      'HTTPS inspection: on. Trust the guardian CA in the agent process only (never system-wide):',
      `  CA certificate: ${status.ca_cert_path}`,
      `  SHA-256:        ${status.ca_fingerprint_sha256}`,
      '',
    );
  } else if (status.https_inspection) {
    lines.push('HTTPS inspection: on, but no CA is known yet; run `status` to see it.', '');
  } else {
    lines.push('HTTPS: tunnelled without inspection (start with --https-inspection to scan it).', '');
  }

  const command = status.platform === 'openclaw' ? 'openclaw gateway run' : '<agent command>';
  lines.push(`Start ONE agent through it (bash/zsh, this command only):`);
  if (plan.variables.some(([, v]) => CONTROL.test(v))) {
    lines.push(`  (a path holds a line break; use \`${BIN} env\` instead)`);
  } else {
    lines.push(`  ${prefixCommand('bash', plan.variables, command)}`);
    if (status.platform === 'openclaw') {
      const managed: Array<[string, string]> = [['OPENCLAW_PROXY_URL', plan.proxyUrl], ...plan.variables.filter(([n]) => n === 'NODE_EXTRA_CA_CERTS')];
      lines.push(`  OpenClaw ${OPENCLAW_MANAGED_PROXY_SINCE}+ (managed proxy): ${prefixCommand('bash', managed, command)}`);
    }
  }
  lines.push('');

  const node = parseNodeVersion(opts.nodeVersion ?? process.version);
  if (node && !nodeHonoursEnvProxy(node)) for (const p of oldNodeNote(node)) lines.push(...(p.startsWith('  ') ? [p] : wrap(p)));
  else lines.push("Node: NODE_USE_ENV_PROXY=1 makes fetch use the proxy on 22.21+/24; Node 20's fetch ignores proxy variables.");
  if (status.https_inspection) {
    lines.push('curl, Python and git replace their trust store with SSL_CERT_FILE & co.: `env` writes a bundle of system roots + this CA for them.');
  }
  lines.push(
    '',
    'Exports for your shell and target (openclaw, nanoclaw-container, generic):',
    `  ${BIN} env --shell bash|zsh|fish|powershell --target ${status.platform === 'openclaw' ? 'openclaw' : 'nanoclaw-container'}${homeFlag}`,
  );
  return `${lines.join('\n')}\n`;
}
