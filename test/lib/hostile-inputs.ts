// Hostile 1 MiB inputs for one pattern, derived from its own data so every new pattern is
// covered without hand-written cases: long runs of its own alphabet, its keywords repeated,
// near misses (a true positive missing its last characters, repeated), unclosed PEM headers.
import type { PatternRecord } from '../../lib/patterns/types.ts';

export const MIB = 1024 * 1024;

function fill(unit: string, size = MIB): string {
  if (unit.length === 0) return '';
  return unit.repeat(Math.ceil(size / unit.length)).slice(0, size);
}

export function hostileInputsFor(p: PatternRecord): Array<{ name: string; text: string }> {
  const out: Array<{ name: string; text: string }> = [];
  const tp = p.examples.tp[0] ?? '';
  const alphabet = Array.from(new Set(tp)).join('');
  out.push({ name: 'own alphabet run', text: fill(alphabet) });
  out.push({ name: 'tp first char run', text: fill(tp.slice(0, 1) || 'a') });
  out.push({ name: 'tp opening repeated', text: fill(tp.slice(0, 3) + ' ') });
  out.push({ name: 'open tag repeated', text: fill('<a style="display:none" ') });
  for (const k of p.keywords.slice(0, 3)) out.push({ name: `keyword "${k}" repeated`, text: fill(k + ' ') });
  out.push({ name: 'keywords glued', text: fill(p.keywords.join('')) });
  out.push({ name: 'near miss repeated', text: fill(tp.slice(0, Math.max(1, tp.length - 3)) + ' ') });
  out.push({ name: 'near miss without separators', text: fill(tp.slice(0, Math.max(1, tp.length - 3))) });
  out.push({ name: 'tp prefix then alphabet', text: tp.slice(0, 20) + fill('A', MIB - 20) });
  out.push({ name: 'unclosed PEM header', text: '-----BEGIN RSA PRIVATE KEY-----\n' + fill('QUJD\n', MIB - 40) });
  out.push({ name: 'spaces and pipes', text: fill('curl | ') });
  return out;
}
