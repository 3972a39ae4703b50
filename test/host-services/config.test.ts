import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateCACertificate } from 'mockttp';
import { GuardianError } from '../../lib/errors.ts';
import { defaultHome } from '../../lib/home-layout.ts';
import { assertValidConfig, loadConfig, type ConfigFlags, type LoadedConfig } from '../../host-services/config/load.ts';
import { ConfigFileSchema, redactConfig, ResolvedConfigSchema } from '../../host-services/config/schema.ts';

const O = 'OPENCLAW_TRAFFIC_GUARDIAN_';
const N = 'NANOCLAW_TRAFFIC_GUARDIAN_';

let caPem = '';
before(async () => {
  caPem = (await generateCACertificate()).cert;
});

interface Sandbox {
  root: string;
  /** fake user home: default homes land here, never in the real ~ */
  user: string;
  home: string;
  file(rel: string, content: string): string;
  config(obj: unknown): string;
  load(opts?: { flags?: ConfigFlags; env?: NodeJS.ProcessEnv; withHome?: boolean }): LoadedConfig;
}

function sandbox(t: { after: (fn: () => void) => void }): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'ctg-config-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const user = join(root, 'user');
  const home = join(root, 'home');
  mkdirSync(user);
  mkdirSync(home);
  const file = (rel: string, content: string) => {
    const p = join(root, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, content);
    return p;
  };
  return {
    root,
    user,
    home,
    file,
    config: (obj) => file('home/config.json', typeof obj === 'string' ? obj : JSON.stringify(obj, null, 2)),
    load: ({ flags = {}, env = {}, withHome = true } = {}) =>
      loadConfig({ flags: withHome ? { home, ...flags } : flags, env, cwd: root, userHome: user }),
  };
}

const paths = (problems: Array<{ path: string }>) => problems.map((p) => p.path);

function problemAt(r: LoadedConfig, path: string): string {
  const hit = r.errors.find((e) => e.path === path);
  assert.ok(hit, `expected an error at ${path}; got ${JSON.stringify(r.errors)}`);
  return hit.message;
}

test('defaults: no file, no env, no flags gives the documented defaults and no problems', (t) => {
  const s = sandbox(t);
  const r = s.load({ withHome: false });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  const home = defaultHome('openclaw', s.user);
  assert.deepEqual(r.config, {
    platform: 'openclaw',
    mode: 'detect',
    home,
    config_file: null,
    host: '127.0.0.1',
    port: 18787,
    https_inspection: false,
    allow_clients: ['127.0.0.1/32', '::1/128'],
    max_scan_bytes: 1048576,
    redact_snippets: true,
    log: { dir: join(home, 'logs'), max_bytes: 10 * 1024 * 1024, max_files: 5 },
    dedup_window_ms: 60000,
    upstream_proxy: null,
    upstream_ca: [],
    secret_env_files: [],
    nanoclaw_root: null,
  });
  assert.equal(r.layout.home, home);
  ResolvedConfigSchema.parse(r.config);
});

