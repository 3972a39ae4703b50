// The pattern registry: every detection rule as data, each with its own true-positive and
// false-positive examples (test/lib/registry.test.ts walks them all). Adding a pattern means
// adding a record to its family file; adding a family means one file and one line here.
import type { PatternRecord } from './types.ts';
import { AI_API_KEY_PATTERNS } from './exfil/ai-api-key.ts';
import { AWS_ACCESS_KEY_ID_PATTERNS } from './exfil/aws-access-key-id.ts';
import { PRIVATE_KEY_PEM_PATTERNS } from './exfil/private-key-pem.ts';
import { SSH_KEY_PATH_PATTERNS } from './exfil/ssh-key-path.ts';
import { SENSITIVE_UNIX_PATH_PATTERNS } from './exfil/sensitive-unix-path.ts';
import { CREDENTIAL_FILE_PATH_PATTERNS } from './exfil/credential-file-path.ts';
import { WHATSAPP_SESSION_PATH_PATTERNS } from './exfil/whatsapp-session-path.ts';
import { PIPE_TO_SHELL_PATTERNS } from './injection/pipe-to-shell.ts';
import { SHELL_EXEC_FLAG_PATTERNS } from './injection/shell-exec-flag.ts';
import { REVERSE_SHELL_PATTERNS } from './injection/reverse-shell.ts';
import { DESTRUCTIVE_RM_PATTERNS } from './injection/destructive-rm.ts';
import { SSH_AUTHORIZED_KEY_INJECTION_PATTERNS } from './injection/ssh-authorized-key-injection.ts';
import { VENDOR_TOKEN_PATTERNS } from './exfil/vendor-tokens.ts';
import { STRUCTURED_SECRET_PATTERNS } from './exfil/structured-secrets.ts';
import { PROMPT_INJECTION_PATTERNS } from './injection/prompt-injection.ts';

export const PATTERNS: readonly PatternRecord[] = [
  ...AI_API_KEY_PATTERNS,
  ...AWS_ACCESS_KEY_ID_PATTERNS,
  ...PRIVATE_KEY_PEM_PATTERNS,
  ...SSH_KEY_PATH_PATTERNS,
  ...SENSITIVE_UNIX_PATH_PATTERNS,
  ...CREDENTIAL_FILE_PATH_PATTERNS,
  ...WHATSAPP_SESSION_PATH_PATTERNS,
  ...PIPE_TO_SHELL_PATTERNS,
  ...SHELL_EXEC_FLAG_PATTERNS,
  ...REVERSE_SHELL_PATTERNS,
  ...DESTRUCTIVE_RM_PATTERNS,
  ...SSH_AUTHORIZED_KEY_INJECTION_PATTERNS,
  // issue 6: further credential families and prompt-injection signals
  ...VENDOR_TOKEN_PATTERNS,
  ...STRUCTURED_SECRET_PATTERNS,
  ...PROMPT_INJECTION_PATTERNS,
];

export function patternsFor(direction: PatternRecord['direction']): PatternRecord[] {
  return PATTERNS.filter((p) => p.direction === direction);
}
