// clawsec_traffic_check_config: is the guardian's configuration valid, and what is wrong if not.
import { defineTrafficTool } from './tool.ts';
import { CheckConfigArgsSchema, CheckConfigOutputSchema } from './schemas.ts';

export const checkConfigTool = defineTrafficTool({
  name: 'clawsec_traffic_check_config',
  title: 'Check traffic guardian configuration',
  description:
    "Validates the clawsec traffic guardian's configuration (flags, environment, config file) the way `clawsec-traffic-guardian check-config` does, without starting anything: every problem with its field path. Host paths are replaced by placeholders.",
  inputSchema: CheckConfigArgsSchema,
  outputSchema: CheckConfigOutputSchema,
  summarize(out) {
    const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
    const head = out.valid
      ? `Configuration is valid${out.warnings.length ? ` (${plural(out.warnings.length, 'warning')})` : ''}.`
      : `Configuration is invalid (${plural(out.errors.length, 'error')}${out.warnings.length ? `, ${plural(out.warnings.length, 'warning')}` : ''}).`;
    const lines = [...out.errors.map((p) => `- error ${p.path}: ${p.message}`), ...out.warnings.map((p) => `- warning ${p.path}: ${p.message}`)];
    return [head, ...lines.slice(0, 20)].join('\n');
  },
});
