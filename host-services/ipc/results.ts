// Writing a result where the container will look for it, and nowhere else.
//
//   <ipcBase>/<group>/clawsec_results/<requestId>.json
//
// The group's IPC folder is writable from inside its container, so everything below the group
// folder is hostile ground: the results folder may have been replaced by a symlink (to make the
// host write into ~/.ssh), a result name may already exist as a symlink or a directory. Hence:
//   - group and requestId must match their patterns (no `..`, no separators);
//   - the result path is resolved and proven to sit directly inside the results folder;
//   - the results folder must be a real directory (lstat), and its realpath must be the group
//     folder's realpath + /clawsec_results (a symlinked results folder is refused, not followed);
//   - the data goes to a fresh temp file opened O_CREAT|O_EXCL|O_NOFOLLOW in that folder and is
//     renamed over the final name (rename replaces a planted symlink, never follows it), both
//     through a verified handle on the folder (safe-dir.ts), so swapping the folder for a
//     symlink after the checks cannot redirect them.
import { randomBytes } from 'node:crypto';
import { closeSync, constants as fsc, lstatSync, mkdirSync, openSync, readdirSync, realpathSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { GuardianError } from '../../lib/errors.ts';
import { inRealDir } from './safe-dir.ts';
import { GROUP_FOLDER_PATTERN, RESULTS_SUBDIR, TASKS_SUBDIR, isValidRequestId, type TrafficResult } from '../../mcp-tools/schemas.ts';

/** Folders under data/ipc that are not groups. */
const NOT_GROUPS = new Set(['errors']);

export function isValidGroupFolder(group: unknown): group is string {
  return typeof group === 'string' && GROUP_FOLDER_PATTERN.test(group) && !NOT_GROUPS.has(group);
}

function forbidden(message: string): GuardianError {
  return new GuardianError('IPC_FORBIDDEN', message, { fix: 'remove whatever replaced the folder; the guardian recreates it' });
}

/** `<ipcBase>/<group>`, proven to be a direct child of ipcBase. */
export function groupDirFor(ipcBaseDir: string, group: string): string {
  if (!isValidGroupFolder(group)) throw new GuardianError('IPC_INVALID_TASK', 'the group folder name is not a valid NanoClaw group name');
  const base = resolve(ipcBaseDir);
  const dir = resolve(base, group);
  if (dirname(dir) !== base) throw forbidden('the group folder resolves outside the IPC folder');
  return dir;
}

/** The result file's path, proven to sit directly inside the group's results folder. */
export function resultPathFor(ipcBaseDir: string, group: string, requestId: string): string {
  if (!isValidRequestId(requestId)) throw new GuardianError('IPC_INVALID_TASK', 'requestId does not match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$');
  const resultsDir = join(groupDirFor(ipcBaseDir, group), RESULTS_SUBDIR);
  const target = resolve(resultsDir, `${requestId}.json`);
  if (!target.startsWith(resultsDir + sep) || dirname(target) !== resultsDir) throw forbidden('the result path resolves outside the results folder');
  return target;
}

/**
 * The group's results folder, created if missing, refused if it is anything but a real
 * directory at its own real path.
 */
export function ensureResultsDir(ipcBaseDir: string, group: string): string {
  const groupDir = groupDirFor(ipcBaseDir, group);
  const gst = lstatOrNull(groupDir);
  if (!gst) throw new GuardianError('IPC_INVALID_TASK', 'the group has no IPC folder');
  if (gst.isSymbolicLink() || !gst.isDirectory()) throw forbidden('the group IPC folder is not a real directory');
  const resultsDir = join(groupDir, RESULTS_SUBDIR);
  let st = lstatOrNull(resultsDir);
  if (!st) {
    try {
      mkdirSync(resultsDir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError('create the results folder', err);
    }
    st = lstatOrNull(resultsDir);
  }
  if (!st || st.isSymbolicLink() || !st.isDirectory()) throw forbidden('the results folder is a symlink or not a directory');
  if (realpathSync(resultsDir) !== join(realpathSync(groupDir), RESULTS_SUBDIR)) throw forbidden('the results folder resolves elsewhere');
  return resultsDir;
}

/** Writes `result` atomically (temp + rename) as <group>/clawsec_results/<requestId>.json. */
export function writeResult(ipcBaseDir: string, group: string, result: TrafficResult): string {
  const target = resultPathFor(ipcBaseDir, group, result.requestId);
  const resultsDir = ensureResultsDir(ipcBaseDir, group);
  if (dirname(target) !== resultsDir) throw forbidden('the result path resolves outside the results folder');
  const name = basename(target);
  const tmpName = `.${result.requestId}.${randomBytes(6).toString('hex')}.tmp`;
  const body = Buffer.from(JSON.stringify(result));
  // every step names entries through a verified handle on the folder (safe-dir.ts): a results
  // folder swapped for a symlink after the checks above still cannot redirect the write
  const done = inRealDir(resultsDir, (at) => {
    let fd: number;
    try {
      // 0644: the container may run under another uid than the host (NanoClaw runs it as uid 1000 when the host user is root)
      fd = openSync(at(tmpName), fsc.O_WRONLY | fsc.O_CREAT | fsc.O_EXCL | fsc.O_NOFOLLOW, 0o644);
    } catch (err) {
      throw ioError('create a result file', err);
    }
    try {
      let off = 0;
      while (off < body.length) off += writeSync(fd, body, off);
    } catch (err) {
      closeSync(fd);
      unlinkQuiet(at(tmpName));
      throw ioError('write a result file', err);
    }
    closeSync(fd);
    try {
      renameSync(at(tmpName), at(name));
    } catch (err) {
      unlinkQuiet(at(tmpName));
      throw ioError('publish a result file', err);
    }
    return true;
  });
  if (done !== true) throw forbidden('the results folder was replaced while the result was written');
  return target;
}

/**
 * Removes results nobody collected (the container died or timed out) and temp files left by a
 * writer that died, once older than maxAgeMs. Only names we write are touched, never followed.
 */
export function collectStale(ipcBaseDir: string, group: string, maxAgeMs: number, now: number = Date.now()): number {
  let removed = 0;
  const groupDir = groupDirFor(ipcBaseDir, group);
  for (const [sub, matches] of [
    [RESULTS_SUBDIR, (n: string) => n.endsWith('.json') || n.endsWith('.tmp')],
    [TASKS_SUBDIR, (n: string) => n.endsWith('.tmp')],
  ] as const) {
    // listed and removed through one verified handle: a folder swapped for a symlink to a host
    // folder must not turn this into "delete old *.json files there"
    inRealDir(join(groupDir, sub), (at) => {
      let names: string[];
      try {
        names = readdirSync(at('.'));
      } catch {
        return;
      }
      for (const name of names) {
        if (!matches(name)) continue;
        const fst = lstatOrNull(at(name));
        if (!fst || fst.isDirectory()) continue;
        if (now - fst.mtimeMs < maxAgeMs) continue;
        if (unlinkQuiet(at(name))) removed += 1;
      }
    });
  }
  return removed;
}

function lstatOrNull(p: string) {
  try {
    return lstatSync(p);
  } catch {
    return null;
  }
}

function unlinkQuiet(p: string): boolean {
  try {
    unlinkSync(p);
    return true;
  } catch {
    return false;
  }
}

function ioError(what: string, err: unknown): GuardianError {
  const code = (err as NodeJS.ErrnoException).code ?? 'error';
  return new GuardianError('INTERNAL', `could not ${what} (${code})`, { cause: err });
}
