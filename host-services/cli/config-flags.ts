// The configuration flags shared by every command that resolves a config (check-config now,
// start later): one definition, so both accept exactly the same flags with the same help.
// Values go to the loader unconverted; it validates them with every other source and reports
// problems as `flag:--name`.
import { loadConfig, type ConfigFlags, type LoadedConfig } from '../config/load.ts';
import type { CliIO, FlagSpecs, FlagValues, GlobalOptions } from './args.ts';

export const CONFIG_FLAGS = {
  mode: { type: 'string', valueName: 'MODE', description: 'only "detect" (blocking does not exist in this release)' },
  host: { type: 'string', valueName: 'HOST', description: 'listener host (default 127.0.0.1)' },
  port: { type: 'string', valueName: 'PORT', description: 'listener port, 0 = any free port (default 18787)' },
  'https-inspection': {
    type: 'boolean',
    negatable: true,
    description: 'decrypt and scan HTTPS (clients must trust the guardian CA); --no-https-inspection tunnels it unread',
  },
  'allow-client': {
    type: 'string',
    multiple: true,
    valueName: 'CIDR',
    description: 'client range allowed to use the proxy; loopback is always allowed',
  },
  'max-scan-bytes': { type: 'string', valueName: 'N', description: 'bytes of each body scanned, 1024..16777216 (default 1048576)' },
  'upstream-proxy': { type: 'string', valueName: 'URL', description: 'forward through this proxy, e.g. http://127.0.0.1:10255' },
  'upstream-ca': {
    type: 'string',
    multiple: true,
    valueName: 'FILE',
    description: 'extra PEM CA trusted upstream, added to the default trust',
  },
  'nanoclaw-root': { type: 'string', valueName: 'DIR', description: 'NanoClaw project; also serve IPC tasks under DIR/data/ipc' },
  'secret-env-file': {
    type: 'string',
    multiple: true,
    valueName: 'FILE',
    description: "the agent's own secrets to watch for (held in memory only)",
  },
} as const satisfies FlagSpecs;

export type ConfigFlagValues = FlagValues<typeof CONFIG_FLAGS>;

/** Parsed CLI values -> the loader's flag input. */
export function configFlagsFrom(values: ConfigFlagValues, global: GlobalOptions): ConfigFlags {
  return {
    home: global.home,
    config: global.config,
    platform: global.platform,
    mode: values.mode,
    host: values.host,
    port: values.port,
    https_inspection: values['https-inspection'],
    allow_clients: values['allow-client'],
    max_scan_bytes: values['max-scan-bytes'],
    upstream_proxy: values['upstream-proxy'],
    upstream_ca: values['upstream-ca'],
    secret_env_files: values['secret-env-file'],
    nanoclaw_root: values['nanoclaw-root'],
  };
}

/**
 * Resolves the config for a command that takes CONFIG_FLAGS. Never throws for bad content;
 * pass the result to assertValidConfig() (config/load.ts) when the command needs a valid one.
 */
export function loadConfigForCommand(ctx: { values: ConfigFlagValues; global: GlobalOptions; io: Pick<CliIO, 'env' | 'cwd'> }): LoadedConfig {
  return loadConfig({
    flags: configFlagsFrom(ctx.values, ctx.global),
    env: ctx.io.env,
    cwd: ctx.io.cwd,
    // the injected environment's HOME, so `~` and default homes follow it (tests, sudo -E)
    ...(ctx.io.env.HOME ? { userHome: ctx.io.env.HOME } : {}),
  });
}
