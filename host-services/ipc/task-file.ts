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
import { writeResult } from './results.ts';

/** Where an oversized file is searched for its requestId. */
const HEAD_BYTES = 4096;
export const ERRORS_SUBDIR = 'errors';

export type FileOutcome =
  | { kind: 'answered'; requestId: string; success: boolean; code?: string }
  | { kind: 'moved-to-errors'; reason: string; answeredRequestId?: string }
  | { kind: 'gone' };

export async function processTaskFile(deps: TrafficIpcDeps, group: string, isMain: boolean, fileName: string): Promise<FileOutcome> {
  const path = join(deps.ipcBaseDir, group, TASKS_SUBDIR, fileName);
  const log = deps.log ?? (() => undefined);
  const toErrors = (reason: string, answeredRequestId?: string): FileOutcome => {
    moveToErrors(deps.ipcBaseDir, group, fileName, path);
    log(`ipc: group ${group}: task file moved to ${ERRORS_SUBDIR}/ (${reason})`);
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

  let st;
  try {
    st = lstatSync(path);
  } catch {
    return { kind: 'gone' };
  }
  if (!st.isFile()) return toErrors('not a regular file');

  const read = readBounded(path);
  if (read === 'gone') return { kind: 'gone' };
  if (read === 'unreadable') return toErrors('unreadable');
  if (read.tooLarge) {
    const id = recoverRequestId(read.text.slice(0, HEAD_BYTES));
    const message = `the task file is larger than ${MAX_TASK_BYTES / 1024} KiB; traffic tasks are a few hundred bytes`;
    if (id && errorResult(id, 'IPC_TOO_LARGE', message)) {
      unlinkQuiet(path);
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
    unlinkQuiet(path);
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

/** NanoClaw's convention: data/ipc/errors/<group>-<file>; ours carries `clawsec-` so it is recognisable. */
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
