// Values that only look like secrets: documentation placeholders and template variables.
// Matching one of these is never a finding (install docs and README examples stay quiet).
const PLACEHOLDER = new RegExp(
  [
    '\\.\\.\\.|…', // sk-...
    '<[^>]{0,64}>', // <your-key>
    '\\$\\{[^}]{0,64}\\}|\\{\\{[^}]{0,64}\\}\\}|%[A-Z_]{3,}%', // ${VAR} {{var}} %VAR%
    '[xX]{4,}|\\*{3,}|#{4,}|0{8,}', // xxxx ****
    'your[_-]?(?:api[_-]?)?(?:key|token|secret)|api[_-]?key[_-]?here|replace[_-]?me|changeme|placeholder|dummy|redacted|example|sample|fake|insert[_-]?(?:your|key)',
  ].join('|'),
  'i',
);

export function isPlaceholder(secret: string): boolean {
  if (PLACEHOLDER.test(secret)) return true;
  // a run of one repeated character or a tiny alphabet is a template, not a key
  const body = secret.replace(/^[a-z]+[-_]/i, '');
  return body.length >= 8 && new Set(body).size <= 3;
}
