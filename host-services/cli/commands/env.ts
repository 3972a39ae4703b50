// `env`: proxy and trust variables for ONE agent process, printed for one shell and target.
// It never configures the host: no shell profile, no ~/.openclaw/.env, no service unit, no system
// trust store. The only file it writes is the combined trust bundle under the guardian home
// (<home>/ca/trust-bundle.pem, 0644), and only when HTTPS inspection is on and the CA exists.
//
// The listener comes from the running monitor; when none runs, from the configuration, and the
// output says so in its first comment lines.
import { basename } from 'node:path';
import { GuardianError } from '../../../lib/errors.ts';
import { assertValidConfig } from '../../config/load.ts';
import { resolveMonitorSource } from '../../setup/monitor-source.ts';
import { parseNodeVersion } from '../../setup/node-support.ts';
import { buildEnvPlan, openclawModeForVersion, TARGETS, type OpenClawProxyMode, type Target } from '../../setup/plan.ts';
import { renderEnvScript } from '../../setup/render.ts';
import { SHELLS, type Shell } from '../../setup/shells.ts';
import { writeTrustBundle, type TrustBundleResult } from '../../setup/trust-bundle.ts';
import { BIN, defineCommand, usageError } from '../args.ts';
import { loadConfigForCommand } from '../config-flags.ts';

export const ENV_SCHEMA_VERSION = 'clawsec-traffic-env/v1' as const;

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

function defaultShell(env: NodeJS.ProcessEnv): Shell {
  const fromEnv = env.SHELL ? basename(env.SHELL) : '';
  if ((SHELLS as readonly string[]).includes(fromEnv)) return fromEnv as Shell;
  if (fromEnv === 'pwsh') return 'powershell';
  return process.platform === 'win32' ? 'powershell' : 'bash';
}

export const envCommand = defineCommand({
  name: 'env',
  summary: 'print proxy and trust variables for ONE agent process (never host-wide)',
  usage: '[--shell bash|zsh|fish|powershell] [--target openclaw|nanoclaw-container|generic] [flags]',
  examples: [
    `source <(${BIN} env --shell bash --target openclaw)   # this shell only`,
    `${BIN} env --shell fish --target generic | source`,
    `${BIN} env --shell powershell --target openclaw | Out-String | Invoke-Expression`,
    `${BIN} env --target nanoclaw-container --agent main --json`,
  ],
  flags: {
    shell: { type: 'string', choices: SHELLS, description: 'shell syntax of the output (default: from $SHELL, else bash)' },
    target: {
      type: 'string',
      choices: TARGETS,
      description: 'what the variables are for (default: openclaw, or nanoclaw-container with --platform nanoclaw)',
    },
    agent: { type: 'string', valueName: 'NAME', description: 'agent name for attribution, sent as the proxy user (http://NAME@host:port)' },
    'openclaw-version': {
      type: 'string',
      valueName: 'VERSION',
      description: 'your OpenClaw version: 2026.4.27+ gets OPENCLAW_PROXY_URL, older HTTP(S)_PROXY (default: both)',
    },
    'node-version': { type: 'string', valueName: 'VERSION', description: "the agent's Node version, for the Node 20 note (default: this Node)" },
  },
  async run(ctx) {
    const shell = (ctx.values.shell as Shell | undefined) ?? defaultShell(ctx.io.env);
    const agent = ctx.values.agent;
    if (agent !== undefined && !AGENT_NAME.test(agent)) {
      throw usageError(`--agent must be 1-64 letters, digits, dot, underscore or dash, starting with a letter or digit (got "${agent.slice(0, 40)}")`, 'write e.g. --agent main');
    }
    let openclawProxy: OpenClawProxyMode = 'both';
    if (ctx.values['openclaw-version'] !== undefined) {
      const mode = openclawModeForVersion(ctx.values['openclaw-version']);
      if (!mode) throw usageError(`--openclaw-version must look like 2026.4.27 (got "${ctx.values['openclaw-version'].slice(0, 40)}")`, 'run `openclaw --version` and pass what it prints');
      openclawProxy = mode;
    }
    let node = parseNodeVersion(process.version);
    if (ctx.values['node-version'] !== undefined) {
      node = parseNodeVersion(ctx.values['node-version']);
      if (!node) throw usageError(`--node-version must look like 22.21.0 (got "${ctx.values['node-version'].slice(0, 40)}")`, 'run `node --version` where the agent runs and pass what it prints');
    }

    const loaded = loadConfigForCommand({ values: {}, global: ctx.global, io: ctx.io });
    const { config, layout } = assertValidConfig(loaded);
    const target: Target = (ctx.values.target as Target | undefined) ?? (config.platform === 'nanoclaw' ? 'nanoclaw-container' : 'openclaw');
    const src = resolveMonitorSource(layout, config);
    const listen = src.status.listen!;
    if (src.source === 'config' && listen.port === 0) {
      throw new GuardianError('NOT_RUNNING', 'the monitor is not running and the configured port is 0 (any free port), so its address is not known yet', {
        fix: `start it first (\`${BIN} start\`), then run \`${BIN} env\` again`,
      });
    }

    let bundle: TrustBundleResult | null = null;
    if (src.status.https_inspection && src.caPem && src.status.ca_fingerprint_sha256) {
      const preferred = ctx.io.env.SSL_CERT_FILE ? [ctx.io.env.SSL_CERT_FILE] : [];
      bundle = writeTrustBundle(layout, { pem: src.caPem, fingerprint256: src.status.ca_fingerprint_sha256 }, { preferred });
    }

    const plan = buildEnvPlan({
      target,
      listen,
      httpsInspection: src.status.https_inspection,
      ca: src.status.ca_cert_path && src.status.ca_fingerprint_sha256 ? { path: src.status.ca_cert_path, fingerprint: src.status.ca_fingerprint_sha256 } : null,
      trustBundle: bundle?.path ?? null,
      ...(agent ? { agent } : {}),
      openclawProxy,
      node,
    });

    if (ctx.global.json) {
      ctx.printJson({
        schema_version: ENV_SCHEMA_VERSION,
        target,
        running: src.status.running,
        source: src.source,
        proxy_url: plan.proxyUrl,
        https_inspection: src.status.https_inspection,
        ca_cert_path: src.status.ca_cert_path,
        ca_fingerprint_sha256: src.status.ca_fingerprint_sha256,
        trust_bundle: bundle ? { path: bundle.path, system_source: bundle.systemSource, system_certificates: bundle.systemCertificates } : null,
        variables: Object.fromEntries(plan.variables),
        command: plan.command,
        ...(target === 'nanoclaw-container' ? { docker_args: plan.dockerArgs, mounts: plan.mounts } : {}),
        notes: [...plan.header, ...plan.notes],
      });
      return 0;
    }
    ctx.io.stdout.write(renderEnvScript(plan, shell, { source: src.source, trustBundle: bundle }));
    return 0;
  },
});
