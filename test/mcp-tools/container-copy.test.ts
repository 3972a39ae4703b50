// The container recipe of docs/NANOCLAW.md, for real: mcp-tools/ and lib/finding.ts are copied
// into a scratch "agent runner", compiled with the agent runner's compiler options plus
// rewriteRelativeImportExtensions, and the compiled server (two added lines, as in the guide)
// runs under plain `node` (no tsx) as a stdio MCP server. A real MCP client calls it; a real
// host watcher answers over the IPC folders. Also: mcp-tools imports nothing from the host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startIpcWatcher } from '../../host-services/ipc/watcher.ts';
import { makeHome, makeNanoclawRoot } from './support.ts';

const REPO = new URL('../../', import.meta.url).pathname;

test('mcp-tools imports only zod, the MCP SDK, node built-ins, its own files and lib/finding.ts', () => {
  const allowed = /^(zod|@modelcontextprotocol\/sdk\/.+|node:.+|\.\/[a-z-]+\.ts|\.\.\/lib\/finding\.ts)$/;
  const files = readdirSync(join(REPO, 'mcp-tools')).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length >= 8);
  for (const f of files) {
    const src = readFileSync(join(REPO, 'mcp-tools', f), 'utf8');
    const specs = [...src.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm)].map((m) => m[1] as string);
    for (const s of specs) assert.match(s, allowed, `mcp-tools/${f} imports ${s}`);
  }
  // lib/finding.ts itself depends on zod only
  const finding = readFileSync(join(REPO, 'lib', 'finding.ts'), 'utf8');
  assert.deepEqual([...finding.matchAll(/from\s+'([^']+)'/g)].map((m) => m[1]), ['zod']);
});

test('the copied tools compile like NanoClaw\'s agent runner and answer over IPC under plain node', { timeout: 120_000 }, async () => {
  const h = makeHome();
  const nc = makeNanoclawRoot(h);
  const runner = join(h.dir, 'agent-runner');
  const src = join(runner, 'src');
  mkdirSync(join(src, 'clawsec', 'lib'), { recursive: true });
  cpSync(join(REPO, 'mcp-tools'), join(src, 'clawsec', 'mcp-tools'), { recursive: true });
  cpSync(join(REPO, 'lib', 'finding.ts'), join(src, 'clawsec', 'lib', 'finding.ts'));
  symlinkSync(join(REPO, 'node_modules'), join(runner, 'node_modules'));
  writeFileSync(join(runner, 'package.json'), JSON.stringify({ type: 'module' }));
  // NanoClaw's container/agent-runner/tsconfig.json, plus the one option the guide adds
  writeFileSync(
    join(runner, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        outDir: './dist',
        rootDir: './src',
        strict: true,
        esModuleInterop: true,
        skipLibCheck: true,
        declaration: true,
        rewriteRelativeImportExtensions: true,
      },
      include: ['src/**/*'],
    }),
  );
  // a stand-in for ipc-mcp-stdio.ts with the guide's two lines
  writeFileSync(
    join(src, 'ipc-mcp-stdio.ts'),
    [
      "import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';",
      "import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';",
      "import { createIpcBackend, registerTrafficTools } from './clawsec/mcp-tools/index.js';",
      "const server = new McpServer({ name: 'nanoclaw', version: '1.0.0' });",
      "registerTrafficTools(server, { backend: createIpcBackend({ ipcDir: process.env.TEST_IPC_DIR, pollMs: 50 }) });",
      'await server.connect(new StdioServerTransport());',
      '',
    ].join('\n'),
  );
  const tsc = spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', runner], { encoding: 'utf8', timeout: 90_000 });
  assert.equal(tsc.status, 0, `tsc failed:\n${tsc.stdout}${tsc.stderr}`);

  const watcher = startIpcWatcher({ nanoclawRoot: nc.root, layout: h.layout, config: h.config, context: h.context, pollMs: 50 });
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [join(runner, 'dist', 'ipc-mcp-stdio.js')],
    env: { PATH: process.env.PATH ?? '', TEST_IPC_DIR: nc.groupDir('family') },
    stderr: 'pipe',
  });
  const client = new Client({ name: 'container-copy-test', version: '0' });
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), ['clawsec_traffic_status', 'clawsec_traffic_findings', 'clawsec_traffic_check_config']);
    const r = (await client.callTool({ name: 'clawsec_traffic_findings', arguments: { limit: 5 } })) as CallToolResult;
    assert.notEqual(r.isError, true, JSON.stringify(r.content));
    const out = r.structuredContent as { findings: Array<{ agent?: string }>; agent_scope: string };
    assert.equal(out.agent_scope, 'family');
    assert.equal(out.findings.length, 2);
  } finally {
    await client.close();
    await watcher.stop();
    h.cleanup();
  }
});
