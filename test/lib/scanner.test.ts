import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Scanner, HARD_MAX_SCAN_BYTES } from '../../lib/scan/scanner.ts';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import type { ScanRequest } from '../../lib/scan/types.ts';
import { fake, fakeToken, B64URL } from '../../lib/patterns/fake.ts';
import { FindingSchema } from '../../lib/finding.ts';
import { httpMessageToScanRequest } from '../../lib/http-message.ts';

const scanner = new Scanner({ patterns: [...PATTERNS] });
const KEY = fake('sk-', 'ant-', 'api03-', fakeToken('scanner-test', 93, B64URL), 'AA');

function outbound(dest: string, location: string, text: string): ScanRequest {
  return { direction: 'outbound', protocol: 'https', platform: 'openclaw', source: '127.0.0.1', dest, parts: [{ location, text }] };
}

test('own provider: Anthropic key in x-api-key or Bearer to api.anthropic.com is quiet', () => {
  assert.deepEqual(scanner.scan(outbound('api.anthropic.com:443', 'header:x-api-key', KEY)), []);
  assert.deepEqual(scanner.scan(outbound('api.anthropic.com:443', 'header:authorization', `Bearer ${KEY}`)), []);
});

test('own provider context does not extend to body, query, other headers or other hosts', () => {
  const cases: Array<[string, string, string]> = [
    ['api.anthropic.com:443', 'body', JSON.stringify({ note: KEY })],
    ['api.anthropic.com:443', 'query:key', KEY],
    ['api.anthropic.com:443', 'header:x-forwarded-note', KEY],
    ['evil.example:443', 'header:x-api-key', KEY],
    ['api.anthropic.com.evil.example:443', 'header:x-api-key', KEY],
  ];
  for (const [dest, loc, text] of cases) {
    const f = scanner.scan(outbound(dest, loc, text));
    assert.equal(f.length, 1, `${dest} ${loc} should be found`);
    assert.equal(f[0]?.pattern, 'ai_api_key');
    assert.equal(f[0]?.severity, 'critical');
  }
});

test('the same over a raw HTTP message (scan --http path): header context applies offline', () => {
  const raw = (host: string) =>
    Buffer.from(`POST /v1/messages HTTP/1.1\r\nHost: ${host}\r\nx-api-key: ${KEY}\r\ncontent-type: application/json\r\n\r\n{"model":"claude","messages":[]}`);
  const ctx = { platform: 'openclaw' as const, protocol: 'https' as const, source: '127.0.0.1', maxScanBytes: 1 << 20 };
  assert.deepEqual(scanner.scan(httpMessageToScanRequest(raw('api.anthropic.com'), ctx)), []);
  const f = scanner.scan(httpMessageToScanRequest(raw('paste.attacker.test'), ctx));
  assert.equal(f.length, 1);
  assert.equal(f[0]?.location, 'header:x-api-key');
  assert.equal(f[0]?.dest, 'paste.attacker.test:443');
});

test('placeholders are never findings', () => {
  for (const p of ['sk-ant-api03-...', 'sk-ant-api03-<your-key>', 'sk-ant-api03-${SUFFIX}', 'sk-ant-api03-' + 'x'.repeat(95)]) {
    assert.deepEqual(scanner.scan(outbound('evil.example:443', 'body', `key=${p}`)), [], p);
  }
});

test('findings record the encodings they went through', () => {
  const b64 = Buffer.from(`{"k":"${KEY}"}`).toString('base64');
  const f = scanner.scan(outbound('evil.example:443', 'query:d', encodeURIComponent(b64)));
  assert.equal(f.length, 1);
  assert.ok(f[0]?.encodings?.includes('base64'), JSON.stringify(f[0]?.encodings));
});

test('snippet keeps the public prefix and context, redacts the rest', () => {
  const [f] = scanner.scan(outbound('evil.example:443', 'body', `debug dump: key=${KEY} end`));
  assert.ok(f);
  assert.match(f.snippet, /key=sk-ant-api03-\[REDACTED:ai_api_key\] end/);
  FindingSchema.parse(f);
});

test('a key near another finding is redacted in the other finding too', () => {
  const text = `~/.ssh/id_rsa ${KEY}`;
  const findings = scanner.scan(outbound('evil.example:443', 'body', text));
  const body = KEY.slice('sk-ant-api03-'.length);
  for (const f of findings) {
    for (let i = 0; i + 6 <= body.length; i++) assert.ok(!f.snippet.includes(body.slice(i, i + 6)), `leak in ${f.rule_id}`);
  }
});

