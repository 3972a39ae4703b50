// How one environment assignment, one comment and one command line are written for each shell
// the `env` command supports. Everything a shell would interpret (quotes, `$`, backticks, spaces,
// newlines) stays inside single quotes, each shell's own way:
//   bash/zsh    'it'\''s'        (close, escaped quote, reopen)
//   fish        'it\'s'  '\\'    (fish single quotes know \' and \\)
//   powershell  'it''s'          (doubling; PowerShell also ends a '...' string at the typographic
//                                 single quotes U+2018..U+201B, so those are doubled too)
// Comments start with `#` in all four. A comment never spans lines: any line break or control
// character inside it becomes `?`, so a path holding a newline cannot smuggle a command into the
// line after a comment.

export const SHELLS = ['bash', 'zsh', 'fish', 'powershell'] as const;
export type Shell = (typeof SHELLS)[number];

/** A variable name every shell accepts without quoting. */
const VAR_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

function assertName(name: string): void {
  if (!VAR_NAME.test(name)) throw new Error(`not a portable environment variable name: ${JSON.stringify(name)}`);
}

export function quote(shell: Shell, value: string): string {
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `'${value.replace(/'/g, `'\\''`)}'`;
    case 'fish':
      return `'${value.replace(/[\\']/g, (c) => `\\${c}`)}'`;
    case 'powershell':
      return `'${value.replace(/['\u2018\u2019\u201A\u201B]/g, (c) => c + c)}'`;
  }
}

/** `export NAME='value'` in the shell's own syntax; the variable reaches child processes. */
export function assignment(shell: Shell, name: string, value: string): string {
  assertName(name);
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `export ${name}=${quote(shell, value)}`;
    case 'fish':
      return `set -gx ${name} ${quote(shell, value)}`;
    case 'powershell':
      return `$env:${name} = ${quote(shell, value)}`;
  }
}

/** Undoes `assignment` (for the "to undo" hint). */
export function unsetLine(shell: Shell, names: string[]): string {
  for (const n of names) assertName(n);
  switch (shell) {
    case 'bash':
    case 'zsh':
      return `unset ${names.join(' ')}`;
    case 'fish':
      return `set -e ${names.join(' ')}`;
    case 'powershell':
      return `Remove-Item ${names.map((n) => `Env:${n}`).join(', ')} -ErrorAction SilentlyContinue`;
  }
}

const UNSAFE_IN_COMMENT = /[\u0000-\u001f\u007f\u0085\u2028\u2029]/g;

/** One `# ...` line per line of `text`; control characters inside a line become `?`. */
export function comment(text: string): string[] {
  return text.split('\n').map((line) => `# ${line.replace(UNSAFE_IN_COMMENT, '?')}`.trimEnd());
}

/**
 * The variables set for one command only, as a single line:
 *   bash/zsh    NAME='v' NAME2='v' command
 *   fish        env NAME='v' command          (`env` works in every fish version)
 *   powershell  no per-command form exists: the variables are set for the session, the command
 *               runs, and the variables are removed again in one line
 */
export function prefixCommand(shell: Shell, vars: ReadonlyArray<readonly [string, string]>, command: string): string {
  for (const [n] of vars) assertName(n);
  switch (shell) {
    case 'bash':
    case 'zsh':
      return [...vars.map(([n, v]) => `${n}=${quote(shell, v)}`), command].join(' ');
    case 'fish':
      return ['env', ...vars.map(([n, v]) => `${n}=${quote(shell, v)}`), command].join(' ');
    case 'powershell': {
      const set = vars.map(([n, v]) => `$env:${n} = ${quote(shell, v)}`).join('; ');
      const names = vars.map(([n]) => `Env:${n}`).join(', ');
      return `${set}; try { ${command} } finally { Remove-Item ${names} -ErrorAction SilentlyContinue }`;
    }
  }
}
