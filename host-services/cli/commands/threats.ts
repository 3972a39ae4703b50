// `threats`: findings from the log, oldest first. `--limit N` keeps the newest N, `--since ISO`,
// `--type EXFIL|INJECTION`, `--min-severity`; `--json` prints one JSON array, otherwise an
// aligned table (time, severity, type, pattern, destination, snippet).
import { SEVERITIES, THREAT_TYPES, type Severity, type ThreatType } from '../../../lib/finding.ts';
import { readFindings } from '../../../lib/log/jsonl-reader.ts';
import { BIN, defineCommand, usageError } from '../args.ts';
import { loadConfigForCommand } from '../config-flags.ts';
import { findingsTable, terminalColumns, useColor } from '../output/table.ts';

export const MAX_LIMIT = 100_000;

const ISO = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/i;

export function parseLimit(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  const n = Number(s);
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(n) || n < 1 || n > MAX_LIMIT) {
    throw usageError(`flag --limit must be a whole number from 1 to ${MAX_LIMIT} (got "${raw.slice(0, 40)}")`, 'write e.g. --limit 20');
  }
  return n;
}

export function parseSince(raw: string | undefined): string | undefined {
  if (raw === undefined) return undefined;
  const s = raw.trim();
  if (!ISO.test(s) || Number.isNaN(Date.parse(s))) {
    throw usageError(`flag --since must be an ISO-8601 date or time (got "${raw.slice(0, 40)}")`, 'write e.g. --since 2026-04-26T00:00:00Z or --since 2026-04-26');
  }
  return new Date(Date.parse(s)).toISOString();
}

export const threatsCommand = defineCommand({
  name: 'threats',
  summary: 'list findings, oldest first (filters: --limit, --since, --type, --min-severity)',
  usage: '[--limit N] [--since ISO] [--type EXFIL|INJECTION] [--min-severity LEVEL] [--json]',
  examples: [
    `${BIN} threats --limit 20`,
    `${BIN} threats --type EXFIL --min-severity high --since 2026-04-26T00:00:00Z`,
    `${BIN} threats --json | jq '.[].pattern'`,
  ],
  flags: {
    limit: { type: 'string', valueName: 'N', description: 'only the newest N findings (still printed oldest first)' },
    since: { type: 'string', valueName: 'ISO', description: 'only findings at or after this time, e.g. 2026-04-26T00:00:00Z' },
    type: { type: 'string', choices: THREAT_TYPES, description: 'only EXFIL or only INJECTION findings' },
    'min-severity': { type: 'string', choices: SEVERITIES, description: 'only findings of this severity or higher' },
  },
  async run(ctx) {
    const limit = parseLimit(ctx.values.limit);
    const since = parseSince(ctx.values.since);
    const { layout } = loadConfigForCommand({ values: {}, global: ctx.global, io: ctx.io });
    const result = await readFindings(layout.findingsLog, {
      ...(limit !== undefined ? { limit } : {}),
      ...(since !== undefined ? { since } : {}),
      ...(ctx.values.type ? { threatType: ctx.values.type as ThreatType } : {}),
      ...(ctx.values['min-severity'] ? { minSeverity: ctx.values['min-severity'] as Severity } : {}),
    });
    if (ctx.global.json) {
      ctx.printJson(result.findings);
      return 0;
    }
    if (result.findings.length === 0) {
      ctx.print(result.total === 0 ? `no findings in ${layout.findingsLog}` : 'no findings match');
      return 0;
    }
    const width = terminalColumns(ctx.io);
    for (const line of findingsTable(result.findings, { color: useColor(ctx.io), ...(width ? { width } : {}) })) ctx.print(line);
    const notes = [
      result.truncated ? `showing the newest ${result.findings.length} of ${result.total} matching findings` : `${result.total} finding${result.total === 1 ? '' : 's'}`,
      ...(result.skippedLines ? [`${result.skippedLines} unreadable log line${result.skippedLines === 1 ? '' : 's'} skipped`] : []),
    ];
    ctx.print(notes.join('; '));
    return 0;
  },
});
