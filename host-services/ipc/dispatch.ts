// Runs one traffic request on the host: arguments validated with the tool's schema, the
// handler for its type, every failure turned into {code, message} with host paths removed.
// Shared by the NanoClaw IPC path (handle.ts) and the host `mcp` command (local-backend.ts).
import { isGuardianError } from '../../lib/errors.ts';
import { ARGS_SCHEMAS, type TrafficToolName } from '../../mcp-tools/schemas.ts';
import type { TrafficHostContext } from './context.ts';
import { TASK_HANDLERS, type Caller } from './handlers/index.ts';

export type Answer = { ok: true; data: unknown } | { ok: false; error: { code: string; message: string } };

export async function answerRequest(type: TrafficToolName, rawArgs: unknown, caller: Caller, ctx: TrafficHostContext): Promise<Answer> {
  const parsed = ARGS_SCHEMAS[type].safeParse(rawArgs ?? {});
  if (!parsed.success) return { ok: false, error: { code: 'IPC_INVALID_TASK', message: describeIssues(parsed.error.issues) } };
  const handler = TASK_HANDLERS[type] as { handle(args: unknown, caller: Caller, ctx: TrafficHostContext): Promise<unknown> };
  try {
    return { ok: true, data: await handler.handle(parsed.data, caller, ctx) };
  } catch (err) {
    if (isGuardianError(err)) return { ok: false, error: { code: err.code, message: ctx.scrub.text(err.message) } };
    // an unexpected error's text may carry anything: it is not passed on
    return { ok: false, error: { code: 'INTERNAL', message: `the host failed while answering ${type}` } };
  }
}

/**
 * `limit: Too big: expected number to be <=200; threat_type: Invalid option: ...`. zod's
 * messages describe the expectation, not the value received, so nothing sent is echoed back;
 * unknown keys are listed by name (bounded).
 */
export function describeIssues(issues: ReadonlyArray<{ path: PropertyKey[]; message: string; code?: string; keys?: string[] }>): string {
  const parts = issues.slice(0, 10).map((i) => {
    if (i.code === 'unrecognized_keys' && i.keys) {
      const keys = i.keys.slice(0, 5).map((k) => safeName(k));
      return `unknown argument${keys.length === 1 ? '' : 's'} ${keys.join(', ')}`;
    }
    const path = i.path.map((p) => safeName(String(p))).join('.') || 'task';
    return `${path}: ${i.message}`;
  });
  return `invalid arguments: ${parts.join('; ')}`;
}

function safeName(k: string): string {
  return /^[A-Za-z0-9_.-]{1,40}$/.test(k) ? k : '<name>';
}
