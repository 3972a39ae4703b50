// `mcp`: the three traffic tools as a stdio MCP server against the local guardian home, for
// OpenClaw, Claude Code or any MCP client on the host. Same tools as in NanoClaw containers
// (mcp-tools/), with the "local" backend reading the home directly instead of going through IPC.
//
// stdout carries only MCP messages. That is why this process never loads the proxy (mockttp
// writes some errors with console.log), and why, while the server runs, console.log / info /
// debug / warn are sent to stderr: whatever a library prints cannot corrupt the JSON-RPC stream.
//
// An invalid configuration does not stop the server: clawsec_traffic_check_config is how the
// client learns what is wrong. The server ends when stdin closes or on SIGINT/SIGTERM.
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { readFileSync } from 'node:fs';
import type { Readable, Writable } from 'node:stream';
import { registerTrafficTools } from '../../../mcp-tools/register.ts';
import { createHostContext } from '../../ipc/context.ts';
import { createLocalBackend } from '../../ipc/local-backend.ts';
import { BIN, defineCommand } from '../args.ts';
import { loadConfigForCommand } from '../config-flags.ts';

export const mcpCommand = defineCommand({
  name: 'mcp',
  summary: 'serve the MCP tools (status, findings, check-config) over stdio against the local home',
  usage: '[--home DIR] [--config FILE] [--platform openclaw|nanoclaw]',
  examples: [
    `${BIN} mcp`,
    `${BIN} mcp --platform nanoclaw`,
    `claude mcp add clawsec-traffic -- ${BIN} mcp --home ~/.openclaw/security/clawsec/traffic-guardian`,
  ],
  flags: {},
  async run(ctx) {
    const loaded = loadConfigForCommand({ values: {}, global: ctx.global, io: ctx.io });
    const context = createHostContext({
      layout: loaded.layout,
      config: loaded.config,
      checkConfig: () => loadConfigForCommand({ values: {}, global: ctx.global, io: ctx.io }),
      ...(ctx.io.env.HOME ? { userHome: ctx.io.env.HOME } : {}),
    });
    const server = new McpServer({ name: 'clawsec-traffic-guardian', version: packageVersion() });
    registerTrafficTools(server, { backend: createLocalBackend(context) });

    const stdin = ctx.io.stdin as Readable;
    const stdout = ctx.io.stdout as unknown as Writable;
    const restoreConsole = consoleToStderr(ctx.io.stderr);
    const transport = new StdioServerTransport(stdin, stdout);
    try {
      await new Promise<void>((resolve) => {
        const done = () => {
          stdin.off('end', done);
          stdin.off('close', done);
          process.off('SIGINT', done);
          process.off('SIGTERM', done);
          resolve();
        };
        stdin.once('end', done);
        stdin.once('close', done);
        process.once('SIGINT', done);
        process.once('SIGTERM', done);
        server.server.onclose = done;
        server.connect(transport).catch(done);
      });
    } finally {
      await server.close().catch(() => undefined);
      restoreConsole();
    }
    return 0;
  },
});

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Sends console output meant for stdout to stderr until the returned function is called. */
function consoleToStderr(stderr: { write(text: string): unknown }): () => void {
  const methods = ['log', 'info', 'debug', 'warn'] as const;
  const saved = methods.map((m) => [m, console[m]] as const);
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      stderr.write(`${args.map((a) => (typeof a === 'string' ? a : safeInspect(a))).join(' ')}\n`);
    };
  }
  return () => {
    for (const [m, fn] of saved) console[m] = fn;
  };
}

function safeInspect(v: unknown): string {
  try {
    return typeof v === 'object' ? JSON.stringify(v) : String(v);
  } catch {
    return String(v);
  }
}
