// Quoting per shell. bash (always present) evaluates every quoted value for real; zsh and fish
// do too when installed; PowerShell's rules are checked as strings (pwsh is rarely installed).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { assignment, comment, prefixCommand, quote, unsetLine, SHELLS } from '../../../host-services/setup/shells.ts';
import { parseEnv0, which } from './helpers.ts';

const HOSTILE = [
  '',
  'plain',
  'with space',
  "it's",
  'say "hi"',
  '$HOME `id` $(id) ${x}',
  'back\\slash\\\\double',
  'semi; rm -rf ~ & | > <',
  'new\nline',
  "'",
  "''\\'",
  'tab\there',
  'ünïcödé ‘curly’ “double”',
  '#not a comment',
  '*?[glob]',
];

function evalIn(shell: 'bash' | 'zsh' | 'fish', script: string): Record<string, string> {
  const r = spawnSync(shell, ['-c', `${script}\nenv -0`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(r.status, 0, `${shell} failed: ${r.stderr}`);
  return parseEnv0(r.stdout);
}

for (const shell of ['bash', 'zsh', 'fish'] as const) {
  test(`${shell}: every hostile value survives assignment exactly`, (t) => {
    if (!which(shell)) {
      t.skip(`${shell} is not installed on this machine`);
      return;
    }
    const script = HOSTILE.map((v, i) => assignment(shell, `CTG_V${i}`, v)).join('\n');
    const vars = evalIn(shell, script);
    HOSTILE.forEach((v, i) => assert.equal(vars[`CTG_V${i}`], v, `value ${JSON.stringify(v)}`));
  });
}

test('bash: the one-line prefix form passes the values to that command only', () => {
  const vars: Array<[string, string]> = HOSTILE.map((v, i) => [`CTG_P${i}`, v]);
  const line = prefixCommand('bash', vars, 'env -0');
  const r = spawnSync('bash', ['-c', `${line}\necho; echo "after:\${CTG_P1-unset}"`], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(r.status, 0, r.stderr);
  const [envPart, after] = r.stdout.split('\nafter:');
  const seen = parseEnv0(envPart!);
  HOSTILE.forEach((v, i) => assert.equal(seen[`CTG_P${i}`], v));
  assert.equal(after?.trim(), 'unset', 'the variables must not stay in the shell');
});

test('powershell quoting doubles every single-quote character PowerShell recognises', () => {
  assert.equal(quote('powershell', "it's"), "'it''s'");
  assert.equal(quote('powershell', 'a\u2019b\u2018c'), "'a\u2019\u2019b\u2018\u2018c'");
  assert.equal(quote('powershell', '$env:X `n "q"'), "'$env:X `n \"q\"'");
  assert.equal(assignment('powershell', 'HTTP_PROXY', 'http://127.0.0.1:1'), "$env:HTTP_PROXY = 'http://127.0.0.1:1'");
  assert.equal(unsetLine('powershell', ['A', 'B']), 'Remove-Item Env:A, Env:B -ErrorAction SilentlyContinue');
  assert.match(prefixCommand('powershell', [['A', "x'y"]], 'openclaw gateway run'), /^\$env:A = 'x''y'; try \{ openclaw gateway run \} finally \{ Remove-Item Env:A/);
});

test('fish quoting escapes only backslash and quote', () => {
  assert.equal(quote('fish', "it's \\ $x"), "'it\\'s \\\\ $x'");
  assert.equal(assignment('fish', 'NO_PROXY', 'localhost,::1'), "set -gx NO_PROXY 'localhost,::1'");
  assert.equal(prefixCommand('fish', [['A', 'b']], 'cmd'), "env A='b' cmd");
});

test('comments never span lines, whatever the text holds', () => {
  for (const text of ['a\nb', 'x\ry', 'p\u2028q', 'esc\u001b[31m', 'nul\u0000']) {
    for (const line of comment(text)) {
      assert.match(line, /^#/);
      assert.doesNotMatch(line, /[\r\u2028\u001b\u0000]/);
    }
  }
  // a path with a newline in a comment cannot run a command in bash
  const r = spawnSync('bash', ['-c', `${comment('path\necho RAN\r\necho RAN2').join('\n')}\necho done`], { encoding: 'utf8' });
  assert.equal(r.stdout.trim(), 'done', 'nothing after a comment may run');
});

test('variable names are checked', () => {
  for (const shell of SHELLS) assert.throws(() => assignment(shell, 'BAD-NAME', 'x'));
  assert.throws(() => prefixCommand('bash', [['A B', 'x']], 'cmd'));
});
