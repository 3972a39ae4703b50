// `check-config`: resolves flags + environment + config file exactly as `start` would and
// reports every problem with its field path, without starting, creating or writing anything.
import type { FieldProblem } from '../../../lib/errors.ts';
import { redactConfig, type ResolvedConfig } from '../../config/schema.ts';
import { BIN, defineCommand, type CommandContext } from '../args.ts';
import { CONFIG_FLAGS, loadConfigForCommand } from '../config-flags.ts';

export const checkConfigCommand = defineCommand({
  name: 'check-config',
  summary: 'validate flags, environment and config file without starting anything',
  usage: '[flags]',
  examples: [
    `${BIN} check-config`,
    `${BIN} check-config --json --home ~/.openclaw/security/clawsec/traffic-guardian`,
    `${BIN} check-config --port 0 --allow-client 172.17.0.0/16 --https-inspection`,
  ],
  flags: CONFIG_FLAGS,
  async run(ctx) {
    const { config, errors, warnings } = loadConfigForCommand(ctx);
    const valid = errors.length === 0;
    if (ctx.global.json) {
      // an invalid config is not shown: its fallbacks would read as accepted values
      ctx.printJson({ valid, errors, warnings, config: valid ? redactConfig(config) : null });
      return valid ? 0 : 1;
    }
    printReport(ctx, valid, redactConfig(config), errors, warnings);
    if (!valid) {
      ctx.io.stderr.write(`error: configuration is invalid (${plural(errors.length, 'problem')})\nfix: correct each field listed above, then run \`${BIN} check-config\` again\n`);
    }
    return valid ? 0 : 1;
  },
});

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function problemLines(title: string, problems: FieldProblem[]): string[] {
  if (problems.length === 0) return [];
  return [`${title}:`, ...problems.map((p) => `  ${p.path}: ${p.message}`)];
}

function printReport(
  ctx: Pick<CommandContext, 'print'>,
  valid: boolean,
  c: ResolvedConfig,
  errors: FieldProblem[],
  warnings: FieldProblem[],
): void {
  const counts = [errors.length ? plural(errors.length, 'error') : '', warnings.length ? plural(warnings.length, 'warning') : '']
    .filter(Boolean)
    .join(', ');
  ctx.print(`configuration is ${valid ? 'valid' : 'invalid'}${counts ? ` (${counts})` : ''}`);
  for (const line of [...problemLines('errors', errors), ...problemLines('warnings', warnings)]) ctx.print(line);
  if (!valid) return;
  const host = c.host.includes(':') ? `[${c.host}]` : c.host;
  const rows: Array<[string, string]> = [
    ['platform', c.platform],
    ['mode', c.mode],
    ['home', c.home],
    ['config file', c.config_file ?? 'none (defaults)'],
    ['listener', `http://${host}:${c.port}${c.port === 0 ? ' (any free port)' : ''}`],
    ['https inspection', c.https_inspection ? 'on' : 'off (HTTPS is tunnelled unread)'],
    ['allowed clients', c.allow_clients.join(', ')],
    ['max scan bytes', String(c.max_scan_bytes)],
    ['findings log', `${c.log.dir} (${c.log.max_bytes} bytes x ${c.log.max_files} files)`],
    ['dedup window', `${c.dedup_window_ms} ms`],
    ['upstream proxy', c.upstream_proxy ?? 'none'],
    ['upstream CAs', c.upstream_ca.length ? c.upstream_ca.join(', ') : 'none (default trust)'],
    ['secret env files', c.secret_env_files.length ? c.secret_env_files.join(', ') : 'none'],
    ['nanoclaw root', c.nanoclaw_root ?? 'none'],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  for (const [k, v] of rows) ctx.print(`  ${`${k}:`.padEnd(width + 1)} ${v}`);
}
