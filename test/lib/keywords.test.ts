import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywordIndex } from '../../lib/scan/keywords.ts';

test('keyword index: contained, overlapping and case-folded keywords are all reported', () => {
  const idx = new KeywordIndex(['token', 'access_token', 'x-api', 'api-key', 'SK-ANT-', 'sk-']);
  assert.deepEqual([...idx.present('header access_token=1')].sort(), ['access_token', 'token']);
  assert.deepEqual([...idx.present('X-API-KEY: v')].sort(), ['api-key', 'x-api']);
  assert.deepEqual([...idx.present('key sk-ant-abc')].sort(), ['sk-', 'sk-ant-']);
  assert.equal(idx.present('nothing here').size, 0);
  assert.equal(new KeywordIndex([]).present('token').size, 0);
});
