// The CLI framework and `check-config`: end to end through the real bin (exit codes, which
// stream gets what), plus in-process checks of the registry with injected writers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { COMMANDS, main } from '../../host-services/cli/main.ts';
import { GLOBAL_FLAGS, formatCommandHelp, type CliIO } from '../../host-services/cli/args.ts';
import { CONFIG_FLAGS } from '../../host-services/cli/config-flags.ts';
import { CONFIG_FLAG_NAMES } from '../../host-services/config/load.ts';
import { runProcess, type Run } from '../support/processes.ts';

const BIN = new URL('../../bin/clawsec-traffic-guardian.mjs', import.meta.url).pathname;
const PKG = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

/** A temp user home (so a default home can never be the real ~/.openclaw) and a guardian home in it. */
function sandbox(t: { after: (fn: () => void) => void }) {
  const root = mkdtempSync(join(tmpdir(), 'ctg-cli-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'guardian');
  mkdirSync(home);
  return {
    root,
    home,
    writeConfig: (obj: unknown) => writeFileSync(join(home, 'config.json'), JSON.stringify(obj)),
    /** the real bin, with an explicit environment: nothing *_TRAFFIC_GUARDIAN_* leaks in from the runner */
    run: (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> =>
      runProcess(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, HOME: root, NO_COLOR: '1', ...extraEnv }, cwd: root }),
  };
}

/** the flag has its own line in a help text's flag table */
function flagListed(help: string, flag: string): boolean {
  return new RegExp(`^ {2}(?:-\\w, )?--(?:\\[no-\\])?${flag}\\b`, 'm').test(help);
}

function inProcessIO(env: NodeJS.ProcessEnv, cwd: string) {
  let stdout = '';
  let stderr = '';
  const io: Partial<CliIO> = {
    stdout: { write: (s: string) => (stdout += s) },
    stderr: { write: (s: string) => (stderr += s) },
    stdin: new PassThrough(),
    env,
    cwd,
  };
  return { io, out: () => stdout, err: () => stderr };
}

test('bin --help and no arguments list the commands; --version prints package.json version', async (t) => {
  const s = sandbox(t);
  for (const args of [['--help'], [], ['-h'], ['help']]) {
    const r = await s.run(args);
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stdout, /Commands:/);
    assert.match(r.stdout, /^ {2}check-config {2,}validate/m);
    assert.match(r.stdout, /--home DIR/);
    assert.equal(r.stderr, '');
  }
  const v = await s.run(['--version']);
  assert.equal(v.code, 0);
  assert.equal(v.stdout, `${PKG.version}\n`);
});

test('bin check-config --help prints usage, every flag and an example', async (t) => {
  const s = sandbox(t);
  for (const args of [['check-config', '--help'], ['help', 'check-config'], ['check-config', '-h', '--port', 'x']]) {
    const r = await s.run(args);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Usage:\n {2}clawsec-traffic-guardian check-config/);
    for (const flag of [...Object.keys(CONFIG_FLAGS), ...Object.keys(GLOBAL_FLAGS)]) assert.ok(flagListed(r.stdout, flag), flag);
    assert.match(r.stdout, /Examples?:\n {2}clawsec-traffic-guardian check-config/);
  }
});

