// `env` through the real bin: its output sourced by a real bash (zsh, fish and pwsh when
// installed), the variables checked; quoting of a home with spaces and quotes; the combined
// trust bundle (system bundle + guardian CA, 0644, the only file written anywhere under the
// user's home); --json shapes; targets; the running monitor's listener.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ensureCa } from '../../../host-services/proxy/ca.ts';
import { findSystemBundle } from '../../../host-services/setup/trust-bundle.ts';
import { CONTAINER_BUNDLE_PATH, CONTAINER_CA_PATH } from '../../../host-services/setup/plan.ts';
import { homeLayout } from '../../../lib/home-layout.ts';
import { fake, fakeToken, B64URL } from '../../../lib/patterns/fake.ts';
import { BIN, changed, parseEnv0, runProgram, sandbox, snapshot, which } from './helpers.ts';

const PROXY_VARS = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'];
const BUNDLE_VARS = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO'];

/** `source <(bin env ...)` in a real bash, then every variable of that shell. */
async function sourcedInBash(sb: ReturnType<typeof sandbox>, args: string[]): Promise<Record<string, string>> {
  const script = 'source <("$0" "$1" env "${@:2}") || exit 9; env -0';
  const r = await runProgram('bash', ['-c', script, process.execPath, BIN, ...args], sb.baseEnv(), sb.root);
  assert.equal(r.code, 0, `bash failed: ${r.stderr}`);
  assert.equal(r.stderr, '', 'nothing on stderr');
  return parseEnv0(r.stdout);
}

