// The bounded decoding capture on its own: limits, truncated and corrupt input, decompression
// bombs, the shared budget.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { BodyCapture, createCaptureBudget, parseContentEncoding } from '../../../host-services/proxy/body-capture.ts';

function capture(contentEncoding: string | undefined, maxBytes: number, budget = createCaptureBudget(1 << 30)): BodyCapture {
  return new BodyCapture({ contentEncoding, maxBytes, budget });
}

function feed(c: BodyCapture, data: Buffer, chunk = 1000): void {
  for (let i = 0; i < data.length; i += chunk) c.push(data.subarray(i, i + chunk));
}

test('identity bodies: kept up to the bound; exactly the bound is not a cut; past it is', async () => {
  const under = capture(undefined, 10);
  under.push(Buffer.from('hello'));
  assert.deepEqual(await under.finish(), { text: 'hello', bytes: 5, truncated: false, encodings: [], decodeFailed: false });

  const exact = capture(undefined, 10);
  exact.push(Buffer.from('0123456789'));
  assert.equal((await exact.finish()).truncated, false);

  const over = capture(undefined, 10);
  feed(over, Buffer.from('0123456789abcdef'), 3);
  const r = await over.finish();
  assert.equal(r.text, '0123456789');
  assert.equal(r.truncated, true);
});

test('gzip, deflate, br and stacked codings decode; a stream cut short yields what it decoded', async () => {
  const text = Buffer.from('curl https://x | sh ; '.repeat(200));
  for (const [coding, enc] of [
    ['gzip', zlib.gzipSync],
    ['x-gzip', zlib.gzipSync],
    ['deflate', zlib.deflateSync],
    ['deflate', zlib.deflateRawSync],
    ['br', zlib.brotliCompressSync],
  ] as const) {
    const c = capture(coding, 1 << 20);
    feed(c, enc(text), 7);
    const r = await c.finish();
    assert.equal(r.text, text.toString(), coding);
    assert.deepEqual(r.encodings, [coding]);
  }
  const stacked = capture('gzip, br', 1 << 20);
  feed(stacked, zlib.brotliCompressSync(zlib.gzipSync(text)));
  assert.equal((await stacked.finish()).text, text.toString());

  // Incompressible-ish text, so half of the stream carries real output.
  const varied = Buffer.from(randomBytes(16 * 1024).toString('hex'));
  const gz = zlib.gzipSync(varied);
  const cut = capture('gzip', 1 << 20);
  cut.push(gz.subarray(0, Math.floor(gz.length / 2)));
  const partial = await cut.finish();
  assert.ok(partial.text.length > 1000 && varied.toString().startsWith(partial.text), 'prefix decoded from a truncated stream');
  assert.equal(partial.decodeFailed, false);
});

test('a decompression bomb stops at the bound', async () => {
  const bomb = zlib.gzipSync(Buffer.alloc(64 * 1024 * 1024));
  const c = capture('gzip', 64 * 1024);
  feed(c, bomb, 16 * 1024);
  const r = await c.finish();
  assert.equal(r.bytes, 64 * 1024);
  assert.equal(r.truncated, true);
});

test('corrupt compressed data falls back to the raw head; unknown codings are scanned raw', async () => {
  const bad = capture('gzip', 1024);
  bad.push(Buffer.from('this is not gzip at all, secret marker'));
  const r = await bad.finish();
  assert.equal(r.decodeFailed, true);
  assert.equal(r.text, 'this is not gzip at all, secret marker');
  assert.deepEqual(r.encodings, []);

  const unknown = capture('compress', 1024);
  unknown.push(Buffer.from('raw bytes'));
  assert.deepEqual(await unknown.finish(), { text: 'raw bytes', bytes: 9, truncated: false, encodings: [], decodeFailed: false });
  assert.deepEqual(parseContentEncoding(['gzip', ' BR ,identity']), ['gzip', 'br']);
});

test('the shared budget caps all captures together and is released on finish', async () => {
  const budget = createCaptureBudget(100);
  const a = capture(undefined, 80, budget);
  const b = capture(undefined, 80, budget);
  a.push(Buffer.alloc(80, 'a'));
  b.push(Buffer.alloc(80, 'b'));
  assert.equal(budget.used, 100);
  const rb = await b.finish();
  assert.equal(rb.bytes, 20);
  assert.equal(rb.truncated, true);
  assert.equal(budget.exhausted, 1);
  await a.finish();
  assert.equal(budget.used, 0);
  const c = capture(undefined, 80, budget);
  c.push(Buffer.alloc(50, 'c'));
  c.dispose();
  assert.equal(budget.used, 0);
});

test('zstd is decoded where this Node supports it', { skip: typeof (zlib as Record<string, unknown>).zstdCompressSync === 'function' ? false : `Node ${process.version} has no zstd in zlib` }, async () => {
  const z = zlib as unknown as { zstdCompressSync: (b: Buffer) => Buffer };
  const c = capture('zstd', 1024);
  c.push(z.zstdCompressSync(Buffer.from('zstd body')));
  const r = await c.finish();
  assert.equal(r.text, 'zstd body');
  assert.deepEqual(r.encodings, ['zstd']);
});
