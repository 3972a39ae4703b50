// Values that only look like secrets: documentation placeholders and template variables.
// Matching one of these is never a finding (install docs and README examples stay quiet).
const PLACEHOLDER = new RegExp(
  [
    '\\.\\.\\.|…', // sk-...
    '<[^>]{0,64}>', // <your-key>
    '\\$\\{[^}]{0,64}\\}|\\{\\{[^}]{0,64}\\}\\}|%[A-Z_]{3,}%', // ${VAR} {{var}} %VAR%
    '\\*{3,}|#{4,}|0{8,}', // **** ####
  ].join('|'),
  'i',
);
// `xxxx` marks a template in a short value; in a long random one (a 1,650-character PEM body)
// four x's in a row turn up by chance about once in 650 keys, so there it takes eight.
const X_RUN_SHORT = /[xX]{4,}/;
const X_RUN_LONG = /[xX]{8,}/;
// Placeholder words. In a short value they anywhere mark a template (`sk-your-key-here`);
// in a long random value (a PEM body, a 100-character token) four letters like `fake` turn
// up by chance, so there they count only as a separate word.
const WORDS =
  'your[_-]?(?:api[_-]?)?(?:key|token|secret)|api[_-]?key[_-]?here|replace[_-]?me|changeme|placeholder|dummy|redacted|example|sample|fake|insert[_-]?(?:your|key)';
const WORD_ANYWHERE = new RegExp(WORDS, 'i');
const WORD_DELIMITED = new RegExp(`(?<![A-Za-z0-9])(?:${WORDS})(?![A-Za-z0-9])`, 'i');
const SHORT = 64;

export function isPlaceholder(secret: string): boolean {
  if (PLACEHOLDER.test(secret)) return true;
  if ((secret.length < SHORT ? X_RUN_SHORT : X_RUN_LONG).test(secret)) return true;
  if ((secret.length < SHORT ? WORD_ANYWHERE : WORD_DELIMITED).test(secret)) return true;
  // a run of one repeated character or a tiny alphabet is a template, not a key
  const body = secret.replace(/^[a-z]+[-_]/i, '');
  return body.length >= 8 && new Set(body).size <= 3;
}
