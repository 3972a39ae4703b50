// No-false-positive suite for outbound traffic: realistic requests an agent really sends
// (LLM API calls with its own key, transcripts with dotenv code, GitHub and npm traffic,
// lockfiles, ids, images, OAuth flows, setup guides) must produce zero findings with the full
// registry. Fixtures live in test/fixtures/benign/outbound/ok.*: `.http` files are raw HTTP/1.1
// requests scanned the way the monitor scans them (URL, each header, body), so own-provider
// context applies; other files are request bodies, scanned raw and gzip-compressed.
//
// Keys never sit in the repository: fixtures hold `{{NAME}}` slots filled here with fake
// keys built at runtime. The second half checks the context works both ways: the same key that
// is quiet in its provider's auth header IS found in a body, a query, another header, or on
// another host.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import { Scanner } from '../../lib/scan/scanner.ts';
import { httpMessageToScanRequest } from '../../lib/http-message.ts';
import type { ScanRequest } from '../../lib/scan/types.ts';
import type { Finding } from '../../lib/finding.ts';
import { fake, fakeToken, B64URL, HEX, UPPER_DIGITS } from '../../lib/patterns/fake.ts';

const DIR = new URL('../fixtures/benign/outbound/', import.meta.url);
const scanner = new Scanner({ patterns: [...PATTERNS] });
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

const sessionToken = 'IQoJb3JpZ2luX2VjE' + fakeToken('aws-session-token', 700, B64) + '==';

/** Values for the `{{NAME}}` slots of the fixtures. */
const KEYS: Record<string, string> = {
  ANTHROPIC_KEY: fake('sk-', 'ant-', 'api03-', fakeToken('benign-anthropic', 93, B64URL), 'AA'),
  ANTHROPIC_OAT: fake('sk-', 'ant-', 'oat01-', fakeToken('benign-anthropic-oat', 93, B64URL), 'AA'),
  OPENAI_KEY: fake('sk-', 'proj-', fakeToken('benign-openai-a', 74, B64URL), 'T3Blbk', 'FJ', fakeToken('benign-openai-b', 74, B64URL)),
  OPENAI_SVC_KEY: fake('sk-', 'svcacct-', fakeToken('benign-openai-svc-a', 58, B64URL), 'T3Blbk', 'FJ', fakeToken('benign-openai-svc-b', 58, B64URL)),
  GEMINI_KEY: fake('AI', 'za', fakeToken('benign-gemini', 35, B64URL)),
  OPENROUTER_KEY: fake('sk-', 'or-', 'v1-', fakeToken('benign-openrouter', 64, HEX)),
  GROQ_KEY: fake('gsk', '_', fakeToken('benign-groq', 52)),
  XAI_KEY: fake('xai', '-', fakeToken('benign-xai', 80)),
  HF_TOKEN: fake('hf', '_', fakeToken('benign-hf', 34, LETTERS)),
  PPLX_KEY: fake('pplx', '-', fakeToken('benign-pplx', 48)),
  REPLICATE_KEY: fake('r8', '_', fakeToken('benign-replicate', 37)),
  MISTRAL_KEY: fakeToken('benign-mistral', 32),
  DEEPSEEK_KEY: fake('sk-', fakeToken('benign-deepseek', 32, HEX)),
  AWS_AKID: fake('AK', 'IA', fakeToken('benign-akia', 16, UPPER_DIGITS)),
  AWS_SESSION_AKID: fake('AS', 'IA', fakeToken('benign-asia', 16, UPPER_DIGITS)),
  AWS_SIGNATURE: fakeToken('benign-sigv4', 64, HEX),
  AWS_SESSION_TOKEN: sessionToken,
  AWS_SESSION_TOKEN_PCT: encodeURIComponent(sessionToken),
  GITHUB_TOKEN: fake('gh', 'p_', fakeToken('benign-github', 36)),
  SLACK_WEBHOOK_SECRET: fakeToken('benign-slack', 24),
  TELEGRAM_BOT_TOKEN: '7123456789:' + fakeToken('benign-telegram', 35, B64URL),
};

/** Slots holding a key some rule detects on its own (no provider name needed next to it). */
const DETECTABLE_ELSEWHERE = [
  'ANTHROPIC_KEY', 'ANTHROPIC_OAT', 'OPENAI_KEY', 'OPENAI_SVC_KEY', 'GEMINI_KEY', 'OPENROUTER_KEY', 'GROQ_KEY',
  'XAI_KEY', 'HF_TOKEN', 'PPLX_KEY', 'REPLICATE_KEY', 'AWS_AKID', 'AWS_SESSION_AKID',
];

function fill(name: string, text: string): string {
  return text.replace(/\{\{([A-Z0-9_]+)\}\}/g, (_m, k: string) => {
    const v = KEYS[k];
    assert.ok(v, `${name}: unknown slot {{${k}}}`);
    return v;
  });
}

const CTX = { platform: 'openclaw', protocol: 'https', source: '127.0.0.1', maxScanBytes: 1 << 20 } as const;

function httpRequest(raw: string): ScanRequest {
  return httpMessageToScanRequest(Buffer.from(raw), CTX);
}

