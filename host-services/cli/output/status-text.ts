// Human renderings of the monitor's state: the setup text `start` prints (how to route one
// agent process through the monitor) and the `status` report. Never prints the CA key (it is
// never read here) nor anything from traffic other than redacted finding snippets, which go
// through the table's control-character filter.
import { defaultHome } from '../../../lib/home-layout.ts';
import type { TrafficStatus } from '../../lifecycle/status.ts';
import { renderSetupText } from '../../setup/setup-text.ts';
import { BIN } from '../args.ts';
import { findingsTable, keyValueLines, safeCell, type TableOptions } from './table.ts';

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** ` --home DIR` when the home is not the platform's default (so copied commands hit the same home). */
export function homeArg(home: string, platform: TrafficStatus['platform'], userHome?: string): string {
  return home === defaultHome(platform, userHome) ? '' : ` --home ${shellQuote(home)}`;
}

function knownSecretsRow(s: TrafficStatus): Array<[string, unknown]> {
  const n = s.stats?.known_secrets;
  return typeof n === 'number' && n > 0 ? [['known secrets', `${n} value${n === 1 ? '' : 's'} from secret env files (held in memory only; SIGHUP reloads)`]] : [];
}

/**
 * What to tell an operator once the monitor listens: a summary of this monitor, then the
 * per-process part shared with `env` (renderSetupText: the one command line that starts ONE
 * agent through the proxy, the CA fingerprint when inspection is on, the Node proxy caveat),
 * then where findings are and how to stop.
 */
export function setupText(s: TrafficStatus, opts: { foreground: boolean; userHome?: string }): string[] {
  const home = homeArg(s.home, s.platform, opts.userHome);
  const lines = [
    `${BIN}: monitor running (pid ${s.pid}), mode ${s.mode} (logs findings, never blocks), platform ${s.platform}`,
    ...keyValueLines([
      ['proxy URL', s.proxy_url ?? ''],
      ['listening on', s.listen ? `${s.listen.host}:${s.listen.port}` : ''],
      ['max scan bytes', s.max_scan_bytes],
      ...knownSecretsRow(s),
      ['findings log', s.findings_log],
      ['home', s.home],
    ]),
    '',
    'Nothing host-wide was changed: only a process started with the variables below goes through it.',
    '',
    ...renderSetupText(s, { header: false, ...(opts.userHome ? { userHome: opts.userHome } : {}) }).trimEnd().split('\n'),
    '',
    `Findings: \`${BIN} threats${home}\`   state: \`${BIN} status${home}\``,
    opts.foreground ? 'Stop: Ctrl-C (or SIGTERM); every finding is flushed before exit.' : `Stop: \`${BIN} stop${home}\``,
  ];
  return lines;
}

function faultLines(faults: Record<string, unknown> | null): string[] {
  if (!faults) return [];
  const nonzero = Object.entries(faults).filter(([k, v]) => k !== 'last_error' && typeof v === 'number' && v > 0);
  if (nonzero.length === 0) return ['faults: none'];
  const last = faults.last_error as { kind?: string; code?: string; at?: string } | null | undefined;
  return [
    `faults: ${nonzero.map(([k, v]) => `${k.replace(/_/g, ' ')} ${v}`).join(', ')}`,
    ...(last?.kind ? [`  last: ${safeCell(last.kind)}${last.code ? ` (${safeCell(last.code)})` : ''} at ${safeCell(last.at)}`] : []),
  ];
}

/** The `status` report. */
export function statusText(s: TrafficStatus, table: TableOptions): string[] {
  const lines: string[] = [];
  if (s.stale_cleaned && s.stale) {
    const why = { dead: 'is no longer running', zombie: 'is a zombie (exited, not reaped)', reused: 'now belongs to another process', corrupt: 'could not be read' }[s.stale.reason];
    lines.push(
      `cleaned up stale state: the monitor recorded${s.stale.pid ? ` as pid ${s.stale.pid}` : ''} ${s.stale.reason === 'corrupt' ? 'left a state file that' : ''}${why}; its pid and state files were removed`.replace(/\s+/g, ' '),
    );
  }
  if (s.running) {
    lines.push(`monitor: running (pid ${s.pid}, since ${s.started_at})`);
  } else {
    lines.push('monitor: not running');
  }
  const rows: Array<[string, unknown]> = [];
  if (s.running) {
    rows.push(['proxy URL', s.proxy_url], ['listening on', s.listen ? `${s.listen.host}:${s.listen.port}` : '']);
  }
  rows.push(
    ['platform', s.platform],
    ['mode', s.mode],
    ['HTTPS inspection', s.https_inspection ? 'on' : 'off'],
  );
  if (s.ca_cert_path) rows.push(['CA certificate', s.ca_cert_path], ['CA SHA-256', s.ca_fingerprint_sha256 ?? 'unknown']);
  rows.push(['max scan bytes', s.max_scan_bytes], ...knownSecretsRow(s), ['home', s.home], ['findings log', s.findings_log]);
  lines.push(...keyValueLines(rows));
  const t = s.findings_by_type;
  lines.push(
    `findings: ${s.findings_total} (EXFIL ${t.EXFIL}, INJECTION ${t.INJECTION})${s.findings_occurrences !== s.findings_total ? `, ${s.findings_occurrences} occurrences` : ''}${s.findings_skipped_lines ? `, ${s.findings_skipped_lines} unreadable log lines skipped` : ''}`,
  );
  if (s.last_findings.length) {
    lines.push('last findings:', ...findingsTable(s.last_findings, { ...table, indent: '  ' }));
  }
  if (s.running) lines.push(...faultLines(s.faults));
  if (!s.running) lines.push(`start it with \`${BIN} start${homeArg(s.home, s.platform)}\``);
  return lines;
}
