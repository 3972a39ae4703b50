// `hook-install` through the CLI's real entry point (main) with injected streams and
// environment: copies the hook folder, leaves an identical copy alone, refuses a different one
// without --force, never touches OpenClaw's configuration.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../host-services/cli/main.ts';
import { HOOK_NAME, HOOK_SOURCE_DIR, listHookFiles } from '../../host-services/cli/commands/hook-install.ts';

interface Out {
  code: number;
  stdout: string;
  stderr: string;
}

function sandbox(t: TestContext) {
  const root = mkdtempSync(join(tmpdir(), 'ctg-hook-install-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const userHome = join(root, 'user');
  mkdirSync(userHome);
  return {
    root,
    userHome,
    hooksDir: join(root, 'hooks'),
    run: async (args: string[], env: NodeJS.ProcessEnv = {}): Promise<Out> => {
      let stdout = '';
      let stderr = '';
      const code = await main(args, {
        stdout: { write: (s: string) => (stdout += s) },
        stderr: { write: (s: string) => (stderr += s) },
        stdin: new PassThrough(),
        env: { PATH: process.env.PATH, HOME: userHome, ...env },
        cwd: root,
      });
      return { code, stdout, stderr };
    },
  };
}

function assertSameTree(dest: string): void {
  const files = listHookFiles(HOOK_SOURCE_DIR);
  assert.deepEqual(listHookFiles(dest), files);
  for (const f of files) assert.ok(readFileSync(join(HOOK_SOURCE_DIR, f)).equals(readFileSync(join(dest, f))), f);
}

test('installs the hook folder into --hooks-dir and prints the OpenClaw steps', async (t) => {
  const s = sandbox(t);
  const r = await s.run(['hook-install', '--hooks-dir', s.hooksDir]);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '');
  const dest = join(s.hooksDir, HOOK_NAME);
  assertSameTree(dest);
  assert.ok(listHookFiles(dest).includes('HOOK.md') && listHookFiles(dest).includes('handler.ts'));
  assert.match(r.stdout, new RegExp(`^OpenClaw hook ${HOOK_NAME} installed at ${dest.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(\\d+ files\\)\n`));
  assert.match(r.stdout, /\n {2}1\. openclaw hooks enable openclaw-traffic-guardian-hook\n/);
  assert.match(r.stdout, /\n {2}2\. openclaw gateway restart .*loads the hook\n/);
  assert.match(r.stdout, /does not change OpenClaw's configuration/);
  assert.deepEqual(readdirSync(s.hooksDir), [HOOK_NAME], 'no staging folder left behind');
  assert.equal(statSync(join(dest, 'handler.ts')).mode & 0o777, 0o644);
});

test('default target is ~/.openclaw/hooks (or $OPENCLAW_STATE_DIR/hooks); OpenClaw config is never touched', async (t) => {
  const s = sandbox(t);
  const openclawDir = join(s.userHome, '.openclaw');
  mkdirSync(openclawDir);
  const config = join(openclawDir, 'openclaw.json');
  writeFileSync(config, '{ hooks: { internal: { enabled: false } } }\n');
  const before = statSync(config);
  let r = await s.run(['hook-install']);
  assert.equal(r.code, 0, r.stderr);
  assertSameTree(join(openclawDir, 'hooks', HOOK_NAME));
  assert.doesNotMatch(r.stdout, /extraDirs/, 'no note for the default directory');
  assert.equal(readFileSync(config, 'utf8'), '{ hooks: { internal: { enabled: false } } }\n');
  assert.equal(statSync(config).mtimeMs, before.mtimeMs);
  assert.deepEqual(readdirSync(openclawDir).sort(), ['hooks', 'openclaw.json']);

  const stateDir = join(s.root, 'oc-state');
  r = await s.run(['hook-install', '--json'], { OPENCLAW_STATE_DIR: stateDir });
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { path: string; action: string };
  assert.equal(out.path, join(stateDir, 'hooks', HOOK_NAME));
  assert.equal(out.action, 'installed');
  assertSameTree(out.path);
});

test('--json: one object on stdout; an identical copy is left as it is', async (t) => {
  const s = sandbox(t);
  let r = await s.run(['hook-install', '--hooks-dir', s.hooksDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim().split('\n').length, 1);
  const first = JSON.parse(r.stdout) as Record<string, unknown>;
  assert.equal(first.hook, HOOK_NAME);
  assert.equal(first.action, 'installed');
  assert.equal(first.path, join(s.hooksDir, HOOK_NAME));
  assert.equal(first.hooks_dir, s.hooksDir);
  assert.deepEqual(first.files, listHookFiles(HOOK_SOURCE_DIR));
  assert.deepEqual(first.next_steps, ['openclaw hooks enable openclaw-traffic-guardian-hook', 'openclaw gateway restart']);
  assert.equal(first.openclaw_config_changed, false);
  const mtime = statSync(join(s.hooksDir, HOOK_NAME, 'handler.ts')).mtimeMs;
  r = await s.run(['hook-install', '--hooks-dir', s.hooksDir, '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal((JSON.parse(r.stdout) as { action: string }).action, 'unchanged');
  assert.equal(statSync(join(s.hooksDir, HOOK_NAME, 'handler.ts')).mtimeMs, mtime, 'not rewritten');
});

test('a different existing copy is refused without --force and replaced with it', async (t) => {
  const s = sandbox(t);
  assert.equal((await s.run(['hook-install', '--hooks-dir', s.hooksDir])).code, 0);
  const dest = join(s.hooksDir, HOOK_NAME);
  writeFileSync(join(dest, 'handler.ts'), '// my local edits\n');
  writeFileSync(join(dest, 'extra.txt'), 'mine');

  let r = await s.run(['hook-install', '--hooks-dir', s.hooksDir]);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^error: a different copy of the hook already exists at .+\nfix: .*--force/);
  assert.equal(readFileSync(join(dest, 'handler.ts'), 'utf8'), '// my local edits\n', 'left untouched');

  r = await s.run(['hook-install', '--hooks-dir', s.hooksDir, '--json']);
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '');
  const err = JSON.parse(r.stderr) as { error: { code: string; message: string; fix: string } };
  assert.equal(err.error.code, 'HOOK_EXISTS');
  assert.match(err.error.fix, /--force/);

  r = await s.run(['hook-install', '--hooks-dir', s.hooksDir, '--force']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /replaced at/);
  assertSameTree(dest);
  assert.equal(existsSync(join(dest, 'extra.txt')), false, 'replaced as a whole');
  assert.deepEqual(readdirSync(s.hooksDir), [HOOK_NAME], 'no staging or old folder left behind');
});

test('a file in the way is refused too, and replaced with --force', async (t) => {
  const s = sandbox(t);
  mkdirSync(s.hooksDir);
  writeFileSync(join(s.hooksDir, HOOK_NAME), 'not a folder');
  let r = await s.run(['hook-install', '--hooks-dir', s.hooksDir]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /a different file or link already exists/);
  r = await s.run(['hook-install', '--hooks-dir', s.hooksDir, '--force']);
  assert.equal(r.code, 0, r.stderr);
  assertSameTree(join(s.hooksDir, HOOK_NAME));
});

test('a non-default guardian home and hooks dir come with notes for the operator', async (t) => {
  const s = sandbox(t);
  const home = join(s.root, 'guardian');
  const r = await s.run(['hook-install', '--hooks-dir', s.hooksDir, '--home', home]);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes(`OPENCLAW_TRAFFIC_GUARDIAN_HOME=${home}`), r.stdout);
  assert.match(r.stdout, /hooks\.internal\.load\.extraDirs/);
});

test('an unwritable target fails with exit 1 and leaves nothing half-installed', async (t) => {
  const s = sandbox(t);
  writeFileSync(join(s.root, 'blocker'), 'a file where a directory should be');
  const r = await s.run(['hook-install', '--hooks-dir', join(s.root, 'blocker', 'hooks')]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^error: could not install the hook into .+\nfix: /);
});

test('--help shows the flags and an example; unknown flags are usage errors', async (t) => {
  const s = sandbox(t);
  let r = await s.run(['hook-install', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.stdout, /--hooks-dir DIR/);
  assert.match(r.stdout, /--force/);
  assert.match(r.stdout, /Examples:\n {2}clawsec-traffic-guardian hook-install\n/);
  r = await s.run(['hook-install', '--forse']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /did you mean --force/);
});
