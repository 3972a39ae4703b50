// One handler per task type. A handler answers with the tool's structured output (scrubbed of
// host paths) or throws a GuardianError; it never writes files and never sees the raw task.
import type { TrafficToolIO, TrafficToolName } from '../../../mcp-tools/schemas.ts';
import type { TrafficHostContext } from '../context.ts';

/**
 * Who asks. NanoClaw groups are identified by their IPC folder (never by the payload);
 * `group: null` is the host user through `clawsec-traffic-guardian mcp`.
 */
export interface Caller {
  group: string | null;
  /** sees every finding; other groups see only findings whose `agent` is their group name */
  isMain: boolean;
}

export interface TaskHandler<N extends TrafficToolName = TrafficToolName> {
  type: N;
  handle(args: TrafficToolIO[N]['args'], caller: Caller, ctx: TrafficHostContext): Promise<TrafficToolIO[N]['output']>;
}

export function defineHandler<N extends TrafficToolName>(h: TaskHandler<N>): TaskHandler<N> {
  return h;
}

/** The agent a caller is restricted to: null for main and the host user. */
export function agentScope(caller: Caller): string | null {
  return caller.isMain ? null : caller.group;
}