test('bash sources the generic exports: both cases of the proxy variables, loopback NO_PROXY, NODE_USE_ENV_PROXY', async (t) => {
  const sb = sandbox(t);
  sb.writeConfig({ port: 18999 });
  const vars = await sourcedInBash(sb, ['--home', sb.home, '--shell', 'bash', '--target', 'generic']);
  for (const v of PROXY_VARS) assert.equal(vars[v], 'http://127.0.0.1:18999', v);
  assert.equal(vars.NO_PROXY, 'localhost,127.0.0.1,::1');
  assert.equal(vars.no_proxy, vars.NO_PROXY);
  assert.equal(vars.NODE_USE_ENV_PROXY, '1');
  for (const v of ['NODE_EXTRA_CA_CERTS', ...BUNDLE_VARS, 'OPENCLAW_PROXY_URL']) assert.equal(vars[v], undefined, `${v} must not be set without inspection`);

  const text = await sb.run(['env', '--home', sb.home, '--shell', 'bash', '--target', 'generic']);
  assert.match(text.stdout, /^# monitor: NOT running; using the configured listener http:\/\/127\.0\.0\.1:18999/m);
  for (const line of text.stdout.trimEnd().split('\n')) assert.match(line, /^(#|export [A-Za-z_]+=')/, `every line is a comment or an export: ${line}`);
});

test('HTTPS inspection, a home with spaces and quotes: exact paths, a combined bundle, and nothing else written', async (t) => {
  const sb = sandbox(t, `my "guardian" home's dir`);
  sb.writeConfig({ https_inspection: true, port: 18998 });
  const layout = homeLayout(sb.home);
  const ca = await ensureCa(layout);
  const before = snapshot(sb.root);

  const vars = await sourcedInBash(sb, ['--home', sb.home, '--shell', 'bash', '--target', 'generic']);
  assert.equal(vars.NODE_EXTRA_CA_CERTS, layout.caCert);
  for (const v of BUNDLE_VARS) assert.equal(vars[v], layout.trustBundle, v);

  // the only change anywhere under the user's home: the bundle
  const diff = changed(before, snapshot(sb.root));
  assert.deepEqual(diff, [`my "guardian" home's dir/ca/trust-bundle.pem`]);

  const bundle = readFileSync(layout.trustBundle, 'utf8');
  assert.equal(statSync(layout.trustBundle).mode & 0o777, 0o644);
  const system = findSystemBundle();
  assert.ok(system.certificates > 1, 'a system bundle (or Node roots) was found');
  assert.ok(bundle.startsWith(system.pem.trimEnd()), 'the bundle starts with the system roots');
  assert.ok(bundle.includes(ca.certPem.trim()), 'the bundle holds the guardian CA');
  assert.ok((bundle.match(/BEGIN CERTIFICATE/g) ?? []).length === system.certificates + 1, 'system roots + exactly one more');
  assert.notEqual(bundle.trim(), ca.certPem.trim(), 'never the guardian CA alone');

  // a second run changes nothing (same content, same mode)
  const again = snapshot(sb.root);
  await sourcedInBash(sb, ['--home', sb.home, '--shell', 'bash', '--target', 'generic']);
  assert.deepEqual(changed(again, snapshot(sb.root)), []);
});

test('openclaw target: both mechanisms by default, one per --openclaw-version, and the one-line form', async (t) => {
  const sb = sandbox(t);
  sb.writeConfig({ port: 18997 });
  const both = await sourcedInBash(sb, ['--home', sb.home, '--shell', 'bash', '--target', 'openclaw']);
  assert.equal(both.OPENCLAW_PROXY_URL, 'http://127.0.0.1:18997');
  assert.equal(both.HTTPS_PROXY, 'http://127.0.0.1:18997');

  const managed = await sourcedInBash(sb, ['--home', sb.home, '--shell', 'bash', '--target', 'openclaw', '--openclaw-version', '2026.4.27']);
  assert.equal(managed.OPENCLAW_PROXY_URL, 'http://127.0.0.1:18997');
  for (const v of [...PROXY_VARS, 'NO_PROXY']) assert.equal(managed[v], undefined, `${v} not needed with the managed proxy`);

  const older = await sourcedInBash(sb, ['--home', sb.home, '--shell', 'bash', '--target', 'openclaw', '--openclaw-version', 'v2026.3.2']);
  assert.equal(older.OPENCLAW_PROXY_URL, undefined);
  for (const v of PROXY_VARS) assert.equal(older[v], 'http://127.0.0.1:18997');
  assert.equal(older.no_proxy, 'localhost,127.0.0.1,::1');

  const text = await sb.run(['env', '--home', sb.home, '--shell', 'bash', '--target', 'openclaw', '--openclaw-version', '2026.3.2']);
  const oneLine = text.stdout.split('\n').find((l) => l.endsWith(' openclaw gateway run'));
  assert.ok(oneLine?.startsWith("# HTTP_PROXY='http://127.0.0.1:18997' "), 'the prefix form is shown, as a comment');

  const bad = await sb.run(['env', '--home', sb.home, '--openclaw-version', 'latest']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--openclaw-version/);
});

test('nanoclaw-container --json: host.docker.internal, read-only CA mounts, container paths, loopback warning', async (t) => {
  const sb = sandbox(t);
  sb.writeConfig({ https_inspection: true, port: 18996 });
  const layout = homeLayout(sb.home);
  await ensureCa(layout);
  const r = await sb.run(['env', '--home', sb.home, '--target', 'nanoclaw-container', '--agent', 'main', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.schema_version, 'clawsec-traffic-env/v1');
  assert.equal(out.target, 'nanoclaw-container');
  assert.equal(out.running, false);
  assert.equal(out.source, 'config');
  assert.equal(out.proxy_url, 'http://main@host.docker.internal:18996');
  assert.equal(out.variables.HTTPS_PROXY, out.proxy_url);
  assert.match(out.variables.NO_PROXY, /(^|,)host\.docker\.internal(,|$)/);
  assert.equal(out.variables.NODE_EXTRA_CA_CERTS, CONTAINER_CA_PATH);
  assert.equal(out.variables.SSL_CERT_FILE, CONTAINER_BUNDLE_PATH);
  assert.deepEqual(out.mounts, [
    { host: layout.caCert, container: CONTAINER_CA_PATH },
    { host: layout.trustBundle, container: CONTAINER_BUNDLE_PATH },
  ]);
  assert.ok(out.docker_args.includes('--add-host=host.docker.internal:host-gateway'));
  assert.ok(out.docker_args.some((a: string) => a.startsWith('type=bind,') && a.endsWith(',readonly')));
  assert.ok(out.notes.some((n: string) => /cannot reach/.test(n)), 'warns that a loopback listener is unreachable from containers');
  assert.equal(out.command, null);
});

test('--json for generic: the variables as an object plus what they came from', async (t) => {
  const sb = sandbox(t);
  sb.writeConfig({ port: 18995 });
  const r = await sb.run(['env', '--home', sb.home, '--target', 'generic', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(out.variables), [...PROXY_VARS, 'NO_PROXY', 'no_proxy', 'NODE_USE_ENV_PROXY']);
  assert.equal(out.https_inspection, false);
  assert.equal(out.trust_bundle, null);
  assert.equal(out.ca_fingerprint_sha256, null);
  assert.equal(out.command, '<agent command>');
  assert.ok(Array.isArray(out.notes));
});

test('usage and failure exits: bad --agent is 2, an unknown port (0) without a running monitor is 1', async (t) => {
  const sb = sandbox(t);
  const bad = await sb.run(['env', '--home', sb.home, '--agent', 'has space']);
  assert.equal(bad.code, 2);
  sb.writeConfig({ port: 0 });
  const r = await sb.run(['env', '--home', sb.home]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /not running/);
  assert.match(r.stderr, /fix: start it first/);
  assert.equal(r.stdout, '');
});

test('the Node 20 note appears for an old Node only', async (t) => {
  const sb = sandbox(t);
  sb.writeConfig({ port: 18994 });
  const old = await sb.run(['env', '--home', sb.home, '--target', 'generic', '--shell', 'bash', '--node-version', '20.11.1']);
  assert.match(old.stdout, /# Node v20\.11\.1: fetch\(\) ignores HTTP_PROXY/);
  assert.match(old.stdout, /EnvHttpProxyAgent/);
  const recent = await sb.run(['env', '--home', sb.home, '--target', 'generic', '--shell', 'bash', '--node-version', 'v24.1.0']);
  assert.doesNotMatch(recent.stdout, /fetch\(\) ignores/);
});

for (const shell of ['zsh', 'fish', 'pwsh'] as const) {
  test(`${shell} evaluates its own output`, async (t) => {
    const exe = which(shell);
    if (!exe) {
      t.skip(`${shell} is not installed on this machine`);
      return;
    }
    const sb = sandbox(t, "home with 'quotes' and spaces");
    sb.writeConfig({ https_inspection: true, port: 18993 });
    const layout = homeLayout(sb.home);
    await ensureCa(layout);
    const script =
      shell === 'zsh'
        ? 'source <("$0" "$1" env --home "$2" --shell zsh --target generic) && env -0'
        : shell === 'fish'
          ? '$argv[1] $argv[2] env --home $argv[3] --shell fish --target generic | source; and env -0'
          : '& $args[0] $args[1] env --home $args[2] --shell powershell --target generic | Out-String | Invoke-Expression; Get-ChildItem Env: | ForEach-Object { "$($_.Name)=$($_.Value)`0" } | Write-Host -NoNewline';
    const args = shell === 'pwsh' ? ['-NoProfile', '-Command', script, process.execPath, BIN, sb.home] : ['-c', script, process.execPath, BIN, sb.home];
    const r = await runProgram(exe, args, sb.baseEnv(), sb.root);
    assert.equal(r.code, 0, r.stderr);
    const vars = parseEnv0(r.stdout);
    assert.equal(vars.HTTP_PROXY, 'http://127.0.0.1:18993');
    assert.equal(vars.NODE_EXTRA_CA_CERTS, layout.caCert);
    assert.equal(vars.SSL_CERT_FILE, layout.trustBundle);
  });
}

test('with a running monitor: its listener, and curl in the sourced shell really goes through it', async (t) => {
  const sb = sandbox(t);
  const start = await sb.run(['start', '--home', sb.home, '--port', '0', '--json']);
  assert.equal(start.code, 0, start.stderr);
  // stopped here, not in an after hook: the sandbox's own hook removes the directory first
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.end('ok'));
  });
  try {
    const status = JSON.parse(start.stdout) as { proxy_url: string };
    const r = await sb.run(['env', '--home', sb.home, '--target', 'generic', '--json']);
    const out = JSON.parse(r.stdout);
    assert.equal(out.running, true);
    assert.equal(out.source, 'running');
    assert.equal(out.proxy_url, status.proxy_url);
    assert.equal(out.variables.HTTP_PROXY, status.proxy_url);

    if (!which('curl')) {
      t.diagnostic('curl not installed: the end-to-end request is skipped');
      return;
    }
    // 127.0.0.2 is loopback but not in NO_PROXY, so curl must use the proxy to reach it
    try {
      await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.2', () => resolve()));
    } catch {
      t.diagnostic('cannot bind 127.0.0.2 here: the end-to-end request is skipped');
      return;
    }
    const port = (server.address() as AddressInfo).port;
    const key = fake('sk-', 'ant-', 'api03-', fakeToken('env-e2e', 93, B64URL), 'AA');
    const script = 'source <("$0" "$1" env --home "$2" --shell bash --target generic) && curl -s -o /dev/null -w "%{http_code}" --data "$3" "http://127.0.0.2:$4/upload"';
    const curl = await runProgram('bash', ['-c', script, process.execPath, BIN, sb.home, `key=${key}`, String(port)], sb.baseEnv(), sb.root);
    assert.equal(curl.stdout, '200', curl.stderr);

    let threats: Array<{ pattern: string; dest: string; snippet: string }> = [];
    for (let i = 0; i < 20 && !threats.length; i++) {
      const tr = await sb.run(['threats', '--home', sb.home, '--json']);
      threats = tr.code === 0 ? JSON.parse(tr.stdout) : [];
      if (!threats.length) await new Promise((res) => setTimeout(res, 200));
    }
    const hit = threats.find((f) => f.pattern === 'ai_api_key');
    assert.ok(hit, 'the monitor saw the request curl sent with the sourced variables');
    assert.equal(hit.dest, `127.0.0.2:${port}`);
    assert.ok(!hit.snippet.includes(key.slice(20)), 'redacted');
    assert.ok(!readFileSync(join(sb.home, 'logs', 'findings.jsonl'), 'utf8').includes(key.slice(14)), 'the key is not in the log');
  } finally {
    const stop = await sb.run(['stop', '--home', sb.home]);
    assert.equal(stop.code, 0, stop.stderr);
    await new Promise<void>((r2) => {
      if (!server.listening) return r2();
      server.close(() => r2());
      server.closeAllConnections();
    });
  }
});
