// The host backend of the traffic tools (`clawsec-traffic-guardian mcp`): reads the guardian
// home directly. The host user is trusted like NanoClaw's main group: every finding is visible.
import { ToolFailure, type TrafficBackend } from '../../mcp-tools/backend.ts';
import type { TrafficToolName } from '../../mcp-tools/schemas.ts';
import type { TrafficHostContext } from './context.ts';
import { answerRequest } from './dispatch.ts';

export function createLocalBackend(ctx: TrafficHostContext): TrafficBackend {
  return {
    kind: 'local',
    async call(tool: TrafficToolName, args: unknown) {
      const answer = await answerRequest(tool, args, { group: null, isMain: true }, ctx);
      if (!answer.ok) throw new ToolFailure(answer.error.code, answer.error.message);
      return answer.data as never;
    },
  };
}
