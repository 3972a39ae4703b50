// inRealDir: entries of a container-writable folder are named through a handle on the folder's
// inode, so swapping the folder for a symlink (before or during the work) redirects nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inRealDir } from '../../../host-services/ipc/safe-dir.ts';

const strategies = process.platform === 'linux' ? (['fd', 'cwd'] as const) : (['cwd'] as const);

for (const strategy of strategies) {
  test(`inRealDir (${strategy}): real folder, missing folder, symlinked folder`, () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ctg-safedir-')));
    const cwd = process.cwd();
    try {
      const dir = join(root, 'results');
      mkdirSync(dir);
      assert.equal(inRealDir(dir, (at) => (writeFileSync(at('a.json'), '{}'), readdirSync(at('.'))), strategy).toString(), 'a.json');
      assert.equal(inRealDir(join(root, 'nope'), () => 1, strategy), 'missing');
      const outside = join(root, 'outside');
      mkdirSync(outside);
      symlinkSync(outside, join(root, 'linked'));
      let ran = false;
      assert.equal(inRealDir(join(root, 'linked'), () => (ran = true), strategy), 'moved');
      assert.equal(ran, false);
      writeFileSync(join(root, 'file'), '');
      assert.equal(inRealDir(join(root, 'file'), () => 1, strategy), 'moved');
      assert.throws(() => inRealDir(dir, async () => 1, strategy), /synchronous/);
      assert.equal(process.cwd(), cwd, 'the working directory is restored');
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test(`inRealDir (${strategy}): a folder swapped for a symlink mid-work still receives the writes`, () => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'ctg-safedir-')));
    try {
      const dir = join(root, 'clawsec_results');
      const outside = join(root, 'host-only');
      mkdirSync(dir);
      mkdirSync(outside);
      inRealDir(
        dir,
        (at) => {
          // the container's move: rename the real folder away and plant a symlink in its place
          renameSync(dir, join(root, 'renamed'));
          symlinkSync(outside, dir);
          writeFileSync(at('r.json'), '{}');
          renameSync(at('r.json'), at('final.json'));
        },
        strategy,
      );
      assert.deepEqual(readdirSync(outside), [], 'nothing reached the symlink target');
      assert.deepEqual(readdirSync(join(root, 'renamed')), ['final.json']);
      // and the next call refuses the symlink
      assert.equal(inRealDir(dir, () => 1, strategy), 'moved');
      assert.equal(existsSync(join(outside, 'final.json')), false);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
}
