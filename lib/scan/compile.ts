// Turns pattern records (data) into ready-to-run form once, at scanner construction:
// regexes get the `d` flag so the `secret` group's position is known, keywords are lower-cased.
import type { PatternRecord } from '../patterns/types.ts';

export interface CompiledPattern {
  record: PatternRecord;
  regex: RegExp;
  keywords: string[];
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
    return {
      record,
      regex: new RegExp(record.regex.source, flags),
      keywords: record.keywords.map((k) => k.toLowerCase()),
      sensitive: isSensitiveFamily(record.family),
    };
  });
}
