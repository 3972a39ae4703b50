// clawsec_traffic_status: is the monitor running, where agents point their proxy, what it found.
import { defineTrafficTool } from './tool.ts';
import { StatusArgsSchema, StatusOutputSchema } from './schemas.ts';

export const statusTool = defineTrafficTool({
  name: 'clawsec_traffic_status',
  title: 'Traffic monitor status',
  description:
    'State of the clawsec traffic guardian (a host-side HTTP/HTTPS monitor that detects secret exfiltration and command-injection payloads and logs redacted findings): whether it runs, its proxy URL, HTTPS inspection, CA fingerprint and finding counts. No host paths, no raw traffic.',
  inputSchema: StatusArgsSchema,
  outputSchema: StatusOutputSchema,
  summarize(s) {
    const state = s.running ? `running${s.proxy_url ? ` at ${s.proxy_url}` : ''}` : 'not running';
    const byType = s.findings_by_type
      ? ` (${Object.entries(s.findings_by_type)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')})`
      : '';
    const inspection = s.https_inspection === undefined ? '' : `; HTTPS inspection ${s.https_inspection ? 'on' : 'off'}`;
    const total = s.findings_total === undefined ? '' : `; ${s.findings_total} finding${s.findings_total === 1 ? '' : 's'}${byType}`;
    return `Traffic guardian ${state}${inspection}${total}.`;
  },
});
