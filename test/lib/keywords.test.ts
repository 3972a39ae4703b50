import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeywordMatcher, MAX_HITS } from '../../lib/scan/keywords.ts';

const plain = (...words: string[]) => words.map((word) => ({ word, wordStart: false }));

test('keyword matcher: contained, overlapping and case-folded keywords are all reported', () => {
  const m = new KeywordMatcher(plain('token', 'access_token', 'x-api', 'api-key', 'SK-ANT-', 'sk-'));
  assert.deepEqual([...m.present('header access_token=1')].sort(), ['access_token', 'token']);
  assert.deepEqual([...m.present('X-API-KEY: v')].sort(), ['api-key', 'x-api']);
  assert.deepEqual([...m.present('key sk-ant-abc')].sort(), ['sk-', 'sk-ant-']);
  assert.equal(m.present('nothing here').size, 0);
  assert.equal(new KeywordMatcher([]).present('token').size, 0);
});

test('keyword matcher: every occurrence is reported at its start position', () => {
  const m = new KeywordMatcher(plain('aa', 'curl', 'n’t'));
  const hits = m.scan('aaa CURL x curl don’t');
  assert.deepEqual(hits.positions.get(m.idOf('aa', false)), [0, 1]);
  assert.deepEqual(hits.positions.get(m.idOf('curl', false)), [4, 11]);
  assert.deepEqual(hits.positions.get(m.idOf('n’t', false)), [18]);
});

test('keyword matcher: a word-start keyword is not counted inside a longer word', () => {
  const m = new KeywordMatcher([
    { word: 'sh', wordStart: true },
    { word: 'sh', wordStart: false },
  ]);
  const hits = m.scan('ssh publish /bin/sh sh_x Sh');
  assert.deepEqual(hits.positions.get(m.idOf('sh', true)), [17, 20, 25]);
  assert.deepEqual(hits.positions.get(m.idOf('sh', false)), [1, 9, 17, 20, 25]);
});

test('keyword matcher: a keyword hit more than MAX_HITS times is dense, not unbounded', () => {
  const m = new KeywordMatcher(plain('ab'));
  const hits = m.scan('ab '.repeat(MAX_HITS * 3));
  const id = m.idOf('ab', false);
  assert.equal(hits.dense.has(id), true);
  assert.equal(hits.positions.get(id)?.length, MAX_HITS);
});

test('keyword matcher: a word-end keyword is not counted when a word continues after it', () => {
  const m = new KeywordMatcher([{ word: 'post', wordStart: true, wordEnd: true }]);
  const hits = m.scan('postinstall post: compost POST\nposted post');
  assert.deepEqual(hits.positions.get(m.idOf('post', true, true)), [12, 26, 38]);
  assert.deepEqual([...m.present('a post')], ['^post$']);
});
