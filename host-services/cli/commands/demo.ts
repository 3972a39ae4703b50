// `demo`: a self-contained run on loopback. It starts a real monitor on a temporary home, sends
// benign and malicious sample traffic through it (host-services/demo/samples.ts), prints what was
// found and what stayed quiet, and removes everything it created. It never reads or writes the
// operator's guardian home or config (--home/--config are accepted, as by every command, and
// ignored). Exit 0 when every sample behaved as expected, 1 otherwise.
import { rmSync } from 'node:fs';
import { renderDemoReport } from '../../demo/report.ts';
import { terminalColumns, useColor } from '../output/table.ts';
import { BIN, defineCommand } from '../args.ts';

export const demoCommand = defineCommand({
  name: 'demo',
  summary: 'run a monitor on a temporary home with sample traffic on loopback; show what it finds',
  usage: '[--json]',
  examples: [`${BIN} demo`, `${BIN} demo --json`],
  flags: {},
  async run(ctx) {
    let home: string | undefined;
    // Ctrl-C mid-run: remove the temporary home before leaving (servers die with the process)
    const onSignal = (): void => {
      if (home) rmSync(home, { recursive: true, force: true });
      process.exit(130);
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    let result;
    try {
      // loaded on use: keeps mockttp out of every other command's process
      const { runDemo } = await import('../../demo/run-demo.ts');
      result = await runDemo({ platform: ctx.global.platform ?? 'openclaw', onHome: (dir) => (home = dir) });
    } finally {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
    }
    if (ctx.global.json) ctx.printJson(result);
    else {
      const width = terminalColumns(ctx.io);
      ctx.io.stdout.write(renderDemoReport(result, { color: useColor(ctx.io), ...(width ? { width } : {}) }));
    }
    return result.ok ? 0 : 1;
  },
});
