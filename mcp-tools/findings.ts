// clawsec_traffic_findings: the newest redacted findings, oldest first.
import { defineTrafficTool } from './tool.ts';
import { FINDINGS_LIMIT_DEFAULT, FindingsArgsSchema, FindingsOutputSchema } from './schemas.ts';

/** findings listed by name in the text summary; the structured output has all of them */
const SUMMARY_LINES = 10;

export const findingsTool = defineTrafficTool({
  name: 'clawsec_traffic_findings',
  title: 'Traffic findings',
  description: `Redacted findings of the clawsec traffic guardian, oldest first: secrets leaving (EXFIL) or command-injection payloads arriving (INJECTION), with pattern, severity, destination and a redacted snippet. Filters: limit (newest N, default ${FINDINGS_LIMIT_DEFAULT}), since (ISO-8601), threat_type, min_severity, agent. Never returns raw traffic or unredacted secrets.`,
  inputSchema: FindingsArgsSchema,
  outputSchema: FindingsOutputSchema,
  summarize(out) {
    const n = out.findings.length;
    if (n === 0) return out.total === 0 ? 'No findings.' : `No findings returned (${out.total} matched).`;
    const head = `${n} finding${n === 1 ? '' : 's'}${out.truncated ? ` (newest ${n} of ${out.total})` : ''}${out.agent_scope ? ` for agent ${out.agent_scope}` : ''}:`;
    const shown = out.findings.slice(-SUMMARY_LINES);
    const lines = shown.map((f) => `- ${f.timestamp} ${f.severity} ${f.threat_type} ${f.pattern} ${f.direction === 'outbound' ? '->' : '<-'} ${f.dest}`);
    if (n > shown.length) lines.unshift(`- ... ${n - shown.length} older in the structured output`);
    return [head, ...lines].join('\n');
  },
});
