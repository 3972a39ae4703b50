// Safety contract 6: snippets are redacted before they are written or returned. A planted secret
// of every key rule in the registry (its own first true-positive example, so the set follows the
// registry) and the agent's own secret given with --secret-env-file are sent through a real
// monitor raw, base64-, hex- and percent-encoded. Each must be found, and no piece of it, in any of
// those forms, may show up in a log line, a file of the home, `threats`/`status` (JSON and human),
// an MCP tool result, a NanoClaw IPC result or a hook message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join, relative } from 'node:path';
import { ALNUM, B64URL, fake, fakeToken } from '../../lib/patterns/fake.ts';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import type { PatternRecord } from '../../lib/patterns/types.ts';
import {
  callMcpTools,
  filesUnder,
  findingLines,
  firstLeak,
  HOOK_EVENTS,
  httpRequest,
  pieces,
  recordingUpstream,
  runHook,
  SLOW,
  waitFor,
  World,
  type Upstream,
} from './helpers.ts';

interface Planted {
  rule: string;
  family: string;
  /** the example text sent (the secret with the context its rule needs) */
  plant: string;
  /** where the secret's private part (past its public prefix) sits in `plant` */
  start: number;
  end: number;
}

/** Every outbound rule that finds a credential (the *_path families find file names, not secrets). */
function planted(): Planted[] {
  const out: Planted[] = [];
  for (const rec of PATTERNS as readonly PatternRecord[]) {
    if (rec.direction !== 'outbound' || rec.family.endsWith('_path')) continue;
    const plant = rec.examples.tp[0];
    if (!plant) continue;
    const re = new RegExp(rec.regex.source, rec.regex.flags.includes('g') ? rec.regex.flags : `${rec.regex.flags}g`);
    const m = re.exec(plant);
    if (!m) throw new Error(`${rec.id}: its first example does not match its own regex`);
    const secret = m.groups?.secret ?? m[0];
    const at = plant.indexOf(secret, m.index);
    const keep = rec.publicPrefix?.exec(secret)?.[0].length ?? 0;
    out.push({ rule: rec.id, family: rec.family, plant, start: at + keep, end: at + secret.length });
  }
  return out;
}

const FORMS = ['raw', 'base64', 'hex', 'percent'] as const;
type Form = (typeof FORMS)[number];

/** The bytes sent for `form`, and the stretch of them that encodes only the private part. */
function encode(p: Planted, form: Form): { sent: string; region: string; piece: number } {
  const bytes = Buffer.from(p.plant, 'utf8');
  // byte offsets of the private part (the examples are ASCII, but be exact)
  const s = Buffer.byteLength(p.plant.slice(0, p.start));
  const e = Buffer.byteLength(p.plant.slice(0, p.end));
  switch (form) {
    case 'raw':
      return { sent: p.plant, region: p.plant.slice(p.start, p.end), piece: 12 };
    case 'base64': {
      const b = bytes.toString('base64');
      return { sent: b, region: b.slice(Math.ceil(s / 3) * 4, Math.floor(e / 3) * 4), piece: 16 };
    }
    case 'hex': {
      const h = bytes.toString('hex');
      return { sent: h, region: h.slice(2 * s, 2 * e), piece: 16 };
    }
    case 'percent': {
      const pct = [...bytes].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
      return { sent: pct, region: pct.slice(3 * s, 3 * e), piece: 18 };
    }
  }
}

