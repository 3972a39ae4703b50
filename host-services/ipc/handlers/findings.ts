// clawsec_traffic_findings: the newest redacted findings, oldest first. Main (and the host user)
// may filter by any agent; any other group is held to its own agent name whatever it asks for.
import { readFindings } from '../../../lib/log/jsonl-reader.ts';
import { FINDINGS_LIMIT_DEFAULT } from '../../../mcp-tools/schemas.ts';
import { agentScope, defineHandler } from './types.ts';

export const findingsHandler = defineHandler({
  type: 'clawsec_traffic_findings',
  async handle(args, caller, ctx) {
    const scope = agentScope(caller);
    const agent = scope ?? args.agent;
    const read = await readFindings(ctx.layout.findingsLog, {
      limit: args.limit ?? FINDINGS_LIMIT_DEFAULT,
      ...(args.since !== undefined ? { since: args.since } : {}),
      ...(args.threat_type !== undefined ? { threatType: args.threat_type } : {}),
      ...(args.min_severity !== undefined ? { minSeverity: args.min_severity } : {}),
      ...(agent !== undefined ? { agent } : {}),
    });
    return {
      findings: ctx.scrub.roots(read.findings),
      total: read.total,
      truncated: read.truncated,
      agent_scope: agent ?? null,
    };
  },
});
