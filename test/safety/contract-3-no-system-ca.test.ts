// Safety contract 3: no automatic system CA install. `start --https-inspection` (and everything
// around it: status, env, trust-instructions --confirm, stop) writes nothing outside the guardian
// home and never runs a trust-store tool. Proven three ways: the system trust directories and the
// temp HOME are snapshotted around a real run; every guardian process (the monitor included) runs
// with child_process trapped; and the product source is read for any way to run such a tool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import {
  BIN,
  changesOutsideHome,
  hasOpenssl,
  httpsRequest,
  isTsxIpc,
  isWithin,
  makeUpstreamPki,
  recordingUpstream,
  recordsOf,
  REPO,
  SLOW,
  snapshot,
  World,
  type Entry,
  isTsxEsbuild,
} from './helpers.ts';

/** Where Linux, BSD and macOS keep trust anchors (listing, modes and mtimes; not followed into). */
const SYSTEM_TRUST = [
  '/usr/local/share/ca-certificates',
  '/usr/share/ca-certificates',
  '/etc/ssl/certs',
  '/etc/ca-certificates',
  '/etc/pki/ca-trust/source/anchors',
  '/etc/pki/tls/certs',
  '/usr/local/etc/openssl/certs',
  '/Library/Keychains',
];
const SYSTEM_FILES = ['/etc/ca-certificates.conf', '/etc/ssl/certs/ca-certificates.crt', '/etc/pki/tls/certs/ca-bundle.crt', '/etc/ssl/cert.pem'];

/** path -> kind, mode, mtime and content hash of every entry of the system trust locations. */
function systemSnapshot(): Record<string, string> {
  const out: Record<string, string> = {};
  const show = (e: Entry) => `${e.kind} ${e.mode.toString(8)} ${e.mtimeMs} ${e.hash}`;
  for (const dir of SYSTEM_TRUST) for (const [k, v] of snapshot(dir, { recursive: dir !== '/etc/ssl/certs' })) out[`${dir}/${k}`] = show(v);
  for (const dir of [...SYSTEM_TRUST, ...SYSTEM_FILES]) {
    try {
      const st = statSync(dir);
      out[`stat:${dir}`] = `${st.mode} ${st.size} ${st.mtimeMs}`;
    } catch {
      out[`stat:${dir}`] = 'absent';
    }
  }
  return out;
}

function productFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.(?:ts|mjs|js|cjs)$/.test(e.name)) out.push(full);
    }
  };
  for (const d of ['bin', 'lib', 'host-services', 'hooks', 'mcp-tools']) walk(join(REPO, d));
  return out.sort();
}

test('safety: no system CA install: the child-process trap records and refuses trust-store tools (self-check)', SLOW, async (t) => {
  const w = new World(t);
  const script = `
    const cp = await import('node:child_process');
    const tries = [
      () => cp.spawnSync('update-ca-certificates', []),
      () => cp.execSync('sudo update-ca-trust extract'),
      () => cp.spawn('/usr/bin/security', ['add-trusted-cert', '-d', 'x.pem']),
      () => cp.execFile('certutil', ['-addstore', 'Root', 'x.pem']),
      () => cp.spawnSync('sh', ['-c', 'trust anchor x.pem']),
    ];
    let refused = 0;
    for (const f of tries) { try { f(); } catch (e) { if (/safety trap/.test(String(e))) refused++; } }
    process.stdout.write(String(refused));
  `;
  const r = await w.runProgram(process.execPath, ['--input-type=module', '-e', script], { trap: true });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '5', 'every trust-store command was refused before it ran');
  const spawns = w.trapRecords().filter((x) => x.kind === 'spawn');
  assert.equal(spawns.length, 5);
  assert.ok(spawns.every((x) => x.refused === true));
});