test('a complete valid file is applied, and matches ConfigFileSchema', (t) => {
  const s = sandbox(t);
  const ca = s.file('certs/corp.pem', caPem);
  const secrets = s.file('agent.env', 'X=1\n');
  mkdirSync(join(s.root, 'nc', 'groups'), { recursive: true });
  const file = {
    mode: 'detect',
    platform: 'nanoclaw',
    host: '0.0.0.0',
    port: 0,
    https_inspection: true,
    allow_clients: ['172.17.0.0/16', '10.1.2.3', 'fd00::/8'],
    max_scan_bytes: 16 * 1024 * 1024,
    redact_snippets: true,
    log: { max_bytes: 65536, max_files: 100 },
    dedup_window_ms: 0,
    upstream_proxy: 'http://127.0.0.1:10255',
    upstream_ca: ['../certs/corp.pem'], // relative to the config file
    secret_env_files: [secrets],
    nanoclaw_root: join(s.root, 'nc'),
  };
  ConfigFileSchema.parse(file);
  s.config(file);
  const r = s.load();
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.warnings, []);
  assert.equal(r.config.platform, 'nanoclaw');
  assert.equal(r.config.config_file, join(s.home, 'config.json'));
  assert.equal(r.config.host, '0.0.0.0');
  assert.equal(r.config.port, 0);
  assert.equal(r.config.https_inspection, true);
  assert.deepEqual(r.config.allow_clients, ['172.17.0.0/16', '10.1.2.3/32', 'fd00::/8', '127.0.0.1/32', '::1/128']);
  assert.equal(r.config.max_scan_bytes, 16777216);
  assert.deepEqual(r.config.log, { dir: join(s.home, 'logs'), max_bytes: 65536, max_files: 100 });
  assert.equal(r.config.dedup_window_ms, 0);
  assert.equal(r.config.upstream_proxy, 'http://127.0.0.1:10255');
  assert.deepEqual(r.config.upstream_ca, [ca]);
  assert.deepEqual(r.config.secret_env_files, [secrets]);
  assert.equal(r.config.nanoclaw_root, join(s.root, 'nc'));
});

