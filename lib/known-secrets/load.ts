// Loads the agent's own secret values from dotenv files. Values live only in the returned
// objects (memory); nothing here writes, logs or returns them in a message.
import { readFileSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { GuardianError } from '../errors.ts';
import { parseDotenv } from './dotenv.ts';
import { skipReason } from './select.ts';
import type { KnownSecret } from './matcher.ts';

export interface KnownSecretsReport {
  secrets: KnownSecret[];
  /** per file: how many values were loaded and skipped (names only, never values) */
  files: Array<{ file: string; loaded: number; skipped: number; loadedNames: string[] }>;
}

const MAX_ENV_FILE_BYTES = 1024 * 1024;

export function loadKnownSecrets(files: string[]): KnownSecretsReport {
  const byValue = new Map<string, KnownSecret>();
  const report: KnownSecretsReport['files'] = [];
  for (const file of files) {
    let text: string;
    try {
      if (statSync(file).size > MAX_ENV_FILE_BYTES) throw new Error('larger than 1 MiB');
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw new GuardianError('CONFIG_INVALID', `secret_env_files: cannot read ${basename(file)} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`, {
        fix: 'name a readable dotenv file (KEY=value lines), e.g. --secret-env-file ~/.openclaw/.env',
        problems: [{ path: 'secret_env_files', message: `cannot read ${file}` }],
      });
    }
    let loaded = 0;
    let skipped = 0;
    const loadedNames: string[] = [];
    for (const e of parseDotenv(text)) {
      if (skipReason(e.value) !== null) {
        skipped++;
        continue;
      }
      const value = e.value.trim();
      if (!byValue.has(value)) byValue.set(value, { name: e.name, value });
      loaded++;
      loadedNames.push(e.name);
    }
    report.push({ file, loaded, skipped, loadedNames });
  }
  return { secrets: [...byValue.values()], files: report };
}