test('safety: no system CA install: start --https-inspection writes only under the guardian home and runs no trust-store tool', SLOW, async (t) => {
  const w = new World(t);
  const pki = hasOpenssl() ? makeUpstreamPki(join(w.root, 'pki')) : null;
  const systemBefore = systemSnapshot();
  const homeBefore = snapshot(w.userHome);

  const { status } = await w.start(['--https-inspection', ...(pki ? ['--upstream-ca', pki.caPath] : [])], { trap: true });
  assert.equal(status.https_inspection, true);
  assert.ok(isWithin(status.ca_cert_path as string, w.guardianHome));
  if (pki) {
    // a real interception, so the monitor issues a leaf certificate under its CA
    const up = await recordingUpstream(w, (_r, res) => res.end('ok'), { key: pki.key, cert: pki.cert });
    const res = await httpsRequest(status.listen.port as number, up.port, '/', readFileSync(status.ca_cert_path as string, 'utf8'));
    assert.equal(res.status, 200);
  }
  for (const args of [['status'], ['env', '--shell', 'bash'], ['env', '--json', '--target', 'nanoclaw-container'], ['trust-instructions', '--confirm']]) {
    const r = await w.run(args, { trap: true });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  await w.stop({ trap: true });

  assert.ok(Object.keys(systemBefore).length > SYSTEM_TRUST.length, 'the snapshot saw something');
  assert.deepEqual(systemSnapshot(), systemBefore, 'system trust locations changed');

  assert.deepEqual(changesOutsideHome(w, homeBefore, snapshot(w.userHome)), [], 'written under HOME outside the guardian home');

  const records = w.trapRecords();
  const spawns = records.filter((r) => r.kind === 'spawn' && !isTsxEsbuild(r));
  assert.deepEqual(spawns.filter((r) => r.refused), [], 'a trust-store tool was attempted');
  // exactly one child process in the whole run: the background start launching the monitor
  assert.equal(spawns.length, 1, JSON.stringify(spawns));
  assert.equal(spawns[0]!.file, process.execPath);
  assert.deepEqual(spawns[0]!.args!.slice(0, 3), [BIN, 'start', '--foreground']);
  const monitor = recordsOf(records, ['start', '--foreground']);
  assert.ok(monitor.some((r) => r.kind === 'listen'), 'the trap was loaded in the monitor too');
  assert.deepEqual(monitor.filter((r) => r.kind === 'spawn' && !isTsxEsbuild(r)), [], 'the monitor spawned a process');
  assert.ok(records.every((r) => r.kind !== 'connect' || isTsxIpc(r) || isLoopback(r)), 'only loopback connections');
});

function isLoopback(r: { target?: unknown[] }): boolean {
  const t = r.target?.[0] as { host?: string } | number | undefined;
  const host = typeof t === 'object' && t ? t.host : typeof r.target?.[1] === 'string' ? (r.target[1] as string) : undefined;
  return host === undefined || host === '127.0.0.1' || host === 'localhost' || host === '::1';
}

interface SourceFacts {
  /** every module specifier: static imports, re-exports, import(), require() */
  imports: string[];
  /** names of functions called directly or as a property (`spawn`, `cp.exec` -> `exec`) with their first argument's text */
  calls: Array<{ name: string; firstArg: string; text: string }>;
  /** every string and template literal's text */
  strings: string[];
  /** `process.binding` / `internalBinding` used */
  bindings: boolean;
}

/** What a source file really does, read with the TypeScript parser (comments and strings are not code). */
function facts(file: string): SourceFacts {
  const src = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true, file.endsWith('.ts') ? ts.ScriptKind.TS : ts.ScriptKind.JS);
  const out: SourceFacts = { imports: [], calls: [], strings: [], bindings: false };
  const visit = (n: ts.Node): void => {
    if ((ts.isImportDeclaration(n) || ts.isExportDeclaration(n)) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) out.imports.push(n.moduleSpecifier.text);
    if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const first = n.arguments[0];
      if ((callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) && first && ts.isStringLiteralLike(first)) out.imports.push(first.text);
      const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
      if (name) out.calls.push({ name, firstArg: first ? first.getText(src) : '', text: n.getText(src) });
      if (name === 'internalBinding') out.bindings = true;
    }
    if (ts.isPropertyAccessExpression(n) && n.name.text === 'binding' && n.expression.getText(src) === 'process') out.bindings = true;
    if (ts.isStringLiteralLike(n) || ts.isTemplateHead(n) || ts.isTemplateMiddle(n) || ts.isTemplateTail(n)) out.strings.push(n.text);
    ts.forEachChild(n, visit);
  };
  visit(src);
  return out;
}

test('safety: no system CA install: no product source can run a trust-store tool', () => {
  const files = productFiles();
  assert.ok(files.length > 50);
  const rel = (f: string) => relative(REPO, f);
  const all = new Map(files.map((f) => [rel(f), facts(f)]));
  // 1. only the background start may load a way to run processes, and it runs this node on our bin
  const PROCESS_MODULES = /^(?:node:)?(?:child_process|worker_threads|cluster)$/;
  const users = [...all].filter(([, x]) => x.imports.some((i) => PROCESS_MODULES.test(i)) || x.bindings).map(([f]) => f);
  assert.deepEqual(users, ['host-services/lifecycle/background.ts']);
  const bg = all.get('host-services/lifecycle/background.ts')!;
  const runs = bg.calls.filter((c) => /^(?:spawn|spawnSync|exec|execSync|execFile|execFileSync|fork)$/.test(c.name));
  assert.equal(runs.length, 1, JSON.stringify(runs));
  assert.equal(runs[0]!.name, 'spawn');
  assert.equal(runs[0]!.firstArg, 'process.execPath');
  assert.match(runs[0]!.text, /^spawn\(process\.execPath, \[BIN_PATH, 'start', '--foreground', \.\.\.opts\.childArgs\]/);
  assert.doesNotMatch(runs[0]!.text, /shell\s*:/);
  // 2. trust-store tools are named only in the printed, never-run trust instructions
  const tools = /update-ca-certificates|update-ca-trust|\bcertutil\b|add-trusted-cert|\btrust anchor\b|\bkeytool\b/;
  assert.deepEqual([...all].filter(([, x]) => x.strings.some((s) => tools.test(s))).map(([f]) => f), ['host-services/setup/trust-steps.ts']);
  assert.deepEqual(all.get('host-services/setup/trust-steps.ts')!.imports.filter((i) => /^(?:node:)?fs(?:\/promises)?$/.test(i)), [], 'the trust steps cannot even write a file');
  // 3. system trust locations: only the printed steps name them, and the combined-bundle builder
  //    reads the system bundles (it writes its file under the home only: trust-bundle.test.ts).
  //    Detection patterns (lib/patterns/) hold such paths as sample traffic, never as file paths.
  const places = /\/usr\/local\/share\/ca-certificates|\/etc\/pki\/ca-trust|\/etc\/ssl\/certs|\/Library\/Keychains/;
  assert.deepEqual(
    [...all].filter(([f, x]) => !f.startsWith('lib/patterns/') && x.strings.some((s) => places.test(s))).map(([f]) => f),
    ['host-services/setup/trust-bundle.ts', 'host-services/setup/trust-steps.ts'],
  );
});
