// `status`: is a monitor running for this home, where does it listen, what has it found, which
// faults has it seen. Cleans up stale pid/state files left by a monitor that is gone and says
// so (`stale_cleaned: true` in JSON). `--json` prints the contract's status object.
import { buildStatus } from '../../lifecycle/status.ts';
import { BIN, defineCommand } from '../args.ts';
import { loadConfigForCommand } from '../config-flags.ts';
import { statusText } from '../output/status-text.ts';
import { terminalColumns, useColor } from '../output/table.ts';

export const statusCommand = defineCommand({
  name: 'status',
  summary: 'monitor state, findings summary and faults; cleans up stale pid/state files',
  usage: '[--json]',
  examples: [`${BIN} status`, `${BIN} status --json --home ~/.openclaw/security/clawsec/traffic-guardian`],
  flags: {},
  async run(ctx) {
    const loaded = loadConfigForCommand({ values: {}, global: ctx.global, io: ctx.io });
    if (loaded.errors.length) {
      // status still reports (the running monitor's own state is authoritative); say why values may be defaults
      ctx.io.stderr.write(
        `warning: the configuration has ${loaded.errors.length} problem${loaded.errors.length === 1 ? '' : 's'}; values not taken from a running monitor are best-effort (run \`${BIN} check-config\`)\n`,
      );
    }
    const status = await buildStatus(loaded.layout, loaded.config);
    if (ctx.global.json) {
      ctx.printJson(status);
      return 0;
    }
    const width = terminalColumns(ctx.io);
    for (const line of statusText(status, { color: useColor(ctx.io), ...(width ? { width } : {}) })) ctx.print(line);
    return 0;
  },
});
