// One file from data/ipc/<group>/clawsec_tasks/: read it safely, answer it, remove it.
//
//   not a regular file (symlink, fifo, dir)  -> moved to data/ipc/errors/ unread
//   larger than 64 KiB                       -> IPC_TOO_LARGE result if the requestId can be
//                                               recovered from the first 4 KiB, else errors/
//   not JSON                                 -> moved to errors/ (+ IPC_INVALID_TASK result when
//                                               the requestId is recoverable)
//   JSON                                     -> answerTask(); unanswerable -> errors/
//
// "Recovered safely" means exactly one distinct "requestId": "<valid id>" pair in the text:
// a file that names two ids is not trusted with either.
import { closeSync, constants as fsc, fstatSync, lstatSync, mkdirSync, openSync, readSync, renameSync, existsSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { isGuardianError } from '../../lib/errors.ts';
import { MAX_TASK_BYTES, TASKS_SUBDIR, isValidRequestId } from '../../mcp-tools/schemas.ts';
import { answerTask, type TrafficIpcDeps } from './handle.ts';
import { inRealDir, type DirRefusal } from './safe-dir.ts';
import { writeResult } from './results.ts';

/** Where an oversized file is searched for its requestId. */
const HEAD_BYTES = 4096;
export const ERRORS_SUBDIR = 'errors';

export type FileOutcome =
  | { kind: 'answered'; requestId: string; success: boolean; code?: string }
  | { kind: 'moved-to-errors'; reason: string; answeredRequestId?: string }
  | { kind: 'gone' };

export async function processTaskFile(deps: TrafficIpcDeps, group: string, isMain: boolean, fileName: string): Promise<FileOutcome> {
  const tasksDir = join(deps.ipcBaseDir, group, TASKS_SUBDIR);
  const log = deps.log ?? (() => undefined);
  // the tasks folder is the container's to rename: entries are only ever named through a
  // verified handle on it (safe-dir.ts), never by a path that a symlink could redirect
  const inTasks = <T>(fn: (at: (name: string) => string) => T): T | DirRefusal => inRealDir(tasksDir, fn);
  const toErrors = (reason: string, answeredRequestId?: string): FileOutcome => {
    const moved = inTasks((at) => moveToErrors(deps.ipcBaseDir, group, fileName, at(fileName)));
    if (moved === 'moved' || moved === 'missing') log(`ipc: group ${group}: ${TASKS_SUBDIR} is not a real directory; task left in place`);
    else log(`ipc: group ${group}: task file moved to ${ERRORS_SUBDIR}/ (${reason})`);
    return { kind: 'moved-to-errors', reason, ...(answeredRequestId ? { answeredRequestId } : {}) };
  };
  const errorResult = (requestId: string, code: string, message: string): boolean => {
    try {
      writeResult(deps.ipcBaseDir, group, { success: false, requestId, error: { code, message } });
      return true;
    } catch {
      return false;
    }
  };

  const read = inTasks((at) => {
    let st;
    try {
      st = lstatSync(at(fileName));
    } catch {
      return 'gone' as const;
    }
    if (!st.isFile()) return 'not-a-file' as const;
    return readBounded(at(fileName));
  });
  if (read === 'missing' || read === 'gone') return { kind: 'gone' };
  if (read === 'moved') {
    log(`ipc: group ${group}: ${TASKS_SUBDIR} is not a real directory; skipped`);
    return { kind: 'gone' };
  }
  if (read === 'not-a-file') return toErrors('not a regular file');
  if (read === 'unreadable') return toErrors('unreadable');
  if (read.tooLarge) {
    const id = recoverRequestId(read.text.slice(0, HEAD_BYTES));
    const message = `the task file is larger than ${MAX_TASK_BYTES / 1024} KiB; traffic tasks are a few hundred bytes`;
    if (id && errorResult(id, 'IPC_TOO_LARGE', message)) {
      inTasks((at) => unlinkQuiet(at(fileName)));
      log(`ipc: group ${group} request ${id}: IPC_TOO_LARGE`);
      return { kind: 'answered', requestId: id, success: false, code: 'IPC_TOO_LARGE' };
    }
    return toErrors('too large, no recoverable requestId');
  }

  let value: unknown;
  try {
    value = JSON.parse(read.text);
  } catch {
    const id = recoverRequestId(read.text);
    const answered = id !== undefined && errorResult(id, 'IPC_INVALID_TASK', 'the task file is not valid JSON');
    return toErrors('not valid JSON', answered ? id : undefined);
  }

  try {
    const outcome = await answerTask(value, group, isMain, deps);
    inTasks((at) => unlinkQuiet(at(fileName)));
    return { kind: 'answered', requestId: outcome.requestId, success: outcome.success, ...(outcome.code ? { code: outcome.code } : {}) };
  } catch (err) {
    return toErrors(isGuardianError(err) ? `${err.code}: ${err.message}` : 'unexpected failure');
  }
}

/** Up to MAX_TASK_BYTES + 1 bytes, never following a symlink swapped in after the lstat. */
function readBounded(path: string): { text: string; tooLarge: boolean } | 'gone' | 'unreadable' {
  let fd: number;
  try {
    fd = openSync(path, fsc.O_RDONLY | fsc.O_NOFOLLOW | (fsc.O_NONBLOCK ?? 0));
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'gone' : 'unreadable';
  }
  try {
    if (!fstatSync(fd).isFile()) return 'unreadable';
    const buf = Buffer.alloc(MAX_TASK_BYTES + 1);
    let len = 0;
    while (len < buf.length) {
      const n = readSync(fd, buf, len, buf.length - len, null);
      if (n === 0) break;
      len += n;
    }
    const tooLarge = len > MAX_TASK_BYTES;
    return { text: buf.subarray(0, tooLarge ? HEAD_BYTES : len).toString('utf8'), tooLarge };
  } catch {
    return 'unreadable';
  } finally {
    closeSync(fd);
  }
}

/** The requestId when the text names exactly one valid one. */
export function recoverRequestId(text: string): string | undefined {
  const ids = new Set<string>();
  for (const m of text.matchAll(/"requestId"\s*:\s*"([^"\\]{1,128})"/g)) {
    ids.add(m[1] as string);
    if (ids.size > 1) return undefined;
  }
  const [id] = ids;
  return id !== undefined && isValidRequestId(id) ? id : undefined;
}

/**
 * NanoClaw's convention: data/ipc/errors/<group>-<file>; ours carries `clawsec-` so it is
 * recognisable. `path` names the task through a verified folder handle; data/ipc/errors/ is the
 * host's own (no container mounts data/ipc writable).
 */
function moveToErrors(ipcBaseDir: string, group: string, fileName: string, path: string): void {
  const dir = join(ipcBaseDir, ERRORS_SUBDIR);
  try {
    mkdirSync(dir, { recursive: true });
    let dest = join(dir, `${group}-clawsec-${fileName}`);
    if (existsSync(dest)) dest = join(dir, `${group}-clawsec-${Date.now()}-${fileName}`);
    renameSync(path, dest);
  } catch {
    // cannot move it (errors/ unusable): drop it, or the watcher would retry it forever
    unlinkQuiet(path);
  }
}

function unlinkQuiet(p: string): void {
  try {
    unlinkSync(p);
  } catch {
    // already gone
  }
}
