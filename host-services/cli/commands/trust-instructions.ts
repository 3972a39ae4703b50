// `trust-instructions`: how to add the guardian CA to a system trust store, printed for a human.
// The steps are shown only with --confirm, and never run: this command (like everything it
// imports from setup/trust-steps.ts) has no means to spawn a process or change a trust store.
//
// Without --confirm it exits 0 after saying what it would show and that --confirm is needed:
// the call is valid and nothing was attempted, so it is neither a failure (1) nor a usage error
// (2). Scripts can tell the two apart with --json (`confirmed: false`).
import { readFileSync } from 'node:fs';
import { GuardianError } from '../../../lib/errors.ts';
import { wrap } from '../../setup/render.ts';
import { caIdentity, TRUST_OSES, trustNotes, trustSections, trustWarnings, type TrustOs } from '../../setup/trust-steps.ts';
import { BIN, defineCommand } from '../args.ts';
import { loadConfigForCommand } from '../config-flags.ts';

export const TRUST_SCHEMA_VERSION = 'clawsec-traffic-trust-instructions/v1' as const;

export const trustInstructionsCommand = defineCommand({
  name: 'trust-instructions',
  summary: 'print system trust-store steps for the guardian CA (only with --confirm; never runs them)',
  usage: '[--confirm] [--os debian|rhel|macos|windows|all]',
  examples: [`${BIN} trust-instructions`, `${BIN} trust-instructions --confirm --os debian`],
  flags: {
    confirm: { type: 'boolean', description: 'print the steps (without it: what would be shown; exit 0)' },
    os: { type: 'string', choices: [...TRUST_OSES, 'all'], description: 'only the steps for this system (default all)' },
  },
  async run(ctx) {
    const { layout } = loadConfigForCommand({ values: {}, global: ctx.global, io: ctx.io });
    let pem: string;
    try {
      pem = readFileSync(layout.caCert, 'utf8');
    } catch {
      throw new GuardianError('CA_FAILED', `there is no guardian CA at ${layout.caCert} yet`, {
        fix: `start the monitor once with HTTPS inspection (\`${BIN} start --https-inspection\`) to create it, then run this again`,
      });
    }
    let ca;
    try {
      ca = caIdentity(layout.caCert, pem);
    } catch {
      throw new GuardianError('CA_FAILED', `the guardian CA ${layout.caCert} does not parse as a certificate`, {
        fix: `remove ${layout.caDir} and start the monitor with --https-inspection to create a new CA`,
      });
    }
    const oses: TrustOs[] = ctx.values.os && ctx.values.os !== 'all' ? [ctx.values.os as TrustOs] : [...TRUST_OSES];
    const sections = trustSections(ca, oses);
    const warnings = trustWarnings(layout.caKey);
    const confirmed = ctx.values.confirm === true;

    if (ctx.global.json) {
      ctx.printJson({
        schema_version: TRUST_SCHEMA_VERSION,
        confirmed,
        ca_cert_path: ca.path,
        ca_fingerprint_sha256: ca.sha256,
        ca_fingerprint_sha1: ca.sha1,
        systems: oses,
        ...(confirmed ? { steps: sections } : { message: `steps not shown: run again with --confirm` }),
        warnings,
      });
      return 0;
    }

    const out = ctx.print;
    out(`Guardian CA: ${ca.path}`);
    out(`  subject:  ${ca.subject}`);
    out(`  SHA-256:  ${ca.sha256}`);
    out(`  valid to: ${ca.validTo}`);
    out('');
    for (const w of warnings) for (const l of wrap(w)) out(l);
    out('');
    if (!confirmed) {
      for (const l of wrap(`With --confirm this prints the commands that add this CA to the system trust store of: ${sections.map((s) => s.title).join('; ')}.`)) out(l);
      out('Nothing is shown or changed without it. To see them:');
      out(`  ${BIN} trust-instructions --confirm${ctx.values.os ? ` --os ${ctx.values.os}` : ''}`);
      return 0;
    }
    out('Run these yourself, only if you accept the above (the guardian never runs them):');
    for (const s of sections) {
      out('');
      out(`== ${s.title}`);
      out('  check:');
      for (const l of s.verify) out(`    ${l}`);
      out('  trust:');
      for (const l of s.install) out(`    ${l}`);
      out('  undo:');
      for (const l of s.remove) out(`    ${l}`);
    }
    out('');
    for (const n of trustNotes()) for (const l of wrap(n)) out(l);
    return 0;
  },
});
