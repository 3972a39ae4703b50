// The three tools through a real MCP SDK Client over InMemoryTransport, backed by the host
// ("local") backend on a temporary home: tools/list schemas, each tool's happy path, invalid
// arguments, backend failures, and redaction (no secret, no host path, no CA key material).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createLocalBackend } from '../../host-services/ipc/local-backend.ts';
import { ToolFailure, type TrafficBackend } from '../../mcp-tools/backend.ts';
import { TRAFFIC_TOOL_NAMES } from '../../mcp-tools/schemas.ts';
import { assertClean, connectTools, forbiddenNeedles, makeHome } from './support.ts';

type Json = Record<string, any>;

function text(r: CallToolResult): string {
  return r.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
}

test('tools/list: the three tools with input and output schemas, read-only', async () => {
  const h = makeHome();
  const { client, close } = await connectTools(createLocalBackend(h.context));
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((t) => t.name), [...TRAFFIC_TOOL_NAMES]);
    for (const t of tools) {
      assert.equal(t.inputSchema.type, 'object', t.name);
      assert.equal((t.outputSchema as Json | undefined)?.type, 'object', `${t.name} has an output schema`);
      assert.equal(t.annotations?.readOnlyHint, true, t.name);
      assert.ok((t.description ?? '').length > 40, `${t.name} is described`);
    }
    const byName = Object.fromEntries(tools.map((t) => [t.name, t])) as Json;
    const fin = byName.clawsec_traffic_findings;
    assert.deepEqual(Object.keys(fin.inputSchema.properties).sort(), ['agent', 'limit', 'min_severity', 'since', 'threat_type']);
    assert.equal(fin.inputSchema.properties.limit.minimum, 1);
    assert.equal(fin.inputSchema.properties.limit.maximum, 200);
    assert.deepEqual(fin.inputSchema.properties.threat_type.enum, ['EXFIL', 'INJECTION']);
    assert.deepEqual(fin.inputSchema.properties.min_severity.enum, ['low', 'medium', 'high', 'critical']);
    assert.equal(fin.inputSchema.additionalProperties, false);
    assert.deepEqual([...fin.outputSchema.required].sort(), ['findings', 'total', 'truncated']);
    assert.deepEqual([...byName.clawsec_traffic_check_config.outputSchema.required].sort(), ['errors', 'valid', 'warnings']);
    assert.deepEqual([...byName.clawsec_traffic_status.outputSchema.required].sort(), ['running', 'schema_version']);
    assert.deepEqual(Object.keys(byName.clawsec_traffic_status.inputSchema.properties ?? {}), []);
  } finally {
    await close();
    h.cleanup();
  }
});

test('clawsec_traffic_status: the status object without host paths', async () => {
  const h = makeHome();
  const { client, close } = await connectTools(createLocalBackend(h.context));
  try {
    const r = (await client.callTool({ name: 'clawsec_traffic_status', arguments: {} })) as CallToolResult;
    assert.notEqual(r.isError, true, text(r));
    const s = r.structuredContent as Json;
    assert.equal(s.schema_version, 'clawsec-traffic-status/v1');
    assert.equal(s.running, false);
    assert.equal(s.pid, null);
    assert.equal(s.proxy_url, null);
    assert.equal(s.findings_total, 4);
    assert.deepEqual(s.findings_by_type, { EXFIL: 3, INJECTION: 1 });
    assert.equal(s.last_findings.length, 4);
    for (const k of ['home', 'findings_log', 'ca_cert_path']) assert.equal(k in s, false, `${k} is a host path`);
    assert.match(text(r), /not running/);
    assert.match(text(r), /4 findings/);
  } finally {
    await close();
    h.cleanup();
  }
});

test('clawsec_traffic_findings: newest N oldest first, filters, truncation', async () => {
  const h = makeHome();
  const { client, close } = await connectTools(createLocalBackend(h.context));
  const call = async (args: Json) => {
    const r = (await client.callTool({ name: 'clawsec_traffic_findings', arguments: args })) as CallToolResult;
    assert.notEqual(r.isError, true, text(r));
    return { out: r.structuredContent as Json, text: text(r) };
  };
  try {
    const all = await call({});
    assert.equal(all.out.total, 4);
    assert.equal(all.out.truncated, false);
    assert.deepEqual(all.out.findings.map((f: Json) => f.timestamp), h.findings.map((f) => f.timestamp));
    assert.match(all.text, /^4 findings:/);
    assert.match(all.text, /critical EXFIL ai_api_key -> collector\.attacker\.test:80/);

    const two = await call({ limit: 2 });
    assert.deepEqual(two.out.findings.map((f: Json) => f.timestamp), ['2026-04-26T10:02:00.000Z', '2026-04-26T10:03:00.000Z']);
    assert.equal(two.out.total, 4);
    assert.equal(two.out.truncated, true);

    assert.deepEqual((await call({ threat_type: 'INJECTION' })).out.findings.map((f: Json) => f.pattern), ['pipe_to_shell']);
    assert.deepEqual((await call({ min_severity: 'high' })).out.findings.map((f: Json) => f.severity), ['critical', 'high']);
    assert.equal((await call({ since: '2026-04-26T10:02:00Z' })).out.total, 2);
    const family = await call({ agent: 'family' });
    assert.equal(family.out.total, 2);
    assert.equal(family.out.agent_scope, 'family');
    assert.equal((await call({ since: '2030-01-01T00:00:00Z' })).text, 'No findings.');
  } finally {
    await close();
    h.cleanup();
  }
});

