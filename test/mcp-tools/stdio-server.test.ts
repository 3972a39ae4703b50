// `clawsec-traffic-guardian mcp` as a real process, spoken to with raw JSON-RPC lines over
// stdin/stdout: initialize, tools/list, tools/call. Every stdout line must be a JSON-RPC
// message, the process must never load mockttp, and it must exit when stdin closes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { assertClean, forbiddenNeedles, makeHome } from './support.ts';

const BIN = new URL('../../bin/clawsec-traffic-guardian.mjs', import.meta.url).pathname;
const PRELOAD = new URL('./fixtures/report-loaded-modules.mjs', import.meta.url).pathname;

type Json = Record<string, any>;
interface LoadedReport {
  mockttp: number;
  sample: string[];
}
/** what the process of the first test loaded (read by the mockttp test below) */
let mcpProcessModules: LoadedReport | undefined;

/** The modules a fresh process loads when it imports `entry` (via tsx), as the preload reports them. */
function modulesLoadedBy(entry: string, dir: string): LoadedReport {
  const out = join(dir, `modules-${Math.random().toString(36).slice(2)}.json`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--import', PRELOAD, '-e', `await import(${JSON.stringify(entry)})`, '--input-type=module'], {
    env: { PATH: process.env.PATH, CTG_LOADED_MODULES_FILE: out },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(readFileSync(out, 'utf8')) as LoadedReport;
}

test('mcp over stdio: initialize, tools/list, tools/call; stdout is only JSON-RPC', { timeout: 60_000 }, async () => {
  const h = makeHome();
  const modulesFile = join(h.dir, 'loaded-modules.json');
  const child = spawn(process.execPath, ['--import', PRELOAD, BIN, 'mcp', '--home', h.home, '--platform', 'nanoclaw'], {
    env: { PATH: process.env.PATH, HOME: h.dir, CTG_LOADED_MODULES_FILE: modulesFile },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const responses = new Map<number, Json>();
  const waiters = new Map<number, (msg: Json) => void>();
  child.stdout.setEncoding('utf8');
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => (stderr += c));
  child.stdout.on('data', (c: string) => {
    stdout += c;
    let nl: number;
    while ((nl = stdout.indexOf('\n')) !== -1) {
      const line = stdout.slice(0, nl);
      stdout = stdout.slice(nl + 1);
      lines.push(line);
      let msg: Json;
      try {
        msg = JSON.parse(line) as Json;
      } catch {
        continue; // reported below: every line must parse
      }
      if (typeof msg.id === 'number') {
        responses.set(msg.id, msg);
        waiters.get(msg.id)?.(msg);
      }
    }
  });
  const lines: string[] = [];
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const send = (msg: Json) => child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...msg })}\n`);
  const request = (id: number, method: string, params: Json = {}) =>
    new Promise<Json>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer to ${method} (stderr: ${stderr.slice(0, 500)})`)), 20_000);
      waiters.set(id, (m) => {
        clearTimeout(timer);
        resolve(m);
      });
      send({ id, method, params });
    });

  try {
    const init = await request(1, 'initialize', {
      protocolVersion: '2025-06-18',
      capabilities: {},
      clientInfo: { name: 'raw-jsonrpc-test', version: '0' },
    });
    assert.equal(init.result?.serverInfo?.name, 'clawsec-traffic-guardian');
    assert.ok(init.result?.capabilities?.tools, 'announces tools');
    send({ method: 'notifications/initialized' });

    const list = await request(2, 'tools/list');
    assert.deepEqual(
      list.result.tools.map((t: Json) => t.name),
      ['clawsec_traffic_status', 'clawsec_traffic_findings', 'clawsec_traffic_check_config'],
    );

    const status = await request(3, 'tools/call', { name: 'clawsec_traffic_status', arguments: {} });
    assert.notEqual(status.result.isError, true, JSON.stringify(status));
    assert.equal(status.result.structuredContent.findings_total, 4);

    const findings = await request(4, 'tools/call', { name: 'clawsec_traffic_findings', arguments: { limit: 2, threat_type: 'EXFIL' } });
    assert.deepEqual(
      findings.result.structuredContent.findings.map((f: Json) => f.pattern),
      ['sensitive_unix_path', 'aws_access_key_id'],
    );
    assert.equal(findings.result.structuredContent.total, 3);

    const config = await request(5, 'tools/call', { name: 'clawsec_traffic_check_config', arguments: {} });
    assert.equal(config.result.structuredContent.valid, true, JSON.stringify(config.result.structuredContent));

    const bad = await request(6, 'tools/call', { name: 'clawsec_traffic_findings', arguments: { limit: 'lots' } });
    assert.equal(bad.result.isError, true);

    const unknown = await request(7, 'tools/call', { name: 'no_such_tool', arguments: {} });
    assert.ok(unknown.error || unknown.result?.isError, 'an unknown tool is refused');

    // a garbage line on stdin must not make the server print anything that is not JSON-RPC
    child.stdin.write('this is not json\n');
    const after = await request(8, 'tools/list');
    assert.equal(after.result.tools.length, 3);
  } finally {
    child.stdin.end();
  }
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 10_000))]);
  if (code === 'hung') child.kill('SIGKILL');
  try {
    assert.equal(code, 0, `exits 0 when stdin closes (stderr: ${stderr.slice(0, 500)})`);
    if (stdout.length) lines.push(stdout);
    assert.ok(lines.length >= 8);
    for (const line of lines) {
      let msg: Json;
      assert.doesNotThrow(() => (msg = JSON.parse(line)), `stdout line is not JSON: ${line.slice(0, 80)}`);
      assert.equal(msg!.jsonrpc, '2.0', `stdout line is not JSON-RPC: ${line.slice(0, 80)}`);
    }
    assertClean('stdio', lines.join('\n'), forbiddenNeedles(h));
    assert.ok(existsSync(modulesFile), 'the preload reported at exit');
    mcpProcessModules = JSON.parse(readFileSync(modulesFile, 'utf8')) as LoadedReport;
  } finally {
    h.cleanup();
  }
});

test('the mcp command and the tool modules never load mockttp', () => {
  const h = makeHome();
  try {
    for (const entry of ['host-services/cli/commands/mcp.ts', 'mcp-tools/index.ts', 'host-services/ipc/index.ts']) {
      const loaded = modulesLoadedBy(new URL(`../../${entry}`, import.meta.url).href, h.dir);
      assert.equal(loaded.mockttp, 0, `${entry} loads mockttp: ${loaded.sample.join(', ')}`);
    }
  } finally {
    h.cleanup();
  }
});

// The whole `clawsec-traffic-guardian mcp` process goes through host-services/cli/main.ts,
// which imports every command; start and demo load the proxy (mockttp) only inside run().
test('the mcp process as started from the bin never loads mockttp', () => {
  assert.ok(mcpProcessModules, 'the stdio test ran first and reported its modules');
  assert.equal(mcpProcessModules.mockttp, 0, `the mcp process loaded mockttp: ${mcpProcessModules.sample.join(', ')}`);
});
