// The task registry: adding a task type is one handler file and one line here (plus its schemas
// in mcp-tools/schemas.ts and its tool in mcp-tools/).
import type { TrafficToolName } from '../../../mcp-tools/schemas.ts';
import { checkConfigHandler } from './check-config.ts';
import { findingsHandler } from './findings.ts';
import { statusHandler } from './status.ts';
import type { TaskHandler } from './types.ts';

export const TASK_HANDLERS: { [N in TrafficToolName]: TaskHandler<N> } = {
  clawsec_traffic_status: statusHandler,
  clawsec_traffic_findings: findingsHandler,
  clawsec_traffic_check_config: checkConfigHandler,
};

export type { Caller, TaskHandler } from './types.ts';
