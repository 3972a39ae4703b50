// clawsec_traffic_check_config: every configuration problem with its field path, as
// `check-config` reports them; paths in the messages become placeholders.
import { defineHandler } from './types.ts';

export const checkConfigHandler = defineHandler({
  type: 'clawsec_traffic_check_config',
  async handle(_args, _caller, ctx) {
    const { errors, warnings } = ctx.checkConfig();
    const clean = (p: { path: string; message: string }) => ({ path: ctx.scrub.text(p.path), message: ctx.scrub.text(p.message) });
    return { valid: errors.length === 0, errors: errors.map(clean), warnings: warnings.map(clean) };
  },
});