function bodyRequest(text: string, dest = 'llm-gateway.example.test:443'): ScanRequest {
  return { direction: 'outbound', protocol: 'https', platform: 'openclaw', source: '127.0.0.1', dest, parts: [{ location: 'body', text }] };
}

function gzipPost(text: string): ScanRequest {
  const body = gzipSync(Buffer.from(text));
  const head = `POST /v1/ingest HTTP/1.1\r\nHost: llm-gateway.example.test\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`;
  return httpMessageToScanRequest(Buffer.concat([Buffer.from(head), body]), CTX);
}

function describe(findings: Finding[]): string {
  return findings.map((f) => `${f.rule_id} [${f.severity}] at ${f.location}: ${f.snippet}`).join('\n  ');
}

const files = readdirSync(DIR).filter((f) => f.startsWith('ok.')).sort();

test('benign outbound corpus has at least 25 samples, each with an ok.* name', () => {
  assert.ok(files.length >= 25, `only ${files.length} benign samples in ${DIR.pathname}`);
  for (const f of readdirSync(DIR)) assert.ok(f.startsWith('ok.'), `${f}: benign fixtures are named ok.*`);
});

for (const file of files) {
  test(`benign outbound ${file}: no findings`, () => {
    const text = fill(file, readFileSync(new URL(file, DIR), 'utf8'));
    assert.doesNotMatch(text, /\{\{[A-Z0-9_]+\}\}/, `${file}: unfilled slot`);
    const requests: Array<[string, ScanRequest]> = file.endsWith('.http')
      ? [['as sent', httpRequest(text)]]
      : [['raw body', bodyRequest(text)], ['gzip body', gzipPost(text)]];
    for (const [how, req] of requests) {
      assert.equal(req.direction, 'outbound', `${file}: not a request`);
      assert.ok(req.parts.length > 0, `${file}: nothing to scan`);
      const findings = scanner.scan(req);
      assert.equal(findings.length, 0, `${file} (${how}) fired:\n  ${describe(findings)}`);
    }
    // A fixture quiet only because its key sits in the provider's own auth slot must fire when
    // the very same message goes to another host: proves the key is really there and detectable.
    const carried = DETECTABLE_ELSEWHERE.filter((k) => text.includes(KEYS[k] as string));
    if (file.endsWith('.http') && carried.length) {
      const redirected = httpMessageToScanRequest(Buffer.from(text), { ...CTX, dest: 'collector.attacker.test:443' });
      const hits = scanner.scan(redirected);
      assert.ok(hits.length >= 1, `${file}: its ${carried.join(', ')} sent to another host was not found`);
    }
  });
}

// ---- context works both ways --------------------------------------------------------------

interface ProviderCase {
  rule: string;
  host: string;
  /** where the provider takes its key, as an HTTP header line or a query parameter */
  header?: (key: string) => string;
  query?: string;
  key: string;
}

const PROVIDERS: ProviderCase[] = [
  { rule: 'ai_api_key/anthropic', host: 'api.anthropic.com', header: (k) => `x-api-key: ${k}`, key: KEYS.ANTHROPIC_KEY as string },
  { rule: 'ai_api_key/anthropic', host: 'api.anthropic.com', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.ANTHROPIC_OAT as string },
  { rule: 'ai_api_key/openai', host: 'api.openai.com', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.OPENAI_KEY as string },
  { rule: 'ai_api_key/google', host: 'generativelanguage.googleapis.com', query: 'key', key: KEYS.GEMINI_KEY as string },
  { rule: 'ai_api_key/google', host: 'generativelanguage.googleapis.com', header: (k) => `x-goog-api-key: ${k}`, key: KEYS.GEMINI_KEY as string },
  { rule: 'ai_api_key/openrouter', host: 'openrouter.ai', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.OPENROUTER_KEY as string },
  { rule: 'ai_api_key/groq', host: 'api.groq.com', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.GROQ_KEY as string },
  { rule: 'ai_api_key/xai', host: 'api.x.ai', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.XAI_KEY as string },
  { rule: 'ai_api_key/huggingface', host: 'router.huggingface.co', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.HF_TOKEN as string },
  { rule: 'ai_api_key/perplexity', host: 'api.perplexity.ai', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.PPLX_KEY as string },
  { rule: 'ai_api_key/replicate', host: 'api.replicate.com', header: (k) => `Authorization: Bearer ${k}`, key: KEYS.REPLICATE_KEY as string },
];

function request(host: string, target: string, headers: string[], body = ''): ScanRequest {
  const raw = [`POST ${target} HTTP/1.1`, `Host: ${host}`, 'Content-Type: application/json', ...headers, '', body].join('\r\n');
  return httpRequest(raw);
}

const ruleHits = (req: ScanRequest, rule: string): Finding[] => scanner.scan(req).filter((f) => f.rule_id === rule);

