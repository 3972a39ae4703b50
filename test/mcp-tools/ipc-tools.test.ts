// The container tools end to end: a real MCP Client calls registerTrafficTools with the ipc
// backend (task files in the group's IPC folder), a real IPC watcher on the host answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { startIpcWatcher } from '../../host-services/ipc/watcher.ts';
import { createIpcBackend } from '../../mcp-tools/ipc-backend.ts';
import { assertClean, connectTools, forbiddenNeedles, makeHome, makeNanoclawRoot } from './support.ts';

type Json = Record<string, any>;
const text = (r: CallToolResult) => r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');

test('container tools over IPC: each tool answered by the host watcher, nothing left behind', async () => {
  const h = makeHome();
  const nc = makeNanoclawRoot(h);
  const watcher = startIpcWatcher({ nanoclawRoot: nc.root, layout: h.layout, config: h.config, context: h.context, pollMs: 50 });
  const { client, close } = await connectTools(createIpcBackend({ ipcDir: nc.groupDir('main'), pollMs: 25, timeoutMs: 10_000 }));
  try {
    const status = (await client.callTool({ name: 'clawsec_traffic_status', arguments: {} })) as CallToolResult;
    assert.notEqual(status.isError, true, text(status));
    assert.equal((status.structuredContent as Json).schema_version, 'clawsec-traffic-status/v1');
    assert.equal((status.structuredContent as Json).findings_total, 4);

    const findings = (await client.callTool({ name: 'clawsec_traffic_findings', arguments: { limit: 3 } })) as CallToolResult;
    assert.notEqual(findings.isError, true, text(findings));
    const out = findings.structuredContent as Json;
    assert.equal(out.findings.length, 3);
    assert.equal(out.total, 4, 'main sees every agent');
    assert.equal(out.agent_scope, null);

    const cfg = (await client.callTool({ name: 'clawsec_traffic_check_config', arguments: {} })) as CallToolResult;
    assert.deepEqual(cfg.structuredContent, { valid: true, errors: [], warnings: [] });

    const bad = (await client.callTool({ name: 'clawsec_traffic_findings', arguments: { limit: 999 } })) as CallToolResult;
    assert.equal(bad.isError, true, 'invalid arguments are refused before any task is written');

    assert.deepEqual(readdirSync(join(nc.groupDir('main'), 'clawsec_tasks')), [], 'every task was taken');
    assert.deepEqual(readdirSync(join(nc.groupDir('main'), 'clawsec_results')), [], 'every result was collected');
    assertClean('ipc tools', JSON.stringify([status, findings, cfg]), forbiddenNeedles(h));
  } finally {
    await close();
    await watcher.stop();
    h.cleanup();
  }
});

test('container tools over IPC: no host answering -> isError IPC_TIMEOUT, task withdrawn', async () => {
  const h = makeHome();
  const nc = makeNanoclawRoot(h);
  const { client, close } = await connectTools(createIpcBackend({ ipcDir: nc.groupDir('family'), pollMs: 50, timeoutMs: 600 }));
  try {
    const t0 = Date.now();
    const r = (await client.callTool({ name: 'clawsec_traffic_status', arguments: {} })) as CallToolResult;
    const took = Date.now() - t0;
    assert.equal(r.isError, true);
    assert.match(text(r), /failed \(IPC_TIMEOUT\): no answer from the host within 0\.6 s/);
    assert.ok(took >= 550 && took < 5000, `waited about the timeout (${took} ms)`);
    assert.deepEqual(readdirSync(join(nc.groupDir('family'), 'clawsec_tasks')), [], 'the unanswered task is withdrawn');
  } finally {
    await close();
    h.cleanup();
  }
});

test('container tools over IPC: a non-main group sees only its own findings, whatever it asks', async () => {
  const h = makeHome();
  const nc = makeNanoclawRoot(h);
  const watcher = startIpcWatcher({ nanoclawRoot: nc.root, layout: h.layout, config: h.config, context: h.context, pollMs: 50 });
  const family = await connectTools(createIpcBackend({ ipcDir: nc.groupDir('family'), pollMs: 25 }));
  const other = await connectTools(createIpcBackend({ ipcDir: nc.groupDir('other'), pollMs: 25 }));
  try {
    for (const args of [{}, { agent: 'main' }, { agent: 'family' }, { limit: 200 }]) {
      const r = (await family.client.callTool({ name: 'clawsec_traffic_findings', arguments: args })) as CallToolResult;
      assert.notEqual(r.isError, true, text(r));
      const out = r.structuredContent as Json;
      assert.equal(out.agent_scope, 'family', JSON.stringify(args));
      assert.equal(out.total, 2, JSON.stringify(args));
      assert.ok(out.findings.every((f: Json) => f.agent === 'family'), JSON.stringify(args));
    }
    const status = (await family.client.callTool({ name: 'clawsec_traffic_status', arguments: {} })) as CallToolResult;
    const s = status.structuredContent as Json;
    assert.equal(s.last_findings.length, 2);
    assert.ok(s.last_findings.every((f: Json) => f.agent === 'family'));

    const none = (await other.client.callTool({ name: 'clawsec_traffic_findings', arguments: { agent: 'main' } })) as CallToolResult;
    assert.deepEqual((none.structuredContent as Json).findings, []);
    assert.equal((none.structuredContent as Json).agent_scope, 'other');
  } finally {
    await family.close();
    await other.close();
    await watcher.stop();
    h.cleanup();
  }
});
