// Renders an EnvPlan (plan.ts) as text a user pastes into, or sources from, one shell. Every line
// is either an assignment (shells.ts quotes the value) or a `#` comment, so
// `source <(clawsec-traffic-guardian env --shell bash)` runs nothing but assignments. The one-line
// form and the docker arguments are shown as comments for the same reason: sourcing the output
// must never start the agent or a container.
import { assignment, comment, prefixCommand, quote, unsetLine, type Shell } from './shells.ts';
import type { EnvPlan } from './plan.ts';

export interface RenderInfo {
  /** where the listener came from: the running monitor, or the config (monitor not running) */
  source: 'running' | 'config';
  /** the combined bundle that was written, when inspection is on */
  trustBundle?: { path: string; systemSource: string; systemCertificates: number } | null;
}

/** Wraps a paragraph at `width` on spaces, keeping its leading indentation on every line. */
export function wrap(text: string, width = 100): string[] {
  const indent = /^\s*/.exec(text)?.[0] ?? '';
  const words = text.slice(indent.length).split(/ +/);
  const lines: string[] = [];
  let line = indent;
  for (const w of words) {
    if (line.length > indent.length && line.length + 1 + w.length > width) {
      lines.push(line);
      line = indent + w;
    } else {
      line = line.length > indent.length ? `${line} ${w}` : indent + w;
    }
  }
  lines.push(line);
  return lines;
}

const CONTROL = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/;

function hasControl(vars: ReadonlyArray<readonly [string, string]>): boolean {
  return vars.some(([, v]) => CONTROL.test(v));
}

export function renderEnvScript(plan: EnvPlan, shell: Shell, info: RenderInfo): string {
  const out: string[] = [];
  const c = (text: string) => out.push(...comment(text));

  c(`clawsec-traffic-guardian env: target ${plan.target}, shell ${shell}`);
  if (info.source === 'running') c(`monitor: running, proxy ${plan.proxyUrl}`);
  else c(`monitor: NOT running; using the configured listener ${plan.proxyUrl} (start the monitor before the agent)`);
  const para = (text: string) => {
    // code lines (indented) are kept whole so they can be copied
    for (const l of text.startsWith('  ') ? [text] : wrap(text)) c(l);
  };
  for (const h of plan.header) para(h);
  for (const [name, value] of plan.variables) out.push(assignment(shell, name, value));
  for (const n of plan.notes) para(n);
  if (info.trustBundle) {
    para(
      `trust bundle ${info.trustBundle.path}: ${info.trustBundle.systemCertificates} system roots from ${info.trustBundle.systemSource} plus the guardian CA`,
    );
  }

  if (plan.command) {
    c('Or, without exports, for one command only:');
    if (hasControl(plan.variables)) c('(not shown: a value contains a line break; use the exports above)');
    else c(prefixCommand(shell, plan.variables, plan.command));
  }
  if (plan.dockerArgs.length) {
    c('docker run arguments for the agent container (as one host-shell line):');
    if (plan.dockerArgs.some((a) => CONTROL.test(a))) c('(not shown: a value contains a line break)');
    else c(`docker run ${plan.dockerArgs.map((a) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(a) ? a : quote(shell, a))).join(' ')} IMAGE`);
  } else {
    c(`To undo in this shell: ${unsetLine(shell, plan.variables.map(([n]) => n))}`);
  }
  return `${out.join('\n')}\n`;
}