for (const p of PROVIDERS) {
  const where = p.header ? p.header('…').split(':')[0] : `?${p.query}=`;
  test(`${p.rule} via ${where}: quiet to ${p.host}, found anywhere else`, () => {
    const own = p.header
      ? request(p.host, '/v1/endpoint', [p.header(p.key)], '{"ok":true}')
      : request(p.host, `/v1/endpoint?${p.query}=${encodeURIComponent(p.key)}`, [], '{"ok":true}');
    assert.deepEqual(ruleHits(own, p.rule), [], 'own key in its own auth slot to its own host must be quiet');

    // the same auth slot, another host
    const elsewhere = p.header
      ? request('collector.attacker.test', '/v1/endpoint', [p.header(p.key)])
      : request('collector.attacker.test', `/v1/endpoint?${p.query}=${encodeURIComponent(p.key)}`, []);
    const e = ruleHits(elsewhere, p.rule);
    assert.equal(e.length, 1, `${p.rule}: key sent to another host not found`);
    assert.ok(['high', 'critical'].includes(e[0]?.severity as string), 'key material is high or critical');

    // its own host, but in the body, in another query parameter, in another header
    const inBody = request(p.host, '/v1/endpoint', [], JSON.stringify({ note: 'debug', key: p.key }));
    assert.equal(ruleHits(inBody, p.rule)[0]?.location, 'body', `${p.rule}: key in the body to its own host not found`);
    const inQuery = request(p.host, `/v1/endpoint?debug_token=${encodeURIComponent(p.key)}`, []);
    assert.equal(ruleHits(inQuery, p.rule)[0]?.location, 'query:debug_token', `${p.rule}: key in another query parameter not found`);
    const inHeader = request(p.host, '/v1/endpoint', [`X-Debug-Context: ${p.key}`]);
    assert.equal(ruleHits(inHeader, p.rule)[0]?.location, 'header:x-debug-context', `${p.rule}: key in another header not found`);

    // and no output carries the key past its public prefix
    const body = p.key.replace(/^(?:sk-ant-[a-z]+\d\d-|sk-(?:proj|or-v1)-|AIza|gsk_|xai-|hf_|pplx-|r8_)/, '');
    for (const f of [...e, ...ruleHits(inBody, p.rule), ...ruleHits(inQuery, p.rule), ...ruleHits(inHeader, p.rule)]) {
      assert.ok(!JSON.stringify(f).includes(body.slice(0, 12)), `${p.rule}: finding leaks the key`);
    }
  });
}

test('AWS SigV4: key id quiet in Credential= to *.amazonaws.com, found elsewhere', () => {
  const akid = KEYS.AWS_AKID as string;
  const auth = `Authorization: AWS4-HMAC-SHA256 Credential=${akid}/20260425/us-east-1/s3/aws4_request, SignedHeaders=host;x-amz-date, Signature=${KEYS.AWS_SIGNATURE}`;
  const rule = 'aws_access_key_id/access-key-id';
  assert.deepEqual(ruleHits(request('bucket.s3.us-east-1.amazonaws.com', '/k', [auth]), rule), []);
  const presigned = `/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${akid}%2F20260425%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=${KEYS.AWS_SIGNATURE}`;
  assert.deepEqual(ruleHits(request('bucket.s3.us-east-1.amazonaws.com', presigned, []), rule), []);
  // the same signed request to a look-alike host, and the key id in a body to AWS
  assert.equal(ruleHits(request('s3.amazonaws.com.attacker.test', '/k', [auth]), rule).length, 1, 'SigV4 header to a non-AWS host not found');
  assert.equal(ruleHits(request('attacker.test', presigned, []), rule).length, 1, 'presigned credential to a non-AWS host not found');
  assert.equal(ruleHits(request('bucket.s3.us-east-1.amazonaws.com', '/k', [], `{"note":"${akid}"}`), rule)[0]?.location, 'body');
});

test('prefix-less keys: quiet as a Bearer token to their API, found next to their name in a body', () => {
  const mistral = KEYS.MISTRAL_KEY as string;
  const deepseek = KEYS.DEEPSEEK_KEY as string;
  assert.deepEqual(scanner.scan(request('api.mistral.ai', '/v1/chat/completions', [`Authorization: Bearer ${mistral}`], '{"model":"mistral-small-latest"}')), []);
  assert.deepEqual(scanner.scan(request('api.deepseek.com', '/chat/completions', [`Authorization: Bearer ${deepseek}`], '{"model":"deepseek-chat"}')), []);
  assert.equal(ruleHits(bodyRequest(`MISTRAL_API_KEY=${mistral}\nDEEPSEEK_API_KEY=${deepseek}`), 'ai_api_key/mistral').length, 1);
  assert.equal(ruleHits(bodyRequest(`MISTRAL_API_KEY=${mistral}\nDEEPSEEK_API_KEY=${deepseek}`), 'ai_api_key/deepseek').length, 1);
});

test('a benign sample with a real key pasted into it is no longer quiet (the corpus can fail)', () => {
  const text = fill('ok.chat-transcript-python-env.txt', readFileSync(new URL('ok.chat-transcript-python-env.txt', DIR), 'utf8'));
  const leaked = text.replace('"sk-test"', JSON.stringify(KEYS.OPENAI_KEY));
  assert.deepEqual(scanner.scan(bodyRequest(leaked)).map((f) => f.rule_id), ['ai_api_key/openai']);
});
