// `trust-instructions`: without --confirm it says what it would show and exits 0; with --confirm
// it prints the per-OS steps with the CA path and fingerprint. It never runs anything: the
// modules contain no child_process, and an in-process run with child_process trapped makes no
// call. Nothing is written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { PassThrough } from 'node:stream';
import { ensureCa } from '../../../host-services/proxy/ca.ts';
import { main } from '../../../host-services/cli/main.ts';
import { homeLayout } from '../../../lib/home-layout.ts';
import { changed, sandbox, snapshot } from './helpers.ts';

const SOURCES = [
  '../../../host-services/cli/commands/trust-instructions.ts',
  '../../../host-services/setup/trust-steps.ts',
  '../../../host-services/setup/shells.ts',
  '../../../host-services/setup/render.ts',
];

test('the command and the modules it uses contain no way to spawn a process', () => {
  for (const rel of SOURCES) {
    const text = readFileSync(new URL(rel, import.meta.url), 'utf8');
    // an import of child_process, or a bare spawn/exec/fork call (a RegExp's `.exec(` is fine)
    assert.doesNotMatch(text, /child_process|(?<!\.)\b(spawn|spawnSync|exec|execSync|execFile|execFileSync|fork)\(/, rel);
  }
});

test('without a CA: exit 1 naming how to create one', async (t) => {
  const sb = sandbox(t);
  const r = await sb.run(['trust-instructions', '--home', sb.home, '--confirm']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /no guardian CA/);
  assert.match(r.stderr, /--https-inspection/);
});

test('without --confirm: the CA, the warning, that --confirm is needed, exit 0, and no steps', async (t) => {
  const sb = sandbox(t, "guardian home's dir");
  const ca = await ensureCa(homeLayout(sb.home));
  const before = snapshot(sb.root);
  const r = await sb.run(['trust-instructions', '--home', sb.home]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(ca.fingerprint256));
  assert.match(r.stdout, /--confirm/);
  assert.match(r.stdout, /EVERY program/);
  assert.doesNotMatch(r.stdout, /sudo|certutil -addstore|add-trusted-cert/);

  const j = await sb.run(['trust-instructions', '--home', sb.home, '--json']);
  assert.equal(j.code, 0, j.stderr);
  const out = JSON.parse(j.stdout);
  assert.equal(out.confirmed, false);
  assert.equal(out.steps, undefined);
  assert.equal(out.ca_fingerprint_sha256, ca.fingerprint256);
  assert.deepEqual(changed(before, snapshot(sb.root)), [], 'nothing written');
});

test('with --confirm: steps for every OS with the quoted CA path and fingerprint; --os narrows them', async (t) => {
  const sb = sandbox(t, "guardian home's dir");
  const layout = homeLayout(sb.home);
  const ca = await ensureCa(layout);
  const r = await sb.run(['trust-instructions', '--home', sb.home, '--confirm']);
  assert.equal(r.code, 0, r.stderr);
  const quoted = `'${layout.caCert.replace(/'/g, `'\\''`)}'`;
  assert.ok(r.stdout.includes(`sudo install -m 0644 ${quoted} /usr/local/share/ca-certificates/clawsec-traffic-guardian.crt`));
  assert.match(r.stdout, /^ {4}sudo update-ca-certificates$/m);
  assert.match(r.stdout, /^ {4}sudo update-ca-trust extract$/m);
  assert.ok(r.stdout.includes(`sudo security add-trusted-cert -d -r trustRoot -k /Library/Keychains/System.keychain ${quoted}`));
  assert.match(r.stdout, /^ {4}certutil -addstore -f Root '/m);
  assert.ok(r.stdout.includes(`must print ${ca.fingerprint256}`));
  assert.match(r.stdout, /undo:/);

  const j = await sb.run(['trust-instructions', '--home', sb.home, '--confirm', '--os', 'debian', '--json']);
  const out = JSON.parse(j.stdout);
  assert.equal(out.confirmed, true);
  assert.deepEqual(out.systems, ['debian']);
  assert.equal(out.steps.length, 1);
  assert.equal(out.steps[0].os, 'debian');
  assert.ok(out.steps[0].install.some((l: string) => l === 'sudo update-ca-certificates'));

  const bad = await sb.run(['trust-instructions', '--home', sb.home, '--os', 'plan9']);
  assert.equal(bad.code, 2);
});

test('in process, with child_process trapped: --confirm makes no child-process call', async (t) => {
  const sb = sandbox(t);
  await ensureCa(homeLayout(sb.home));
  const require = createRequire(import.meta.url);
  const cp = require('node:child_process') as Record<string, unknown>;
  const names = ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork'];
  const saved = Object.fromEntries(names.map((n) => [n, cp[n]]));
  const calls: string[] = [];
  for (const n of names) {
    cp[n] = () => {
      calls.push(n);
      throw new Error(`trust-instructions must not call child_process.${n}`);
    };
  }
  syncBuiltinESMExports();
  const stdout = new PassThrough();
  let text = '';
  stdout.on('data', (d) => (text += d));
  try {
    const code = await main(['trust-instructions', '--home', sb.home, '--confirm'], {
      stdout,
      stderr: new PassThrough(),
      env: { HOME: sb.root, NO_COLOR: '1' },
      cwd: sb.root,
    });
    assert.equal(code, 0);
  } finally {
    Object.assign(cp, saved);
    syncBuiltinESMExports();
  }
  assert.deepEqual(calls, []);
  assert.match(text, /update-ca-certificates/);
});
