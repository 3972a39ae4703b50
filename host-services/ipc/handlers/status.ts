// clawsec_traffic_status: the contract's status object without host paths. Read-only: a
// container asking must not make the host clean up run files, so stale state is only reported.
// A non-main group's `last_findings` holds only its own agent's findings.
import { buildStatus, statusWithoutHostPaths } from '../../lifecycle/status.ts';
import { agentScope, defineHandler } from './types.ts';

export const statusHandler = defineHandler({
  type: 'clawsec_traffic_status',
  async handle(_args, caller, ctx) {
    const status = statusWithoutHostPaths(await buildStatus(ctx.layout, ctx.config, { cleanStale: false }));
    const scope = agentScope(caller);
    const visible = scope === null ? status : { ...status, last_findings: status.last_findings.filter((f) => f.agent === scope) };
    const scrubbed = ctx.scrub.roots(visible);
    // fault messages are the guardian's own text and may name files anywhere on the host
    if (scrubbed.faults) scrubbed.faults = scrubFreeText(scrubbed.faults, ctx.scrub.text);
    return scrubbed;
  },
});

function scrubFreeText(v: Record<string, unknown>, text: (s: string) => string): Record<string, unknown> {
  const walk = (x: unknown): unknown => {
    if (typeof x === 'string') return text(x);
    if (Array.isArray(x)) return x.map(walk);
    if (x && typeof x === 'object') return Object.fromEntries(Object.entries(x).map(([k, y]) => [k, walk(y)]));
    return x;
  };
  return walk(v) as Record<string, unknown>;
}
