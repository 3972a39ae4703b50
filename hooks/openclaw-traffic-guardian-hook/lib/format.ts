// The message: one status line, then at most a few lines for the newest high and critical
// findings. It goes to a chat, so it is short, plain text, and shows no host path other than
// the proxy URL: the guardian home, the user's home directory and the log directory are
// replaced wherever they appear; snippets (already redacted by the monitor) are trimmed,
// control characters folded and long opaque tokens masked again.
import type { MonitorView } from './monitor.ts';
import { SEVERITIES, type SeenFinding, type Severity } from './findings-tail.ts';

export const BIN = 'clawsec-traffic-guardian';
export const MAX_SEVERE_LINES = 3;
const SNIPPET_MAX = 80;
const DEST_MAX = 60;

export interface ReportInput {
  /** no guardian home on this host yet */
  noHome: boolean;
  monitor: MonitorView;
  findings: SeenFinding[];
  truncated: boolean;
  skippedLines: number;
  /** paths that must never appear in the message, and what is shown instead */
  hidePaths: HiddenPath[];
}

export interface HiddenPath {
  path: string;
  as: string;
}

const OPAQUE = /[A-Za-z0-9+/_=-]{20,}/g;

/** Makes a piece of log text safe and short for a chat line. */
export function scrub(text: string, hidePaths: HiddenPath[], max: number): string {
  let s = text.replace(/[\u0000-\u001F\u007F-\u009F\u2028\u2029]+/g, ' ');
  // longest first, so a home inside the user's home is replaced as a whole
  for (const { path, as } of [...hidePaths].filter((x) => x.path.length > 1).sort((a, b) => b.path.length - a.path.length)) {
    // the path itself or anything below it, not a longer name that merely starts the same
    const escaped = path.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    s = s.replace(new RegExp(`${escaped}(?=[/\\\s'"\`:;,)]|$)`, 'g'), as);
  }
  s = s.replace(OPAQUE, (run) => (/[0-9]/.test(run) && /[A-Za-z]/.test(run) ? `[OPAQUE:${run.length}]` : run));
  s = s.replace(/ {2,}/g, ' ').trim();
  if (s.length > max) s = `${s.slice(0, max - 1)}…`;
  return s;
}

/** `AB:CD:EF:01…9A:BC`: enough to compare with `status`, short enough for a chat line. */
export function shortFingerprint(fp: string): string {
  const parts = fp.split(':');
  if (parts.length <= 6) return fp;
  return `${parts.slice(0, 4).join(':')}…${parts.slice(-2).join(':')}`;
}

function bySeverity(findings: SeenFinding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { low: 0, medium: 0, high: 0, critical: 0 };
  for (const f of findings) counts[f.severity] += 1;
  return counts;
}

export function isSevere(f: SeenFinding): boolean {
  return f.severity === 'high' || f.severity === 'critical';
}

function statusPart(input: ReportInput): string {
  const m = input.monitor;
  if (input.noHome) return `NOT running (no guardian home on this host; start it with \`${BIN} start\`)`;
  if (!m.running) {
    const why = m.stale ? 'the monitor exited without cleaning up' : 'no monitor';
    return `NOT running (${why}; start it with \`${BIN} start\`)`;
  }
  const parts = [`running, proxy ${m.proxyUrl ?? 'unknown'}`];
  if (m.httpsInspection === true) {
    parts.push(`HTTPS inspected${m.caFingerprint ? ` (CA SHA-256 ${shortFingerprint(m.caFingerprint)})` : ''}`);
  } else if (m.httpsInspection === false) {
    parts.push('HTTPS tunnelled, not inspected');
  }
  return parts.join(', ');
}

function findingsPart(input: ReportInput): string {
  const counts = bySeverity(input.findings);
  const occurrences = input.findings.reduce((n, f) => n + f.count, 0);
  const nonZero = [...SEVERITIES].reverse().filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  let text = nonZero.length ? `new findings: ${nonZero.join(', ')}` : 'no new findings';
  if (nonZero.length && occurrences > input.findings.length) text += ` (${occurrences} occurrences)`;
  if (input.truncated) text += '; older log entries skipped';
  if (input.skippedLines > 0) text += `; ${input.skippedLines} unreadable log line${input.skippedLines === 1 ? '' : 's'}`;
  return text;
}

function severeLine(f: SeenFinding, hide: HiddenPath[]): string {
  const dest = scrub(f.dest, hide, DEST_MAX) || '?';
  const snippet = scrub(f.snippet, hide, SNIPPET_MAX);
  const times = f.count > 1 ? ` x${f.count}` : '';
  return `- ${f.severity.toUpperCase()} ${f.pattern}${times} -> ${dest}${snippet ? `: ${snippet}` : ''}`;
}

export function formatReport(input: ReportInput): string {
  const lines = [`clawsec traffic guardian: ${statusPart(input)}; ${findingsPart(input)}`];
  const severe = input.findings.filter(isSevere);
  // newest first: critical before high at the same position is not needed, time order is
  const newest = severe.slice(-MAX_SEVERE_LINES).reverse();
  for (const f of newest) lines.push(severeLine(f, input.hidePaths));
  if (severe.length > newest.length) {
    lines.push(`- ... ${severe.length - newest.length} more high/critical: \`${BIN} threats --min-severity high\``);
  }
  return lines.join('\n');
}