test('safety: redaction: a planted secret of every key rule, raw/base64/hex/percent, appears in no log, threats, status, MCP, IPC or hook output', SLOW, async (t) => {
  const w = new World(t);
  const fromRegistry = planted();
  const families = new Set(fromRegistry.map((p) => p.family));
  for (const f of ['ai_api_key', 'aws_access_key_id', 'private_key_pem']) assert.ok(families.has(f), `no ${f} rule in the registry`);
  assert.ok(fromRegistry.length >= 20, `${fromRegistry.length} key rules`);
  // and the agent's own secret of no known shape, watched through --secret-env-file
  const own = fakeToken('safety-known-secret', 40, ALNUM);
  const envFile = join(w.work, 'agent.env');
  writeFileSync(envFile, `MY_SERVICE_TOKEN=${own}\n`);
  const secrets: Planted[] = [...fromRegistry, { rule: 'known_secret/MY_SERVICE_TOKEN', family: 'known_secret', plant: own, start: 0, end: own.length }];

  const nanoclaw = join(w.root, 'nanoclaw');
  const tasks = join(nanoclaw, 'data', 'ipc', 'main', 'clawsec_tasks');
  mkdirSync(tasks, { recursive: true });
  mkdirSync(join(nanoclaw, 'groups'));
  const { status } = await w.start(['--nanoclaw-root', nanoclaw, '--secret-env-file', envFile]);
  const proxy = status.listen.port as number;

  // one upstream per form: a finding's dedup key holds its destination, so each form is logged on its own
  const ups = {} as Record<Form, Upstream>;
  for (const form of FORMS) ups[form] = await recordingUpstream(w, (_r, res) => res.end('{"ok":true}'));
  for (const p of secrets) {
    for (const form of FORMS) {
      const { sent } = encode(p, form);
      const base = `http://127.0.0.1:${ups[form].port}`;
      const res =
        form === 'percent'
          ? await httpRequest(proxy, `${base}/collect?d=${sent}`)
          : await httpRequest(proxy, `${base}/collect`, { method: 'POST', headers: [['content-type', 'text/plain']], body: sent });
      assert.equal(res.status, 200);
    }
  }

  // every secret is found in every form (otherwise its absence from the outputs would prove nothing)
  const want = secrets.flatMap((p) => FORMS.map((form) => ({ p, form, dest: `127.0.0.1:${ups[form].port}` })));
  const missing = () => {
    const lines = findingLines(w.layout);
    return want.filter((x) => !lines.some((f) => f.rule_id === x.p.rule && f.dest === x.dest));
  };
  await waitFor('a finding for every rule in every form', () => missing().length === 0, 30_000).catch(() => undefined);
  assert.deepEqual(missing().map((x) => `${x.p.rule} (${x.form})`), [], 'planted secrets that were not found');
  const lines = findingLines(w.layout);
  for (const x of want.filter((x) => x.form !== 'raw')) {
    const f = lines.find((l) => l.rule_id === x.p.rule && l.dest === x.dest)!;
    assert.ok((f.encodings as string[] | undefined)?.includes(x.form), `${x.p.rule} (${x.form}): encodings ${JSON.stringify(f.encodings)}`);
  }

  // ---- every output --------------------------------------------------------------------------
  const outputs: Array<{ what: string; text: string }> = [];
  const keep = (what: string, text: string) => outputs.push({ what, text });
  for (const args of [['threats', '--json'], ['threats'], ['threats', '--limit', '5'], ['threats', '--type', 'EXFIL', '--min-severity', 'high'], ['status', '--json'], ['status']]) {
    const r = await w.run(args);
    assert.equal(r.code, 0, r.stderr);
    keep(args.join(' '), r.stdout + r.stderr);
  }
  const threats = JSON.parse(outputs[0]!.text) as Array<Record<string, any>>;
  assert.ok(threats.length >= want.length, `threats lists ${threats.length} findings`);

  const mcp = await callMcpTools(w);
  keep('mcp tools', JSON.stringify(mcp.results));
  keep('mcp stderr', mcp.stderr);
  const mcpFindings = (mcp.results.clawsec_traffic_findings as { structuredContent?: { findings?: unknown[] } }).structuredContent?.findings ?? [];
  assert.ok(mcpFindings.length >= 100, `MCP returned ${mcpFindings.length} findings`);

  writeFileSync(join(tasks, 'f1.json.tmp'), JSON.stringify({ type: 'clawsec_traffic_findings', requestId: 'f1', limit: 200, timestamp: new Date().toISOString() }));
  renameSync(join(tasks, 'f1.json.tmp'), join(tasks, 'f1.json'));
  const resultFile = join(nanoclaw, 'data', 'ipc', 'main', 'clawsec_results', 'f1.json');
  const ipc = await waitFor('the IPC findings result', () => (existsSync(resultFile) ? readFileSync(resultFile, 'utf8') : null));
  assert.equal((JSON.parse(ipc) as { success: boolean }).success, true, ipc);
  keep('ipc result', ipc);

  const hook = await runHook(w, HOOK_EVENTS);
  const hookText = Object.values(hook.messages).flat().join('\n');
  assert.match(hookText, /critical|high/, 'the hook reported the findings');
  keep('hook messages', hookText);

  await w.stop();
  for (const f of filesUnder(w.guardianHome)) keep(relative(w.root, f), readFileSync(f, 'latin1'));
  for (const f of filesUnder(join(nanoclaw, 'data'))) keep(relative(w.root, f), readFileSync(f, 'latin1'));

  // ---- no piece of any secret, in any form --------------------------------------------------------
  const snippets = [...threats.map((f) => String(f.snippet)), hookText].join('\n');
  for (const p of secrets) {
    const raw = encode(p, 'raw').region;
    // the contract's own rule for snippets: no 6-character piece of the secret past its public prefix
    const six = pieces(raw, 6).filter((x) => /[A-Za-z0-9]/.test(x) && x.trim() === x);
    assert.ok(six.length > 0, `${p.rule}: nothing past the public prefix to look for`);
    assert.equal(firstLeak(snippets, six), undefined, `${p.rule}: a 6-character piece in a snippet or hook message`);
    for (const form of FORMS) {
      const { region, piece } = encode(p, form);
      const needles = pieces(region, piece).filter((x) => x.replace(/\s/g, '').length === x.length);
      assert.ok(needles.length > 0, `${p.rule} (${form}): no piece to look for`);
      for (const o of outputs) assert.equal(firstLeak(o.text, needles), undefined, `${p.rule} (${form}) leaked into ${o.what}`);
    }
  }
});

