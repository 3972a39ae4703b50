// `stop`: stops the background monitor of this home (SIGTERM, SIGKILL after --timeout).
// Idempotent: when nothing runs it says so and exits 0; stale files are cleaned on the way.
import { DEFAULT_STOP_TIMEOUT_MS, stopMonitor } from '../../lifecycle/stop.ts';
import { BIN, defineCommand, usageError } from '../args.ts';
import { loadConfigForCommand } from '../config-flags.ts';

function parseTimeout(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_STOP_TIMEOUT_MS;
  const n = Number(raw);
  if (!/^\d+(\.\d+)?$/.test(raw.trim()) || !Number.isFinite(n) || n <= 0 || n > 3600) {
    throw usageError(`flag --timeout must be a number of seconds from 1 to 3600 (got "${raw.slice(0, 40)}")`, 'write e.g. --timeout 30');
  }
  return Math.max(1000, Math.round(n * 1000));
}

export const stopCommand = defineCommand({
  name: 'stop',
  summary: 'stop the background monitor (exit 0 when nothing runs)',
  usage: '[--timeout SECONDS]',
  examples: [`${BIN} stop`, `${BIN} stop --home ~/.config/nanoclaw/clawsec/traffic-guardian --json`],
  flags: {
    timeout: {
      type: 'string',
      valueName: 'SECONDS',
      description: `wait this long for a clean shutdown before SIGKILL (default ${DEFAULT_STOP_TIMEOUT_MS / 1000})`,
    },
  },
  async run(ctx) {
    const timeoutMs = parseTimeout(ctx.values.timeout);
    const { layout } = loadConfigForCommand({ values: {}, global: ctx.global, io: ctx.io });
    const r = await stopMonitor(layout, { timeoutMs });
    if (ctx.global.json) {
      ctx.printJson({
        running: false,
        stopped: r.stopped,
        pid: r.pid,
        proxy_url: r.proxy_url,
        forced: r.forced,
        stale_cleaned: r.stale !== null,
        ...(r.stale ? { stale: r.stale } : {}),
      });
      return 0;
    }
    if (r.stale) ctx.print(`cleaned up stale state left by a monitor that is gone${r.stale.pid ? ` (pid ${r.stale.pid}, ${r.stale.reason})` : ''}`);
    if (!r.stopped) {
      ctx.print('not running: no monitor for this home');
      return 0;
    }
    ctx.print(
      r.forced
        ? `stopped the monitor (pid ${r.pid}) with SIGKILL after it ignored SIGTERM for ${timeoutMs / 1000} s; findings still inside a dedup window were lost`
        : `stopped the monitor (pid ${r.pid}, ${r.proxy_url}); every finding was flushed`,
    );
    return 0;
  },
});