test('clawsec_traffic_check_config: valid config, and every problem of an invalid one', async () => {
  const good = makeHome();
  const bad = makeHome({ invalidConfig: true });
  const a = await connectTools(createLocalBackend(good.context));
  const b = await connectTools(createLocalBackend(bad.context));
  try {
    const ok = (await a.client.callTool({ name: 'clawsec_traffic_check_config', arguments: {} })) as CallToolResult;
    assert.notEqual(ok.isError, true, text(ok));
    assert.deepEqual(ok.structuredContent, { valid: true, errors: [], warnings: [] });
    assert.equal(text(ok), 'Configuration is valid.');

    const r = (await b.client.callTool({ name: 'clawsec_traffic_check_config', arguments: {} })) as CallToolResult;
    assert.notEqual(r.isError, true, 'an invalid config is an answer, not a tool failure');
    const out = r.structuredContent as Json;
    assert.equal(out.valid, false);
    const paths = out.errors.map((e: Json) => e.path).sort();
    assert.deepEqual(paths, ['mode', 'upstream_ca[0]', 'upstream_proxy']);
    const ca = out.errors.find((e: Json) => e.path === 'upstream_ca[0]');
    assert.match(ca.message, /<guardian-home>\/missing-ca\.pem/, 'the path is shown relative to a placeholder');
    assert.match(text(r), /^Configuration is invalid \(3 errors\)/);
  } finally {
    await a.close();
    await b.close();
    good.cleanup();
    bad.cleanup();
  }
});

test('invalid arguments come back as isError results, never as protocol errors', async () => {
  const h = makeHome();
  const { client, close } = await connectTools(createLocalBackend(h.context));
  try {
    const bad: Array<[string, Json]> = [
      ['clawsec_traffic_findings', { limit: 0 }],
      ['clawsec_traffic_findings', { limit: 201 }],
      ['clawsec_traffic_findings', { limit: 2.5 }],
      ['clawsec_traffic_findings', { threat_type: 'BOGUS' }],
      ['clawsec_traffic_findings', { min_severity: 'urgent' }],
      ['clawsec_traffic_findings', { since: 'yesterday' }],
      ['clawsec_traffic_findings', { since: '2026-13-45T99:99:99Z' }],
      ['clawsec_traffic_findings', { agent: '../main' }],
      ['clawsec_traffic_findings', { unknown_filter: 1 }],
      ['clawsec_traffic_status', { verbose: true }],
      ['clawsec_traffic_check_config', { path: '/etc/passwd' }],
    ];
    for (const [name, args] of bad) {
      const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
      assert.equal(r.isError, true, `${name} ${JSON.stringify(args)} must be isError`);
      assert.match(text(r), /invalid|Invalid/, `${name} ${JSON.stringify(args)} says why`);
      assert.equal(r.structuredContent, undefined);
    }
  } finally {
    await close();
    h.cleanup();
  }
});

test('backend failures are isError results with a code and no internals', async () => {
  const failing = (err: unknown): TrafficBackend => ({
    kind: 'test',
    call: async () => {
      throw err;
    },
  });
  const cases: Array<[TrafficBackend, RegExp]> = [
    [failing(new ToolFailure('IPC_TIMEOUT', 'no answer from the host within 10 s')), /failed \(IPC_TIMEOUT\): no answer/],
    [failing(new Error('EACCES: permission denied, open /home/someone/.ssh/id_rsa')), /failed \(INTERNAL\)/],
    [{ kind: 'test', call: async () => ({ not: 'a status' }) as never }, /failed \(INTERNAL\).*output schema/],
  ];
  for (const [backend, expected] of cases) {
    const { client, close } = await connectTools(backend);
    try {
      const r = (await client.callTool({ name: 'clawsec_traffic_status', arguments: {} })) as CallToolResult;
      assert.equal(r.isError, true);
      assert.match(text(r), expected);
      assert.doesNotMatch(text(r), /\/home\/someone|id_rsa/);
    } finally {
      await close();
    }
  }
});

test('redaction: no secret, no host path, no CA key material in any tool output', async () => {
  for (const invalidConfig of [false, true]) {
    const h = makeHome({ invalidConfig });
    const { client, close } = await connectTools(createLocalBackend(h.context));
    try {
      const outputs: unknown[] = [await client.listTools()];
      const calls: Array<[string, Json]> = [
        ['clawsec_traffic_status', {}],
        ['clawsec_traffic_findings', {}],
        ['clawsec_traffic_findings', { limit: 200, agent: 'family' }],
        ['clawsec_traffic_check_config', {}],
        ['clawsec_traffic_findings', { limit: 500 }],
      ];
      for (const [name, args] of calls) outputs.push(await client.callTool({ name, arguments: args }));
      const all = JSON.stringify(outputs);
      assertClean(`invalidConfig=${invalidConfig}`, all, forbiddenNeedles(h));
      assert.doesNotMatch(all, /PRIVATE KEY/);
      // the finding that named a file in the home still says which file, relative to a placeholder
      assert.match(all, /cat <guardian-home>\/ca\/ca-key\.pem/);
      assert.match(all, /"evidence_ref":"<guardian-home>\/logs\/evidence-1"/);
    } finally {
      await close();
      h.cleanup();
    }
  }
});