test('safety: redaction: faults and errors never echo traffic (refused upstream, malformed request carrying a key)', SLOW, async (t) => {
  const w = new World(t);
  const key = fake('sk-', 'ant-', 'api03-', fakeToken('safety-fault-echo', 93, B64URL), 'AA');
  const { status } = await w.start();
  const proxy = status.listen.port as number;
  const dead = await new Promise<number>((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
  // an upstream that refuses the connection, with the key in the path, query and a header
  const refused = await httpRequest(proxy, `http://127.0.0.1:${dead}/${key}?token=${key}`, { headers: [['x-api-key', key]] });
  assert.ok(refused.status >= 500);
  // a request the HTTP parser rejects, with the key in its request line and a broken header
  await new Promise<void>((resolve) => {
    const c = connect(proxy, '127.0.0.1', () => c.write(`GET http://127.0.0.1:${dead}/?k=${key} HTTP/1.1\r\nHost: a\r\nBad Header ${key}\r\n\r\n`));
    c.on('data', () => undefined);
    c.on('error', () => resolve());
    c.on('close', () => resolve());
    setTimeout(() => c.destroy(), 3_000);
  });
  const st = await waitFor('both faults counted', async () => {
    const s = JSON.parse((await w.run(['status', '--json'])).stdout) as Record<string, any>;
    return s.faults?.upstream_errors >= 1 && s.faults?.malformed_requests >= 1 ? s : null;
  }, 30_000);
  assert.ok(st.faults.last_error, 'a last error is reported');
  const texts = [JSON.stringify(st), (await w.run(['status'])).stdout, (await w.run(['threats', '--json'])).stdout];
  await w.stop();
  for (const f of filesUnder(w.guardianHome)) texts.push(readFileSync(f, 'latin1'));
  const needles = pieces(key.slice('sk-ant-api03-'.length), 12);
  for (const text of texts) assert.equal(firstLeak(text, needles), undefined, 'a fault or error echoed the key');
});
