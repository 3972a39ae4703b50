// `start`: starts the monitor. Background by default (a detached child running
// `start --foreground` with the same flags; returns once its listener accepts connections),
// `--foreground` stays attached until SIGINT/SIGTERM and then shuts down cleanly.
import { buildStatus } from '../../lifecycle/status.ts';
import { startBackground, DEFAULT_START_TIMEOUT_MS } from '../../lifecycle/background.ts';
import { assertValidConfig } from '../../config/load.ts';
import { BIN, defineCommand, usageError, type CommandContext } from '../args.ts';
import { CONFIG_FLAGS, loadConfigForCommand, type ConfigFlagValues } from '../config-flags.ts';
import { setupText } from '../output/status-text.ts';

const START_FLAGS = {
  ...CONFIG_FLAGS,
  foreground: { type: 'boolean', description: 'stay attached until SIGINT/SIGTERM instead of running in the background' },
  timeout: {
    type: 'string',
    valueName: 'SECONDS',
    description: `background start: how long to wait for the listener (default ${DEFAULT_START_TIMEOUT_MS / 1000})`,
  },
} as const;

/** Rebuilds the config flags for the monitor child: the same flags, the home made absolute. */
export function childArgsFor(values: ConfigFlagValues, global: CommandContext['global'], home: string): string[] {
  const args: string[] = ['--home', home];
  if (global.config !== undefined) args.push('--config', global.config);
  if (global.platform !== undefined) args.push('--platform', global.platform);
  for (const name of Object.keys(CONFIG_FLAGS) as Array<keyof typeof CONFIG_FLAGS>) {
    const v = values[name];
    if (v === undefined || v === false) continue;
    if (v === true) args.push(`--${name}`);
    else if (Array.isArray(v)) for (const item of v) args.push(`--${name}`, String(item));
    else args.push(`--${name}`, v);
  }
  return args;
}

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_START_TIMEOUT_MS;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(n) || n <= 0 || n > 3600) {
    throw usageError(`flag --timeout must be a number of seconds from 1 to 3600 (got "${raw.slice(0, 40)}")`, 'write e.g. --timeout 60');
  }
  return Math.max(1000, Math.round(n * 1000));
}

export const startCommand = defineCommand({
  name: 'start',
  summary: 'start the monitor (background by default; --foreground stays attached)',
  usage: '[--foreground] [--host HOST] [--port PORT] [--https-inspection] [flags]',
  examples: [
    `${BIN} start`,
    `${BIN} start --port 0 --json`,
    `${BIN} start --foreground --https-inspection --allow-client 172.17.0.0/16`,
  ],
  flags: START_FLAGS,
  async run(ctx) {
    const timeoutMs = parseTimeout(ctx.values.timeout);
    const loaded = loadConfigForCommand(ctx);
    const { config, layout } = assertValidConfig(loaded);
    for (const w of loaded.warnings) ctx.io.stderr.write(`warning: ${w.path}: ${w.message}\n`);
    const userHome = ctx.io.env.HOME;

    if (ctx.values.foreground) {
      // loaded here, not at module load: the proxy (mockttp) must stay out of processes that
      // only serve MCP or read status (mockttp writes to stdout)
      const { runForeground } = await import('../../lifecycle/foreground.ts');
      return await runForeground({
        layout,
        config,
        env: ctx.io.env,
        lockTimeoutMs: timeoutMs,
        checkConfig: () => loadConfigForCommand(ctx),
        log: (line) => void ctx.io.stderr.write(`${line}\n`),
        async onReady() {
          const status = await buildStatus(layout, config);
          if (ctx.global.json) ctx.printJson(status);
          else for (const line of setupText(status, { foreground: true, ...(userHome ? { userHome } : {}) })) ctx.print(line);
        },
        onStopped({ signal, counters }) {
          if (ctx.global.json) return; // stdout carried exactly one JSON object
          ctx.print(
            `monitor stopped (${signal}): ${counters.findings_logged} finding line${counters.findings_logged === 1 ? '' : 's'} written this run, every open dedup window flushed`,
          );
        },
      });
    }

    await startBackground({
      layout,
      config,
      childArgs: childArgsFor(ctx.values, ctx.global, config.home),
      env: ctx.io.env,
      cwd: ctx.io.cwd,
      timeoutMs,
    });
    const status = await buildStatus(layout, config);
    if (ctx.global.json) ctx.printJson(status);
    else for (const line of setupText(status, { foreground: false, ...(userHome ? { userHome } : {}) })) ctx.print(line);
    return 0;
  },
});
