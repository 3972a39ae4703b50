// Working inside a folder a container can rename and replace.
//
// A group's clawsec_tasks/ and clawsec_results/ live in the group's IPC folder, which is mounted
// writable into its container. Checking "is it a real directory?" and then using its path is a
// race: the container can swap the folder for a symlink to any host folder in between, and the
// host would then read, move, overwrite or delete files there. So every operation on entries of
// such a folder goes through a handle on the folder's inode, taken and verified once:
//
//   Linux   the folder is opened (O_DIRECTORY | O_NOFOLLOW) and entries are named through
//           /proc/self/fd/<fd>/<name>, which resolves to that inode whatever is renamed later;
//   others  the process briefly changes its working directory into the folder and uses
//           relative names (synchronous code only, restored before returning).
//
// Either way the handle is verified after it is taken: its real path must be the folder's
// expected real path. A folder that was a symlink, or moved meanwhile, is refused ('moved').
import { closeSync, constants as fsc, existsSync, lstatSync, openSync, realpathSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export type DirRefusal = 'missing' | 'moved';

const PROC_FD = process.platform === 'linux' && existsSync('/proc/self/fd');

/**
 * Runs `fn` (synchronous) with `at(name)`, a path for entry `name` of `dir` that stays inside
 * the verified folder. Returns 'missing' when the folder does not exist, 'moved' when it is not
 * a real directory at its expected real path. `strategy` is for tests (default: fd on Linux).
 */
export function inRealDir<T>(dir: string, fn: (at: (name: string) => string) => T, strategy: 'fd' | 'cwd' = PROC_FD ? 'fd' : 'cwd'): T | DirRefusal {
  let expected: string;
  try {
    expected = join(realpathSync.native(dirname(dir)), basename(dir));
  } catch {
    return 'missing';
  }
  let st;
  try {
    st = lstatSync(dir);
  } catch {
    return 'missing';
  }
  if (st.isSymbolicLink() || !st.isDirectory()) return 'moved';
  return strategy === 'fd' && PROC_FD ? viaFd(dir, expected, fn) : viaCwd(dir, expected, fn);
}

function viaFd<T>(dir: string, expected: string, fn: (at: (name: string) => string) => T): T | DirRefusal {
  let fd: number;
  try {
    fd = openSync(dir, fsc.O_RDONLY | (fsc.O_DIRECTORY ?? 0) | fsc.O_NOFOLLOW);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'moved';
  }
  try {
    const handle = `/proc/self/fd/${fd}`;
    if (realpathSync.native(handle) !== expected) return 'moved';
    return syncOnly(fn((name) => (name === '.' ? handle : `${handle}/${name}`)));
  } finally {
    closeSync(fd);
  }
}

function viaCwd<T>(dir: string, expected: string, fn: (at: (name: string) => string) => T): T | DirRefusal {
  const previous = process.cwd();
  try {
    process.chdir(dir);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : 'moved';
  }
  try {
    if (realpathSync.native('.') !== expected) return 'moved';
    return syncOnly(fn((name) => name));
  } finally {
    process.chdir(previous);
  }
}

function syncOnly<T>(v: T): T {
  if (v instanceof Promise) throw new Error('inRealDir: the callback must be synchronous');
  return v;
}
