// Which dotenv values are worth watching for. A value is a secret candidate when it is long
// (16+ characters) or shorter but mixed (10+ characters with letters, digits and a third
// class). Values that would fire on ordinary traffic are left out: paths, plain URLs without
// credentials, numbers, booleans, placeholders, and low-entropy text.
import { isPlaceholder } from '../scan/placeholders.ts';

export const MIN_LONG = 16;
export const MIN_MIXED = 10;
const MIN_ENTROPY_BITS_PER_CHAR = 3;

function classes(v: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length;
}

function entropy(v: string): number {
  const counts = new Map<string, number>();
  for (const ch of v) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) {
    const p = c / v.length;
    h -= p * Math.log2(p);
  }
  return h;
}

export type SkipReason = 'too_short' | 'placeholder' | 'path' | 'url_without_credentials' | 'low_entropy' | 'multiline';

export function skipReason(value: string): SkipReason | null {
  const v = value.trim();
  if (v.includes('\n') && !/PRIVATE KEY/.test(v)) return 'multiline';
  const long = v.length >= MIN_LONG;
  const mixed = v.length >= MIN_MIXED && /[A-Za-z]/.test(v) && /[0-9]/.test(v) && classes(v) >= 3;
  if (!long && !mixed) return 'too_short';
  if (isPlaceholder(v)) return 'placeholder';
  if (/^(?:~|\.{0,2})\//.test(v) || /^[A-Za-z]:\\/.test(v)) return 'path';
  if (/^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*$/i.test(v) || /^[a-z][a-z0-9+.-]*:\/\/[^@\s]*\/[^@\s]*$/i.test(v)) {
    // a URL is only secret when it carries credentials (user:pass@host)
    if (!/^[a-z][a-z0-9+.-]*:\/\/[^/\s]*:[^/\s]*@/i.test(v)) return 'url_without_credentials';
  }
  if (entropy(v) < MIN_ENTROPY_BITS_PER_CHAR) return 'low_entropy';
  return null;
}