test('bin check-config --json: a valid config exits 0 with one JSON object on stdout', async (t) => {
  const s = sandbox(t);
  s.writeConfig({ port: 0, https_inspection: true });
  const r = await s.run(['check-config', '--json', '--home', s.home, '--allow-client', '172.17.0.0/16']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const out = JSON.parse(r.stdout);
  assert.equal(out.valid, true);
  assert.deepEqual(out.errors, []);
  assert.deepEqual(out.warnings, []);
  assert.equal(out.config.port, 0);
  assert.equal(out.config.https_inspection, true);
  assert.equal(out.config.home, s.home);
  assert.deepEqual(out.config.allow_clients, ['172.17.0.0/16', '127.0.0.1/32', '::1/128']);
  // nothing was started or created
  assert.equal(existsSync(join(s.home, 'run')), false);
  assert.equal(existsSync(join(s.home, 'ca')), false);
});

test('bin check-config --json: an invalid config exits 1 and lists every problem with its path', async (t) => {
  const s = sandbox(t);
  s.writeConfig({ mode: 'block', redact_snippets: false, max_scan_bytes: 32 * 1024 * 1024, typo_key: 1 });
  const r = await s.run(['check-config', '--json', '--home', s.home, '--port', '99999'], {
    OPENCLAW_TRAFFIC_GUARDIAN_LOG_DIR: '/tmp/outside',
  });
  assert.equal(r.code, 1, r.stderr);
  assert.equal(r.stderr, '');
  const out = JSON.parse(r.stdout);
  assert.equal(out.valid, false);
  assert.equal(out.config, null);
  assert.deepEqual(out.errors.map((e: { path: string }) => e.path).sort(), [
    'env:OPENCLAW_TRAFFIC_GUARDIAN_LOG_DIR',
    'flag:--port',
    'max_scan_bytes',
    'mode',
    'redact_snippets',
  ]);
  assert.deepEqual(out.warnings.map((w: { path: string }) => w.path), ['typo_key']);
});

test('bin check-config (human): problems on stdout with paths, error and fix on stderr, exit 1', async (t) => {
  const s = sandbox(t);
  s.writeConfig({ allow_clients: ['10.0.0.0/8', 'not-a-cidr'] });
  const r = await s.run(['check-config', '--home', s.home], { OPENCLAW_TRAFFIC_GUARDIAN_MAX_SCAN_BYTES: 'abc' });
  assert.equal(r.code, 1);
  assert.match(r.stdout, /configuration is invalid \(2 errors\)/);
  assert.match(r.stdout, /^ {2}allow_clients\[1\]: .*CIDR/m);
  assert.match(r.stdout, /^ {2}env:OPENCLAW_TRAFFIC_GUARDIAN_MAX_SCAN_BYTES: must be a whole number/m);
  assert.match(r.stderr, /^error: configuration is invalid \(2 problems\)\nfix: /);

  // a bad value in the file stays a problem even when a flag overrides it; fixed here
  s.writeConfig({ allow_clients: ['10.0.0.0/8'] });
  const ok = await s.run(['check-config', '--home', s.home]);
  assert.equal(ok.code, 0, ok.stdout + ok.stderr);
  assert.match(ok.stdout, /configuration is valid/);
  assert.match(ok.stdout, /listener: +http:\/\/127\.0\.0\.1:18787/);
  assert.equal(ok.stderr, '');
});

test('bin: unknown flag, unknown command, missing value and bad choice exit 2 with a hint on stderr', async (t) => {
  const s = sandbox(t);
  const cases: Array<[string[], RegExp]> = [
    [['check-config', '--prot', '1'], /unknown flag --prot .*\nfix: did you mean --port\?/],
    [['chek-config'], /unknown command "chek-config"\nfix: did you mean `clawsec-traffic-guardian check-config`\?/],
    [['check-config', '--port'], /flag --port needs a value\nfix: write --port PORT/],
    [['check-config', '--port', '--home', 'x'], /flag --port needs a value/],
    [['check-config', '--platform', 'windows'], /--platform must be one of openclaw, nanoclaw/],
    [['check-config', '--json=yes'], /--json takes no value/],
    [['check-config', 'extra'], /unexpected argument "extra"/],
    [['check-config', '--home', 'a', '--home', 'b'], /--home was given more than once/],
    [['--bogus'], /unknown flag --bogus/],
  ];
  for (const [args, message] of cases) {
    const r = await s.run(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^error: /, args.join(' '));
    assert.match(r.stderr, message, args.join(' '));
    assert.equal(r.stdout, '', args.join(' '));
  }
});

test('bin: with --json a usage error is one JSON object on stderr and stdout stays empty', async (t) => {
  const s = sandbox(t);
  const r = await s.run(['check-config', '--json', '--nope']);
  assert.equal(r.code, 2);
  assert.equal(r.stdout, '');
  const err = JSON.parse(r.stderr);
  assert.equal(err.error.code, 'USAGE');
  assert.match(err.error.message, /--nope/);
  assert.ok(err.error.fix);
});

test('bin: global flags may come before the command; the env prefix follows --platform', async (t) => {
  const s = sandbox(t);
  const r = await s.run(['--platform', 'nanoclaw', '--json', 'check-config'], {
    NANOCLAW_TRAFFIC_GUARDIAN_HOME: s.home,
    NANOCLAW_TRAFFIC_GUARDIAN_MAX_SCAN_BYTES: '2048',
    OPENCLAW_TRAFFIC_GUARDIAN_MAX_SCAN_BYTES: 'ignored-for-nanoclaw',
  });
  assert.equal(r.code, 0, r.stdout + r.stderr);
  const out = JSON.parse(r.stdout);
  assert.equal(out.config.platform, 'nanoclaw');
  assert.equal(out.config.home, s.home);
  assert.equal(out.config.max_scan_bytes, 2048);
});

test('bin: the default home is under the given HOME, never the real one', async (t) => {
  const s = sandbox(t);
  const r = await s.run(['check-config', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).config.home, join(s.root, '.openclaw', 'security', 'clawsec', 'traffic-guardian'));
  assert.equal(existsSync(join(s.root, '.openclaw')), false);
});

test('in process: main() writes only to the injected writers and maps failures to exit codes', async (t) => {
  const s = sandbox(t);
  const ok = inProcessIO({ HOME: s.root }, s.root);
  assert.equal(await main(['check-config', '--json', '--home', s.home], ok.io), 0);
  assert.equal(JSON.parse(ok.out()).valid, true);
  assert.equal(ok.err(), '');

  const bad = inProcessIO({ HOME: s.root, OPENCLAW_TRAFFIC_GUARDIAN_MODE: 'block' }, s.root);
  assert.equal(await main(['check-config', '--home', s.home], bad.io), 1);
  assert.match(bad.out(), /env:OPENCLAW_TRAFFIC_GUARDIAN_MODE: "block" is not available/);

  const usage = inProcessIO({ HOME: s.root }, s.root);
  assert.equal(await main(['nope'], usage.io), 2);
  assert.equal(usage.out(), '');
  assert.match(usage.err(), /^error: unknown command "nope"\nfix: /);
});

test('in process: --no-https-inspection turns off what the file turned on; only negatable flags negate', async (t) => {
  const s = sandbox(t);
  s.writeConfig({ https_inspection: true });
  const on = inProcessIO({ HOME: s.root }, s.root);
  assert.equal(await main(['check-config', '--json', '--home', s.home], on.io), 0);
  assert.equal(JSON.parse(on.out()).config.https_inspection, true);
  const off = inProcessIO({ HOME: s.root }, s.root);
  assert.equal(await main(['check-config', '--json', '--home', s.home, '--no-https-inspection'], off.io), 0);
  assert.equal(JSON.parse(off.out()).config.https_inspection, false);
  const bad = inProcessIO({ HOME: s.root }, s.root);
  assert.equal(await main(['check-config', '--no-json'], bad.io), 2);
  assert.match(bad.err(), /unknown flag --no-json/);
  const both = inProcessIO({ HOME: s.root }, s.root);
  assert.equal(await main(['check-config', '--https-inspection', '--no-https-inspection'], both.io), 2);
  assert.match(both.err(), /--https-inspection was given more than once/);
});

test('registry: every command has a unique name, a summary, an example and help naming its flags', () => {
  const names = COMMANDS.map((c) => c.name);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.includes('check-config'));
  for (const c of COMMANDS) {
    assert.match(c.name, /^[a-z][a-z-]*$/);
    assert.ok(c.summary.length > 10, c.name);
    assert.ok(c.examples.length > 0, c.name);
    for (const e of c.examples) assert.ok(e.includes(c.name), `${c.name} example: ${e}`);
    for (const flag of Object.keys(c.flags)) assert.ok(!(flag in GLOBAL_FLAGS), `${c.name} redefines global --${flag}`);
    const help = formatCommandHelp(c);
    for (const flag of Object.keys(c.flags)) assert.ok(flagListed(help, flag), `${c.name} help lacks --${flag}`);
  }
});

test('config flags: every loader flag name is a real CLI flag, and every config flag reaches the loader', () => {
  const cliFlags = new Set([...Object.keys(CONFIG_FLAGS), ...Object.keys(GLOBAL_FLAGS)].map((f) => `--${f}`));
  for (const [field, flag] of Object.entries(CONFIG_FLAG_NAMES)) assert.ok(cliFlags.has(flag), `${field} -> ${flag}`);
  const loaderFlags = new Set(Object.values(CONFIG_FLAG_NAMES));
  for (const f of Object.keys(CONFIG_FLAGS)) assert.ok(loaderFlags.has(`--${f}`), `--${f} is not mapped to the loader`);
});