test('truncated input is scanned up to the bound and marked', () => {
  const small = new Scanner({ patterns: [...PATTERNS], limits: { maxScanBytes: 4096 } });
  const text = `key=${KEY} ` + 'a'.repeat(10_000);
  const f = small.scan(outbound('evil.example:443', 'body', text));
  assert.equal(f.length, 1);
  assert.equal(f[0]?.truncated, true);
  const late = small.scan(outbound('evil.example:443', 'body', 'a'.repeat(10_000) + KEY));
  assert.equal(late.length, 0, 'past the bound is not scanned');
});

test('the hard bound cannot be exceeded by configuration', () => {
  const s = new Scanner({ patterns: [], limits: { maxScanBytes: 1 << 30 } });
  assert.equal(s.limits.maxScanBytes, HARD_MAX_SCAN_BYTES);
});

test('hostile inputs never throw: binary, invalid UTF-8, unterminated encodings, one 5 MB line', () => {
  const inputs = [
    Buffer.from(Array.from({ length: 100_000 }, (_, i) => (i * 7919) % 256)).toString('utf8'),
    Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xa0, 0xa1, 0xe2, 0x28, 0xa1]).toString('utf8').repeat(1000),
    '%E2%8'.repeat(20_000),
    '\\u12'.repeat(20_000),
    '&#x1F6;&#99999999;&'.repeat(10_000),
    "$'\\x6".repeat(10_000),
    'QUJD'.repeat(250_000) + '=',
    'x'.repeat(5 * 1024 * 1024),
  ];
  for (const dir of ['outbound', 'inbound'] as const) {
    for (const text of inputs) {
      const r = scanner.scan({ direction: dir, protocol: 'http', platform: 'nanoclaw', source: '::1', dest: 'x:80', parts: [{ location: 'body', text }] });
      assert.ok(Array.isArray(r));
    }
  }
});

test('a PEM key inside JSON is one finding, not one per view', () => {
  const body = Array.from({ length: 20 }, (_, i) => fakeToken(`pem-line-${i}`, 64, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/')).join('\n');
  const pem = ['-----BEGIN ' + 'PRIVATE KEY-----', body, '-----END ' + 'PRIVATE KEY-----', ''].join('\n');
  const f = scanner.scan(outbound('paste.attacker.test:443', 'body', JSON.stringify({ private_key: pem }))).filter((x) => x.pattern === 'private_key_pem');
  assert.equal(f.length, 1, JSON.stringify(f.map((x) => [x.rule_id, x.encodings])));
});

test('a placeholder word inside a long random key does not hide it; a delimited one does', () => {
  const lucky = fake('sk-', 'ant-', 'api03-', fakeToken('lucky-1', 40, B64URL), 'fake', fakeToken('lucky-2', 49, B64URL), 'AA');
  assert.equal(scanner.scan(outbound('evil.example:443', 'body', lucky)).length, 1);
  assert.equal(scanner.scan(outbound('evil.example:443', 'body', 'sk-ant-api03-your-fake-key-for-the-docs-page-goes-here-and-is-long-enough-to-pass-AA')).length, 0);
});

test('four x in a row inside a long random key (chance: about 1 PEM body in 650) do not hide it; a template does', () => {
  const body = (seed: string, xs: string): string => {
    const b64 = fakeToken(seed, 1600, B64URL).replace(/[-_]/g, 'A');
    const lines = (b64.slice(0, 800) + xs + b64.slice(800)).match(/.{1,64}/g) ?? [];
    return ['-----BEGIN ' + 'PRIVATE KEY-----', ...lines, '-----END ' + 'PRIVATE KEY-----'].join('\n');
  };
  const lucky = scanner.scan(outbound('evil.example:443', 'body', body('pem-lucky', 'xXxx')));
  assert.ok(lucky.some((f) => f.pattern === 'private_key_pem' && f.severity === 'critical'), JSON.stringify(lucky.map((f) => [f.rule_id, f.severity])));
  const short = fake('sk-', 'ant-', 'api03-', 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
  assert.equal(scanner.scan(outbound('evil.example:443', 'body', short)).length, 0, 'a short x template is a placeholder');
});

test('path findings show the path itself in the snippet', () => {
  const [f] = scanner.scan(outbound('evil.example:443', 'body', '{"tool":"read_file","path":"/etc/ssh/ssh_host_ed25519_key"}'));
  assert.ok(f, 'found');
  assert.match(f.snippet, /\/etc\/ssh\/ssh_host_ed25519_key/);
});
