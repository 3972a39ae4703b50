// What the traffic handlers need from the host, gathered once: where the guardian's state is,
// the resolved config, how to re-check the config, and the scrubber that keeps host paths out
// of every answer. Both ways in (the NanoClaw IPC handlers and the host `mcp` command) build one.
import { homedir } from 'node:os';
import type { FieldProblem } from '../../lib/errors.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';
import { loadConfig } from '../config/load.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { createScrubber, type PathRoot, type Scrubber } from './scrub.ts';

export interface ConfigCheck {
  errors: FieldProblem[];
  warnings: FieldProblem[];
}

export interface TrafficHostContext {
  layout: HomeLayout;
  config: ResolvedConfig;
  /** re-resolves the configuration now, as `check-config` would */
  checkConfig(): ConfigCheck;
  scrub: Scrubber;
}

export interface TrafficHostContextOptions {
  layout: HomeLayout;
  config: ResolvedConfig;
  /**
   * Re-resolves the configuration for clawsec_traffic_check_config. Default: the loader with the
   * same home, config file and platform and the current environment. A command that has its
   * flags should pass `() => loadConfigForCommand(ctx)` so flags are checked too.
   */
  checkConfig?: () => ConfigCheck;
  /** further host folders to hide from answers, e.g. the NanoClaw project root */
  hidePaths?: PathRoot[];
  /** the user's home directory, shown as `~` (default os.homedir(); null: none) */
  userHome?: string | null;
}

export function createHostContext(opts: TrafficHostContextOptions): TrafficHostContext {
  const { layout, config } = opts;
  const roots: PathRoot[] = [
    { path: layout.home, label: '<guardian-home>' },
    ...(config.nanoclaw_root ? [{ path: config.nanoclaw_root, label: '<nanoclaw-root>' }] : []),
    ...(opts.hidePaths ?? []),
  ];
  const userHome = opts.userHome === undefined ? homedir() : opts.userHome;
  return {
    layout,
    config,
    checkConfig:
      opts.checkConfig ??
      (() =>
        loadConfig({
          flags: {
            home: layout.home,
            ...(config.config_file ? { config: config.config_file } : {}),
            platform: config.platform,
            ...(config.nanoclaw_root ? { nanoclaw_root: config.nanoclaw_root } : {}),
          },
          ...(userHome ? { userHome } : {}),
        })),
    scrub: createScrubber(roots, { userHome }),
  };
}