// Each bad value, alone in the file, gives an error at exactly this path.
const BAD_FILE_VALUES: Array<[string, Record<string, unknown>, string, RegExp?]> = [
  ['mode block', { mode: 'block' }, 'mode', /blocking does not exist in this release/],
  ['mode other', { mode: 'prevent' }, 'mode', /blocking does not exist in this release/],
  ['platform', { platform: 'claude' }, 'platform', /"openclaw" or "nanoclaw"/],
  ['host as URL', { host: 'http://127.0.0.1' }, 'host', /not a URL/],
  ['host with port', { host: '127.0.0.1:8080' }, 'host', /without a port/],
  ['host garbage', { host: 'bad host!' }, 'host'],
  ['port too big', { port: 65536 }, 'port', /0 to 65535/],
  ['port negative', { port: -1 }, 'port'],
  ['port as string', { port: '18787' }, 'port'],
  ['port fractional', { port: 80.5 }, 'port'],
  ['https_inspection', { https_inspection: 'yes' }, 'https_inspection', /true or false/],
  ['allow_clients bad entry', { allow_clients: ['10.0.0.0/8', '10.0.0.0/33'] }, 'allow_clients[1]', /CIDR/],
  ['allow_clients bad ipv6', { allow_clients: ['::1/129'] }, 'allow_clients[0]'],
  ['allow_clients not array', { allow_clients: '10.0.0.0/8' }, 'allow_clients', /array of CIDR/],
  ['allow_clients non-string', { allow_clients: [42] }, 'allow_clients[0]'],
  ['max_scan_bytes over 16 MiB', { max_scan_bytes: 16 * 1024 * 1024 + 1 }, 'max_scan_bytes', /16777216/],
  ['max_scan_bytes under 1024', { max_scan_bytes: 1023 }, 'max_scan_bytes', /1024/],
  ['redact_snippets false', { redact_snippets: false }, 'redact_snippets', /cannot be false/],
  ['redact_snippets string', { redact_snippets: 'true' }, 'redact_snippets'],
  ['log not object', { log: 5 }, 'log', /object/],
  ['log.max_bytes small', { log: { max_bytes: 1000 } }, 'log.max_bytes', /65536/],
  ['log.max_bytes big', { log: { max_bytes: 2 * 1024 * 1024 * 1024 } }, 'log.max_bytes'],
  ['log.max_files 0', { log: { max_files: 0 } }, 'log.max_files', /1 to 100/],
  ['log.max_files 101', { log: { max_files: 101 } }, 'log.max_files'],
  ['dedup negative', { dedup_window_ms: -1 }, 'dedup_window_ms'],
  ['dedup over an hour', { dedup_window_ms: 3_600_001 }, 'dedup_window_ms', /3600000/],
  ['upstream_proxy no scheme', { upstream_proxy: '127.0.0.1:10255' }, 'upstream_proxy', /use a URL like http:\/\/127\.0\.0\.1:10255/],
  ['upstream_proxy socks', { upstream_proxy: 'socks5://127.0.0.1:1080' }, 'upstream_proxy', /http:\/\/ or https:\/\//],
  ['upstream_proxy with path', { upstream_proxy: 'http://127.0.0.1:3128/proxy' }, 'upstream_proxy'],
  ['upstream_ca missing file', { upstream_ca: ['nope.pem'] }, 'upstream_ca[0]', /does not exist/],
  ['upstream_ca not array', { upstream_ca: 'x.pem' }, 'upstream_ca'],
  ['secret_env_files missing', { secret_env_files: ['missing.env'] }, 'secret_env_files[0]', /does not exist/],
  ['nanoclaw_root missing', { nanoclaw_root: 'no-such-dir' }, 'nanoclaw_root', /not a directory/],
];

for (const [name, file, path, message] of BAD_FILE_VALUES) {
  test(`file: ${name} -> error at ${path}`, (t) => {
    const s = sandbox(t);
    s.config(file);
    const r = s.load();
    const msg = problemAt(r, path);
    if (message) assert.match(msg, message);
    assert.equal(r.errors.length, 1, JSON.stringify(r.errors));
    // the resolved config stays usable: the rejected value fell back to the default
    ResolvedConfigSchema.parse(r.config);
    assert.equal(r.config.mode, 'detect');
    assert.equal(r.config.redact_snippets, true);
  });
}

test('upstream_ca: a file that holds no PEM certificate is rejected; a real one is accepted', (t) => {
  const s = sandbox(t);
  const junk = s.file('junk.pem', 'not a certificate\n');
  const broken = s.file('broken.pem', '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n');
  const good = s.file('good.pem', caPem);
  s.config({ upstream_ca: [good, junk, broken] });
  const r = s.load();
  assert.deepEqual(paths(r.errors), ['upstream_ca[1]', 'upstream_ca[2]']);
  assert.match(problemAt(r, 'upstream_ca[1]'), /no PEM certificate/);
});

test('every problem from every source is reported at once', (t) => {
  const s = sandbox(t);
  s.config({ mode: 'block', port: 70000, allow_clients: ['ok/99'], log: { max_files: 0 }, redact_snippets: false, colour: 'blue' });
  const r = s.load({
    env: { [`${O}MAX_SCAN_BYTES`]: 'abc', [`${O}LOG_DIR`]: '/var/log/elsewhere' },
    flags: { port: 'eighty', allow_clients: ['127.0.0.1', 'nope'], upstream_proxy: 'localhost:3128' },
  });
  assert.deepEqual(paths(r.errors).sort(), [
    'allow_clients[0]',
    `env:${O}LOG_DIR`,
    `env:${O}MAX_SCAN_BYTES`,
    'flag:--allow-client[1]',
    'flag:--port',
    'flag:--upstream-proxy',
    'log.max_files',
    'mode',
    'port',
    'redact_snippets',
  ]);
  assert.deepEqual(paths(r.warnings), ['colour']);
  for (const e of r.errors) assert.ok(e.message.length > 20, `message too thin at ${e.path}: ${e.message}`);
});

test('precedence: flags > env > file > defaults', (t) => {
  const s = sandbox(t);
  s.config({ port: 1111, host: '127.0.0.2', max_scan_bytes: 2048, mode: 'detect' });
  const env = { [`${O}PROXY_URL`]: 'http://127.0.0.3:2222', [`${O}MAX_SCAN_BYTES`]: '4096' };
  const flags = { port: '3333', max_scan_bytes: '8192' };

  const all = s.load({ env, flags });
  assert.deepEqual(all.errors, []);
  assert.equal(all.config.port, 3333);
  assert.equal(all.config.host, '127.0.0.3'); // no --host: env wins over the file
  assert.equal(all.config.max_scan_bytes, 8192);

  const noFlags = s.load({ env });
  assert.equal(noFlags.config.port, 2222);
  assert.equal(noFlags.config.max_scan_bytes, 4096);

  const fileOnly = s.load();
  assert.equal(fileOnly.config.port, 1111);
  assert.equal(fileOnly.config.host, '127.0.0.2');
  assert.equal(fileOnly.config.max_scan_bytes, 2048);

  rmSync(join(s.home, 'config.json'));
  const none = s.load();
  assert.equal(none.config.port, 18787);
  assert.equal(none.config.max_scan_bytes, 1048576);
});

test('allow_clients: a higher source replaces the list; loopback is always added back', (t) => {
  const s = sandbox(t);
  s.config({ allow_clients: ['10.0.0.0/8'] });
  assert.deepEqual(s.load().config.allow_clients, ['10.0.0.0/8', '127.0.0.1/32', '::1/128']);
  const r = s.load({ flags: { allow_clients: ['172.17.0.0/16', '::ffff:10.0.0.1'] } });
  assert.deepEqual(r.config.allow_clients, ['172.17.0.0/16', '::ffff:10.0.0.1/128', '127.0.0.1/32', '::1/128']);
  s.config({ allow_clients: [] });
  assert.deepEqual(s.load().config.allow_clients, ['127.0.0.1/32', '::1/128']);
});

test('upstream CAs accumulate across file, CA_BUNDLE and --upstream-ca', (t) => {
  const s = sandbox(t);
  const a = s.file('a.pem', caPem);
  const b = s.file('b.pem', caPem);
  const c = s.file('c.pem', caPem);
  s.config({ upstream_ca: [a] });
  const r = s.load({ env: { [`${O}CA_BUNDLE`]: b }, flags: { upstream_ca: [c, a] } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(r.config.upstream_ca, [a, b, c]);
  const bad = s.load({ env: { [`${O}CA_BUNDLE`]: join(s.root, 'gone.pem') } });
  assert.match(problemAt(bad, `env:${O}CA_BUNDLE`), /does not exist/);
});

test('environment: bad values are reported with the variable name as the path', (t) => {
  const s = sandbox(t);
  const cases: Array<[string, string, RegExp]> = [
    ['MAX_SCAN_BYTES', 'abc', /whole number/],
    ['MAX_SCAN_BYTES', '99999999', /16777216/],
    ['MODE', 'block', /blocking does not exist/],
    ['REDACT_SNIPPETS', 'false', /cannot be false/],
    ['REDACT_SNIPPETS', 'maybe', /must be true/],
    ['PROXY_URL', 'https://127.0.0.1:18787', /http:\/\//],
    ['PROXY_URL', 'http://127.0.0.1', /no port/],
    ['PROXY_URL', 'http://127.0.0.1:70000', /65535/],
    ['PROXY_URL', 'not a url', /listener URL/],
  ];
  for (const [key, value, message] of cases) {
    const r = s.load({ env: { [O + key]: value } });
    assert.deepEqual(paths(r.errors), [`env:${O}${key}`], `${key}=${value}`);
    assert.match(problemAt(r, `env:${O}${key}`), message);
  }
  const ok = s.load({ env: { [`${O}PROXY_URL`]: 'http://[::1]:0', [`${O}REDACT_SNIPPETS`]: 'true', [`${O}MODE`]: 'detect' } });
  assert.deepEqual(ok.errors, []);
  assert.equal(ok.config.host, '::1');
  assert.equal(ok.config.port, 0);
});

test('environment: an unknown *_TRAFFIC_GUARDIAN_* variable is a warning naming it', (t) => {
  const s = sandbox(t);
  const r = s.load({ env: { [`${O}PORT`]: '1234', [`${O}MAX_SCAN_BYTE`]: '2048' } });
  assert.deepEqual(r.errors, []);
  assert.deepEqual(paths(r.warnings).sort(), [`env:${O}MAX_SCAN_BYTE`, `env:${O}PORT`]);
  assert.match(r.warnings.find((w) => w.path === `env:${O}PORT`)?.message ?? '', /PROXY_URL/);
  assert.match(r.warnings.find((w) => w.path === `env:${O}MAX_SCAN_BYTE`)?.message ?? '', /MAX_SCAN_BYTES/);
});

test('flags: bad values are reported as flag:--name', (t) => {
  const s = sandbox(t);
  const r = s.load({
    flags: {
      platform: 'windows',
      mode: 'block',
      host: 'http://x',
      port: '-1',
      max_scan_bytes: '16777217',
      upstream_proxy: 'nope',
      upstream_ca: [join(s.root, 'missing.pem')],
      secret_env_files: [join(s.root, 'missing.env')],
      nanoclaw_root: join(s.root, 'missing'),
    },
  });
  assert.deepEqual(paths(r.errors), [
    'flag:--platform',
    'flag:--mode',
    'flag:--host',
    'flag:--port',
    'flag:--max-scan-bytes',
    'flag:--upstream-proxy',
    'flag:--upstream-ca[0]',
    'flag:--secret-env-file[0]',
    'flag:--nanoclaw-root',
  ]);
  assert.match(problemAt(r, 'flag:--upstream-proxy'), /use a URL like http:\/\/127\.0\.0\.1:10255/);
});

test('an upstream proxy URL with credentials is never echoed in messages and is masked by redactConfig', (t) => {
  const s = sandbox(t);
  const password = 'pw' + 'Zq81x';
  const bad = s.load({ flags: { upstream_proxy: `socks5://user:${password}@127.0.0.1:1080` } });
  assert.equal(bad.errors.length, 1);
  assert.ok(!JSON.stringify(bad.errors).includes(password));
  const good = s.load({ flags: { upstream_proxy: `http://user:${password}@127.0.0.1:3128` } });
  assert.deepEqual(good.errors, []);
  const shown = JSON.stringify(redactConfig(good.config));
  assert.ok(!shown.includes(password), shown);
  assert.match(shown, /\*\*\*@127\.0\.0\.1:3128/);
});

test('LOG_DIR: inside the home is used (relative names are relative to the home); outside is an error', (t) => {
  const s = sandbox(t);
  const rel = s.load({ env: { [`${O}LOG_DIR`]: 'audit' } });
  assert.deepEqual(rel.errors, []);
  assert.equal(rel.layout.logDir, join(s.home, 'audit'));
  assert.equal(rel.layout.findingsLog, join(s.home, 'audit', 'findings.jsonl'));
  assert.equal(rel.config.log.dir, join(s.home, 'audit'));

  const abs = s.load({ env: { [`${O}LOG_DIR`]: join(s.home, 'x', 'y') } });
  assert.deepEqual(abs.errors, []);

  for (const outside of [join(s.root, 'elsewhere'), '../escape', s.home]) {
    const r = s.load({ env: { [`${O}LOG_DIR`]: outside } });
    assert.match(problemAt(r, `env:${O}LOG_DIR`), /outside the home/, outside);
    assert.equal(r.layout.logDir, join(s.home, 'logs'));
  }

  // a symlink inside the home that points out of it is still outside
  symlinkSync(s.root, join(s.home, 'sneaky'));
  const sym = s.load({ env: { [`${O}LOG_DIR`]: 'sneaky/logs' } });
  assert.match(problemAt(sym, `env:${O}LOG_DIR`), /outside the home/);
});

test('malformed JSON: one error at `config` naming the file and the parse position', (t) => {
  const s = sandbox(t);
  const file = s.config('{\n  "port": 1,\n  "mode": "detect",\n}\n');
  const r = s.load();
  assert.equal(r.errors.length, 1);
  assert.equal(r.errors[0]?.path, 'config');
  assert.ok(r.errors[0]?.message.includes(file));
  assert.match(r.errors[0]?.message ?? '', /line 4, column 1 \(position \d+\)/);

  s.config('[1, 2]');
  assert.match(problemAt(s.load(), 'config'), /JSON object/);
  s.config('');
  assert.match(problemAt(s.load(), 'config'), /not valid JSON.*line 1/);
  s.config('\ufeff{"port": 1234}');
  assert.equal(s.load().config.port, 1234);
});

test('config file: --config beats <P>_CONFIG beats <home>/config.json; a missing explicit file is an error', (t) => {
  const s = sandbox(t);
  s.config({ port: 1001 });
  const envFile = s.file('env.json', JSON.stringify({ port: 1002 }));
  const flagFile = s.file('flag.json', JSON.stringify({ port: 1003 }));
  assert.equal(s.load().config.port, 1001);
  assert.equal(s.load({ env: { [`${O}CONFIG`]: envFile } }).config.port, 1002);
  const both = s.load({ env: { [`${O}CONFIG`]: envFile }, flags: { config: 'flag.json' } });
  assert.equal(both.config.port, 1003);
  assert.equal(both.config.config_file, flagFile);

  const missing = s.load({ flags: { config: 'nope.json' } });
  assert.match(problemAt(missing, 'flag:--config'), /does not exist/);
  assert.equal(missing.config.config_file, null);
  const missingEnv = s.load({ env: { [`${O}CONFIG`]: join(s.root, 'nope.json') } });
  assert.match(problemAt(missingEnv, `env:${O}CONFIG`), /does not exist/);
});

test('unknown keys are warnings naming the key, not errors', (t) => {
  const s = sandbox(t);
  s.config({ max_scan_byte: 4096, log: { max_size: 1, max_files: 3 }, extra: true });
  const r = s.load();
  assert.deepEqual(r.errors, []);
  assert.deepEqual(paths(r.warnings), ['max_scan_byte', 'log.max_size', 'extra']);
  assert.match(r.warnings[0]?.message ?? '', /"max_scan_byte".*did you mean "max_scan_bytes"/);
  assert.equal(r.config.log.max_files, 3);
  assert.equal(r.config.max_scan_bytes, 1048576);
});

test('platform and home: flag, then env presence, then the file; env prefix follows the platform', (t) => {
  const s = sandbox(t);
  // nothing set: openclaw default home
  assert.equal(s.load({ withHome: false }).config.home, defaultHome('openclaw', s.user));
  // --platform nanoclaw: NanoClaw default home, and OPENCLAW_* variables are not read
  const nano = s.load({ withHome: false, flags: { platform: 'nanoclaw' }, env: { [`${O}MAX_SCAN_BYTES`]: '2048', [`${N}MAX_SCAN_BYTES`]: '4096' } });
  assert.equal(nano.config.platform, 'nanoclaw');
  assert.equal(nano.config.home, defaultHome('nanoclaw', s.user));
  assert.equal(nano.config.max_scan_bytes, 4096);
  // only NANOCLAW_* set: nanoclaw
  const byEnv = s.load({ withHome: false, env: { [`${N}MAX_SCAN_BYTES`]: '4096' } });
  assert.equal(byEnv.config.platform, 'nanoclaw');
  assert.equal(byEnv.config.max_scan_bytes, 4096);
  // <P>_HOME chooses the home
  const envHome = join(s.root, 'env-home');
  assert.equal(s.load({ withHome: false, env: { [`${N}HOME`]: envHome } }).config.home, envHome);
  // --home beats <P>_HOME
  assert.equal(s.load({ env: { [`${O}HOME`]: envHome } }).config.home, s.home);
  // both prefixes: openclaw, with a warning
  const both = s.load({ env: { [`${O}MODE`]: 'detect', [`${N}MODE`]: 'detect' } });
  assert.equal(both.config.platform, 'openclaw');
  assert.deepEqual(paths(both.warnings), ['platform']);
  // no flag, no env: the file decides
  s.config({ platform: 'nanoclaw' });
  assert.equal(s.load().config.platform, 'nanoclaw');
  // a flag beats the file
  assert.equal(s.load({ flags: { platform: 'openclaw' } }).config.platform, 'openclaw');
  // ~ in --home is the user's home
  assert.equal(s.load({ withHome: false, flags: { home: '~/g' } }).config.home, join(s.user, 'g'));
});

test('a home inside a NanoClaw groups/, data/ or store/ folder is an error; elsewhere in the project a warning', (t) => {
  const s = sandbox(t);
  const root = join(s.root, 'nanoclaw');
  for (const sub of ['groups', 'data', 'store']) mkdirSync(join(root, sub), { recursive: true });
  for (const sub of ['groups/main', 'data', 'store/x/y']) {
    const r = s.load({ flags: { home: join(root, sub, 'guardian'), nanoclaw_root: root } });
    assert.match(problemAt(r, 'flag:--home'), /containers can see/, sub);
  }
  const viaEnv = s.load({ withHome: false, env: { [`${N}HOME`]: join(root, 'data', 'g') }, flags: { nanoclaw_root: root } });
  assert.match(problemAt(viaEnv, `env:${N}HOME`), /containers can see/);

  const inProject = s.load({ flags: { home: join(root, 'guardian'), nanoclaw_root: root } });
  assert.deepEqual(inProject.errors, []);
  assert.deepEqual(paths(inProject.warnings), ['flag:--home']);

  const outside = s.load({ flags: { nanoclaw_root: root } });
  assert.deepEqual(outside.errors, []);
  assert.deepEqual(outside.warnings, []);
});

test('the loader never throws on hostile content', (t) => {
  const s = sandbox(t);
  const weird: unknown[] = [
    { port: null, host: [], log: [], allow_clients: [null, {}, [1]], upstream_ca: [1, null], mode: { x: 1 } },
    { log: null, platform: 7, redact_snippets: null, upstream_proxy: 12 },
    { max_scan_bytes: 1e400, port: 'x'.repeat(10000) },
  ];
  for (const w of weird) {
    s.config(w);
    const r = s.load();
    assert.ok(r.errors.length > 0, JSON.stringify(w).slice(0, 80));
    ResolvedConfigSchema.parse(r.config);
    // long rejected values are shown bounded
    for (const e of r.errors) assert.ok(e.message.length < 400, e.message.slice(0, 100));
  }
  // keys that name Object.prototype members are just unknown keys, never settings
  s.config('{"__proto__": {"port": 1}, "constructor": 1, "toString": "x", "hasOwnProperty": 2}');
  const proto = s.load();
  assert.deepEqual(proto.errors, []);
  assert.deepEqual(paths(proto.warnings), ['__proto__', 'constructor', 'toString', 'hasOwnProperty']);
  assert.equal(proto.config.port, 18787);
  s.config('{"a": "\u0000"');
  assert.equal(s.load().errors[0]?.path, 'config');
});

test('assertValidConfig returns a valid config and throws CONFIG_INVALID with every problem otherwise', (t) => {
  const s = sandbox(t);
  assert.equal(assertValidConfig(s.load()).config.port, 18787);
  s.config({ mode: 'block', port: -5 });
  assert.throws(
    () => assertValidConfig(s.load()),
    (err: unknown) =>
      err instanceof GuardianError && err.code === 'CONFIG_INVALID' && err.problems.length === 2 && /2 problems/.test(err.message),
  );
});

test('loading the config creates nothing on disk', (t) => {
  const s = sandbox(t);
  const r = s.load({ withHome: false, env: { [`${O}LOG_DIR`]: 'l' } });
  assert.deepEqual(r.errors, []);
  assert.throws(() => rmSync(join(s.user, '.openclaw'), { recursive: false }), /ENOENT/);
});
