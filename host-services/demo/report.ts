// The demo's human report: one table row per sample (expected vs found), the redacted findings as
// they were logged, what misbehaved and why, and the final `N/N samples behaved as expected` line.
import { renderTable, severityStyle, type Column } from '../cli/output/table.ts';
import type { DemoResult, DemoSampleResult } from './run-demo.ts';

const GREEN = '\u001b[32m';
const RED = '\u001b[1;31m';

function verdict(r: DemoSampleResult): string {
  if (r.ok) return 'ok';
  if (!r.scanned) return 'NOT SCANNED';
  return r.expected === null ? 'NOISY' : 'MISSED';
}

export function renderDemoReport(result: DemoResult, opts: { color: boolean; width?: number }): string {
  const lines: string[] = [
    'clawsec-traffic-guardian demo: a real monitor on a temporary home, sample traffic on loopback.',
    `Monitor ${result.proxy_url || '(did not start)'}; upstream answers are simulated by a loopback server, nothing leaves 127.0.0.1.`,
    '',
  ];
  const columns: Column<DemoSampleResult & { n: number }>[] = [
    { header: '#', value: (r) => r.n, align: 'right' },
    { header: 'SAMPLE', value: (r) => r.label, flexible: true, maxWidth: 64 },
    { header: 'DIR', value: (r) => (r.direction === 'outbound' ? 'out' : 'in') },
    { header: 'KIND', value: (r) => r.kind },
    { header: 'EXPECTED', value: (r) => r.expected ?? 'quiet' },
    {
      header: 'FOUND',
      value: (r) => (r.found.length ? [...new Set(r.found.map((f) => `${f.pattern} (${f.severity})`))].join(', ') : 'quiet'),
    },
    { header: 'RESULT', value: verdict, style: (r) => (r.ok ? GREEN : RED) },
  ];
  lines.push(
    ...renderTable(
      columns,
      result.samples.map((r, i) => ({ ...r, n: i + 1 })),
      { color: opts.color, ...(opts.width ? { width: opts.width } : {}), indent: '  ' },
    ),
  );

  const logged = result.samples.flatMap((r) => r.found.map((f) => ({ sample: r.id, ...f })));
  if (logged.length) {
    lines.push('', 'Findings as logged (snippets redacted; secrets never stored):');
    lines.push(
      ...renderTable(
        [
          { header: 'SAMPLE', value: (f) => f.sample },
          { header: 'SEVERITY', value: (f) => f.severity, style: (f) => severityStyle(f.severity) },
          { header: 'PATTERN', value: (f) => f.pattern },
          { header: 'WHERE', value: (f) => f.location ?? '' },
          { header: 'SNIPPET', value: (f) => f.snippet, flexible: true, maxWidth: 90 },
        ],
        logged,
        { color: opts.color, ...(opts.width ? { width: opts.width } : {}), indent: '  ' },
      ),
    );
  }

  const bad = result.samples.filter((r) => !r.ok);
  if (bad.length) {
    lines.push('', 'Did not behave as expected:');
    for (const r of bad) lines.push(`  ${r.id}: ${r.problem ?? 'unknown'}`);
  }
  if (result.unattributed) lines.push('', `${result.unattributed} finding(s) matched no sample's destination.`);

  const c = result.cleanup;
  lines.push(
    '',
    `Cleanup: temporary home ${c.home_removed ? 'removed' : 'NOT removed'}, monitor ${c.monitor_stopped ? 'stopped' : 'not started'}, simulated upstream ${c.upstream_stopped ? 'stopped' : 'not started'} (${(result.duration_ms / 1000).toFixed(1)} s).`,
    `${result.passed}/${result.total} samples behaved as expected`,
  );
  return `${lines.join('\n')}\n`;
}
