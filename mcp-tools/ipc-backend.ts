// The container side of NanoClaw IPC: a tool call becomes a task file in the group's IPC folder
// and the answer is the result file the host writes back.
//
//   task:   <tasksDir>/<requestId>.json      written as <requestId>.json.tmp, then renamed, so the
//                                            host (which reads only *.json) never sees half a file
//   result: <resultsDir>/<requestId>.json    written by the host the same way; read, then removed
//
// Defaults match NanoClaw v1's mount of data/ipc/<group>/ at /workspace/ipc/ and the guardian's
// own watcher (`start --nanoclaw-root`). When NanoClaw's processTaskIpc delegates to
// handleTrafficIpc instead, point tasksDir at /workspace/ipc/tasks.
//
// No answer within the timeout (default 10 s, polled every 250 ms) is an IPC_TIMEOUT failure and
// the task file is withdrawn if the host has not taken it yet.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ToolFailure, type TrafficBackend } from './backend.ts';
import { RESULTS_SUBDIR, TASKS_SUBDIR, TrafficResultSchema, type TrafficToolName } from './schemas.ts';

export const CONTAINER_IPC_DIR = '/workspace/ipc';
export const IPC_TIMEOUT_MS_DEFAULT = 10_000;
export const IPC_POLL_MS_DEFAULT = 250;

export interface IpcBackendOptions {
  /** the group's IPC folder as the container sees it (default /workspace/ipc) */
  ipcDir?: string;
  /** where task files go (default <ipcDir>/clawsec_tasks) */
  tasksDir?: string;
  /** where the host answers (default <ipcDir>/clawsec_results) */
  resultsDir?: string;
  timeoutMs?: number;
  pollMs?: number;
  /** for tests; default: time + random, always matching the contract's requestId pattern */
  newRequestId?: () => string;
}

export function newRequestId(): string {
  return `${Date.now().toString(36)}-${randomBytes(8).toString('hex')}`;
}

export function createIpcBackend(opts: IpcBackendOptions = {}): TrafficBackend {
  const ipcDir = opts.ipcDir ?? CONTAINER_IPC_DIR;
  const tasksDir = opts.tasksDir ?? join(ipcDir, TASKS_SUBDIR);
  const resultsDir = opts.resultsDir ?? join(ipcDir, RESULTS_SUBDIR);
  const timeoutMs = opts.timeoutMs ?? IPC_TIMEOUT_MS_DEFAULT;
  const pollMs = opts.pollMs ?? IPC_POLL_MS_DEFAULT;
  const makeId = opts.newRequestId ?? newRequestId;

  return {
    kind: 'ipc',
    async call(tool: TrafficToolName, args: object, callOpts: { signal?: AbortSignal } = {}) {
      const requestId = makeId();
      const taskPath = join(tasksDir, `${requestId}.json`);
      const resultPath = join(resultsDir, `${requestId}.json`);
      await writeTask(tasksDir, taskPath, { type: tool, requestId, ...args, timestamp: new Date().toISOString() });

      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = await readIfPresent(resultPath);
        if (text !== undefined) {
          await unlink(resultPath).catch(() => undefined);
          return parseResult(text, requestId) as never;
        }
        if (callOpts.signal?.aborted) {
          await unlink(taskPath).catch(() => undefined);
          throw new ToolFailure('IPC_TIMEOUT', 'the request was cancelled before the host answered');
        }
        const left = deadline - Date.now();
        if (left <= 0) {
          // withdraw the task if the host never took it, so a late host does not answer nobody
          await unlink(taskPath).catch(() => undefined);
          throw new ToolFailure(
            'IPC_TIMEOUT',
            `no answer from the host within ${Math.round(timeoutMs / 100) / 10} s: is the traffic guardian running on the host with --nanoclaw-root (or wired into NanoClaw's IPC)?`,
          );
        }
        await sleep(Math.min(pollMs, left), callOpts.signal);
      }
    },
  };
}

async function writeTask(dir: string, path: string, task: object): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    const tmp = `${path}.tmp`;
    await writeFile(tmp, JSON.stringify(task), { flag: 'wx' });
    await rename(tmp, path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new ToolFailure('INTERNAL', `could not write the task file (${code}): is the IPC folder mounted writable?`);
  }
}

async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new ToolFailure('INTERNAL', `could not read the host's answer (${code ?? 'error'})`);
  }
}

function parseResult(text: string, requestId: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ToolFailure('INTERNAL', 'the host answered with a result file that is not JSON');
  }
  const parsed = TrafficResultSchema.safeParse(value);
  if (!parsed.success || parsed.data.requestId !== requestId) {
    throw new ToolFailure('INTERNAL', 'the host answered with a result file that does not match the IPC contract');
  }
  if (!parsed.data.success) throw new ToolFailure(parsed.data.error.code, parsed.data.error.message);
  return parsed.data.data;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
  });
}
