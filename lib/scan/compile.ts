// Turns pattern records (data) into ready-to-run form once, at scanner construction:
// regexes get the `d` flag so the `secret` group's position is known, keywords are lower-cased,
// white-space runs are bounded and the regex's reach is measured for windowed matching.
import type { PatternRecord } from '../patterns/types.ts';
import { regexReach, type RegexReach } from './regex-reach.ts';

export interface CompiledPattern {
  record: PatternRecord;
  regex: RegExp;
  keywords: string[];
  /** keywords count only at a word start / end (see keywords.ts) */
  wordStart: boolean;
  wordEnd: boolean;
  /** longest match and lookaround of `regex`; Infinity means it runs on whole views */
  reach: RegexReach;
  /** `regex` anchored at lastIndex, for rules with a `keywordLead` */
  sticky: RegExp | undefined;
  /** key material is redacted in snippets; paths and commands are shown */
  sensitive: boolean;
}

/** Families whose match is a path or a command, not secret material. */
const NON_SENSITIVE_FAMILIES = new Set([
  'ssh_key_path',
  'sensitive_unix_path',
  'credential_file_path',
  'whatsapp_session_path',
  'pipe_to_shell',
  'shell_exec_flag',
  'reverse_shell',
  'destructive_rm',
  'ssh_authorized_key_injection',
  'prompt_injection',
]);

export function isSensitiveFamily(family: string): boolean {
  return !NON_SENSITIVE_FAMILIES.has(family);
}

export function compilePatterns(records: PatternRecord[]): CompiledPattern[] {
  const ids = new Set<string>();
  return records.map((record) => {
    if (ids.has(record.id)) throw new Error(`duplicate pattern id ${record.id}`);
    ids.add(record.id);
    let flags = record.regex.flags;
    if (!flags.includes('g')) flags += 'g';
    if (!flags.includes('d')) flags += 'd';
    const regex = new RegExp(boundWhitespaceRuns(record.regex.source), flags);
    return {
      record,
      regex,
      keywords: record.keywords.map((k) => k.toLowerCase()),
      wordStart: record.keywordsAtWordStart ?? false,
      wordEnd: record.keywordsAtWordEnd ?? false,
      reach: regexReach(regex),
      sticky: record.keywordLead === undefined ? undefined : new RegExp(regex.source, flags.replace('g', '') + 'y'),
      sensitive: isSensitiveFamily(record.family),
    };
  });
}

/** the longest run of white space `\s*` or `\s+` may match in a compiled pattern */
export const MAX_WHITESPACE_RUN = 32;

/**
 * `\s*` and `\s+` become `\s{0,32}` and `\s{1,32}`: words spread over more blank space than
 * that are not a sentence anyone writes, and with every run bounded a match has a finite
 * length, so the pattern can run on windows around its keywords instead of on whole views.
 */
export function boundWhitespaceRuns(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === '\\') {
      const esc = source.slice(i, i + 2);
      const q = source[i + 2];
      if (!inClass && esc === '\\s' && (q === '*' || q === '+')) {
        out += `\\s{${q === '*' ? 0 : 1},${MAX_WHITESPACE_RUN}}`;
        i += 2;
      } else {
        out += esc;
        i += 1;
      }
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === ']') inClass = false;
    out += c;
  }
  return out;
}
