// One IPC task -> one result file. The entry point NanoClaw v1's processTaskIpc can delegate to:
//
//   if (await handleTrafficIpc(data, sourceGroup, isMain, trafficDeps)) return;
//
// It returns false for task types it does not own (anything not starting with `clawsec_`), so
// NanoClaw handles those as before. An owned task always gets a result in
// data/ipc/<group>/clawsec_results/<requestId>.json: data on success, {code, message} for an
// unknown type, invalid arguments or a host error. A task whose requestId is missing or invalid
// cannot be answered (there is no safe name for the result): handleTrafficIpc throws
// IPC_INVALID_TASK, and NanoClaw's loop (like ours) moves the file to data/ipc/errors/.
//
// Identity comes only from `sourceGroup` / `isMain`, which NanoClaw derives from the folder the
// file was found in; fields in the payload (groupFolder, isMain, ...) are ignored.
import { GuardianError } from '../../lib/errors.ts';
import {
  TASK_ENVELOPE_KEYS,
  TRAFFIC_TASK_TYPES,
  TrafficTaskSchema,
  isTrafficTaskType,
  isValidRequestId,
  type TrafficResult,
} from '../../mcp-tools/schemas.ts';
import type { TrafficHostContext } from './context.ts';
import { answerRequest, describeIssues } from './dispatch.ts';
import { isValidGroupFolder, writeResult } from './results.ts';

/** Task types starting with this are ours; everything else is left to NanoClaw. */
export const OWNED_TYPE_PREFIX = 'clawsec_';

export interface TrafficIpcDeps {
  /** NanoClaw's IPC folder on the host: <nanoclaw root>/data/ipc */
  ipcBaseDir: string;
  context: TrafficHostContext;
  /** one line per rejected task; never holds task content */
  log?: (line: string) => void;
}

export interface TaskOutcome {
  requestId: string;
  /** the type when it is one of ours, else null */
  type: string | null;
  success: boolean;
  /** error code of a failure result */
  code?: string;
}

export function isOwnedTask(task: unknown): boolean {
  return isPlainObject(task) && typeof task.type === 'string' && task.type.startsWith(OWNED_TYPE_PREFIX);
}

export async function handleTrafficIpc(task: unknown, sourceGroup: string, isMain: boolean, deps: TrafficIpcDeps): Promise<boolean> {
  if (!isOwnedTask(task)) return false;
  await answerTask(task, sourceGroup, isMain, deps);
  return true;
}

/**
 * Answers any task found in a traffic task folder, whatever its type (a type that is not ours
 * gets IPC_UNKNOWN_TYPE). Throws GuardianError when no result can be written.
 */
export async function answerTask(task: unknown, sourceGroup: string, isMain: boolean, deps: TrafficIpcDeps): Promise<TaskOutcome> {
  if (!isValidGroupFolder(sourceGroup)) {
    throw new GuardianError('IPC_INVALID_TASK', 'the task came from a folder that is not a valid NanoClaw group name');
  }
  if (!isPlainObject(task)) throw new GuardianError('IPC_INVALID_TASK', 'the task is not a JSON object');
  const requestId = task.requestId;
  if (!isValidRequestId(requestId)) {
    throw new GuardianError('IPC_INVALID_TASK', 'the task has no valid requestId (^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$), so no result can be written');
  }
  const log = deps.log ?? (() => undefined);
  const reply = (result: TrafficResult, type: string | null): TaskOutcome => {
    writeResult(deps.ipcBaseDir, sourceGroup, result);
    if (!result.success) log(`ipc: group ${sourceGroup} request ${requestId}: ${result.error.code}`);
    return { requestId, type, success: result.success, ...(result.success ? {} : { code: result.error.code }) };
  };
  const fail = (code: string, message: string, type: string | null) => reply({ success: false, requestId, error: { code, message } }, type);

  if (!isTrafficTaskType(task.type)) {
    const shown = typeof task.type === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(task.type) ? `"${task.type}"` : 'this type';
    return fail('IPC_UNKNOWN_TYPE', `unknown task type ${shown}: the traffic guardian answers ${TRAFFIC_TASK_TYPES.join(', ')}`, null);
  }
  const type = task.type;
  const parsed = TrafficTaskSchema.safeParse(task);
  if (!parsed.success) return fail('IPC_INVALID_TASK', describeIssues(parsed.error.issues), type);

  const args: Record<string, unknown> = { ...parsed.data };
  for (const k of TASK_ENVELOPE_KEYS) delete args[k];
  const answer = await answerRequest(type, args, { group: sourceGroup, isMain }, deps.context);
  if (!answer.ok) return fail(answer.error.code, answer.error.message, type);
  return reply({ success: true, requestId, data: answer.data }, type);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
