// Human output shared by `status` and `threats`: aligned columns, severity colour only when
// stdout is a terminal and NO_COLOR is unset (https://no-color.org), and every cell made safe
// to print. Cells can hold text that came from traffic (a snippet, a destination), so control
// characters are replaced before anything reaches a terminal: an agent must not be able to
// move the cursor or retitle the operator's terminal through a finding.
import type { Finding, Severity } from '../../../lib/finding.ts';
import type { CliIO, Writer } from '../args.ts';

const ESC = '\u001b[';
const RESET = `${ESC}0m`;

const SEVERITY_STYLE: Record<Severity, string> = {
  critical: `${ESC}1;31m`, // bold red
  high: `${ESC}31m`, // red
  medium: `${ESC}33m`, // yellow
  low: `${ESC}36m`, // cyan
};

/** Colour only for a terminal, and never when NO_COLOR is set to anything non-empty. */
export function useColor(io: Pick<CliIO, 'stdout' | 'env'>): boolean {
  const noColor = io.env.NO_COLOR;
  if (noColor !== undefined && noColor !== '') return false;
  return (io.stdout as Writer & { isTTY?: boolean }).isTTY === true;
}

/** Terminal width when stdout is a terminal, else undefined (no truncation to a width). */
export function terminalColumns(io: Pick<CliIO, 'stdout'>): number | undefined {
  const s = io.stdout as Writer & { isTTY?: boolean; columns?: number };
  return s.isTTY === true && typeof s.columns === 'number' && s.columns > 0 ? s.columns : undefined;
}

/**
 * One line of plain, printable text: C0/C1 control characters (ESC included), line and
 * paragraph separators and bidi overrides become `?` (or a space for tabs and newlines).
 */
export function safeCell(value: unknown): string {
  const s = value === null || value === undefined ? '' : String(value);
  return s
    .replace(/[\t\n\r\v\f]/g, ' ')
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** Cut to `max` characters with a trailing ellipsis. */
export function truncate(s: string, max: number): string {
  if (max <= 0) return '';
  if (s.length <= max) return s;
  return max === 1 ? '…' : `${s.slice(0, max - 1)}…`;
}

export interface Column<R> {
  header: string;
  /** the plain cell text (made safe by the renderer) */
  value: (row: R) => unknown;
  /** wrap the padded cell in an ANSI style (only called when colour is on) */
  style?: (row: R) => string | undefined;
  /** right-align (numbers) */
  align?: 'left' | 'right';
  /** the one column that shrinks to fit a terminal width (the last column by default) */
  flexible?: boolean;
  /** cap on this column's width regardless of the terminal */
  maxWidth?: number;
  /** may also be cut (after the flexible column) to fit a terminal */
  shrinkable?: boolean;
  /** never cut below this width (default 8, at least the header) */
  minWidth?: number;
}

export interface TableOptions {
  color: boolean;
  /** total line width to fit, when known (a terminal) */
  width?: number;
  /** spaces between columns (default 2) */
  gap?: number;
  /** prefix of every line, e.g. two spaces for an indented table */
  indent?: string;
}

/** Lines of an aligned table: a header row, then one line per row; no trailing spaces. */
export function renderTable<R>(columns: Column<R>[], rows: R[], opts: TableOptions): string[] {
  const gap = ' '.repeat(opts.gap ?? 2);
  const indent = opts.indent ?? '';
  const cells = rows.map((r) => columns.map((c) => {
    const text = safeCell(c.value(r));
    return c.maxWidth !== undefined ? truncate(text, c.maxWidth) : text;
  }));
  const widths = columns.map((c, i) => Math.max(c.header.length, ...cells.map((row) => (row[i] as string).length)));

  if (opts.width !== undefined) {
    // the flexible column gives way first, then every column marked shrinkable (left to right)
    let flex = columns.findIndex((c) => c.flexible);
    if (flex === -1) flex = columns.length - 1;
    const order = [flex, ...columns.map((c, i) => (c.shrinkable && i !== flex ? i : -1)).filter((i) => i >= 0)];
    for (const i of order) {
      const total = indent.length + widths.reduce((a, b) => a + b, 0) + gap.length * (columns.length - 1);
      const over = total - opts.width;
      if (over <= 0) break;
      const col = columns[i] as Column<R>;
      const min = Math.max(col.header.length, col.minWidth ?? 8);
      const next = Math.max(min, (widths[i] as number) - over);
      if (next >= (widths[i] as number)) continue;
      widths[i] = next;
      for (const row of cells) row[i] = truncate(row[i] as string, next);
    }
  }

  const line = (texts: string[], styles: Array<string | undefined>): string => {
    const out = texts.map((t, i) => {
      const w = widths[i] as number;
      const col = columns[i] as Column<R>;
      const last = i === texts.length - 1;
      const padded = col.align === 'right' ? t.padStart(w) : last ? t : t.padEnd(w);
      const style = styles[i];
      if (!style) return padded;
      // colour the text only, keep the padding plain so alignment never depends on escapes
      const core = col.align === 'right' ? padded.trimStart() : t;
      const pad = padded.length - core.length;
      return col.align === 'right' ? ' '.repeat(pad) + style + core + RESET : style + core + RESET + ' '.repeat(pad);
    });
    return (indent + out.join(gap)).trimEnd();
  };

  const header = line(columns.map((c) => c.header), []);
  const body = rows.map((r, ri) =>
    line(
      cells[ri] as string[],
      columns.map((c) => (opts.color && c.style ? c.style(r) : undefined)),
    ),
  );
  return [header, ...body];
}

export function severityStyle(s: Severity): string {
  return SEVERITY_STYLE[s];
}

/** The findings table of `threats` and of `status`'s last findings. */
export function findingsTable(findings: Finding[], opts: TableOptions & { snippetMax?: number }): string[] {
  const columns: Column<Finding>[] = [
    { header: 'TIME', value: (f) => f.timestamp },
    { header: 'SEVERITY', value: (f) => f.severity, style: (f) => severityStyle(f.severity) },
    { header: 'TYPE', value: (f) => f.threat_type },
    { header: 'PATTERN', value: (f) => (f.count !== undefined && f.count > 1 ? `${f.pattern} x${f.count}` : f.pattern) },
    { header: 'DEST', value: (f) => f.dest, maxWidth: 48, shrinkable: true, minWidth: 16 },
    { header: 'SNIPPET', value: (f) => f.snippet, flexible: true, maxWidth: opts.snippetMax ?? 120, minWidth: 16 },
  ];
  return renderTable(columns, findings, opts);
}

/** `key: value` lines with the values aligned. */
export function keyValueLines(rows: Array<[string, unknown]>, indent = '  '): string[] {
  const width = Math.max(0, ...rows.map(([k]) => k.length + 1));
  return rows.map(([k, v]) => `${indent}${`${k}:`.padEnd(width)} ${safeCell(v)}`.trimEnd());
}
