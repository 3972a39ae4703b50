// Shell de-obfuscation for inbound text: the tricks that keep `curl … | sh` from matching a
// plain regex while the shell still runs it. Each rewrite is what bash itself would do to
// the word, so the result reads as bash would execute it.
//   c'u'rl, c"u"rl    -> curl     (quote removal inside a word)
//   c\u\rl            -> curl     (backslash before a letter)
//   ${IFS}, $IFS$9    -> space
//   $'\x63\x75\162l'  -> cu rl    (ANSI-C quoting)
//   cu$@rl, cu${x}rl  -> curl     (empty expansions inside a word; unset variables expand to nothing)
const TRIGGERS = /['"\\$`]/;

export function hasShellObfuscation(text: string): boolean {
  return TRIGGERS.test(text);
}

function ansiC(body: string): string {
  return body.replace(/\\(?:x([0-9a-fA-F]{1,2})|u([0-9a-fA-F]{1,4})|([0-7]{1,3})|(.))/g, (_m, hx, uni, oct, ch) => {
    if (hx) return String.fromCharCode(parseInt(hx, 16));
    if (uni) return String.fromCharCode(parseInt(uni, 16));
    if (oct) return String.fromCharCode(parseInt(oct, 8) & 0xff);
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '', b: '', e: '', f: '', v: '', '\\': '\\', "'": "'", '"': '"' };
    return simple[ch as string] ?? ch;
  });
}

export function deobfuscateShell(text: string): string {
  return (
    text
      // ANSI-C quoted strings first: their content is literal once decoded
      .replace(/\$'((?:[^'\\\n]|\\.){0,512})'/g, (_m, body: string) => ansiC(body))
      .replace(/\$\{IFS\}|\$IFS(?:\$\d)?(?![A-Za-z0-9_])/g, ' ')
      .replace(/\\\r?\n/g, '') // line continuation
      // empty expansions hide a command only inside a word (cu$@rl, c${x}url, $@curl); a
      // standalone `${DIR}/` or `$1/*` is an ordinary script variable, and dropping it would
      // make `rm -rf ${DIR}/` read `rm -rf /`
      // (both alternatives start with the `$` itself, so the engine skips to dollars)
      .replace(/\$(?<=[A-Za-z0-9_]\$)(?:@|\*|\{[@*]\}|\{[A-Za-z_][A-Za-z0-9_]{0,31}:?-?\}|\d)|\$(?:@|\*|\{[@*]\}|\{[A-Za-z_][A-Za-z0-9_]{0,31}:?-?\}|\d)(?=[A-Za-z0-9_])/g, '')
      .replace(/\\([A-Za-z0-9./-])/g, '$1')
      // empty quotes and quotes that only wrap part of a word
      .replace(/(^|[^\s'"=])(?:''|"")+/g, '$1')
      .replace(/([A-Za-z0-9_./-])'([A-Za-z0-9_./-]{1,64})'(?=[A-Za-z0-9_./-])/g, '$1$2')
      .replace(/([A-Za-z0-9_./-])"([A-Za-z0-9_./-]{1,64})"(?=[A-Za-z0-9_./-])/g, '$1$2')
      .replace(/(^|[\s|;&(])'([A-Za-z0-9_./-]{1,64})'(?=[A-Za-z0-9_./-])/g, '$1$2')
      .replace(/(^|[\s|;&(])"([A-Za-z0-9_./-]{1,64})"(?=[A-Za-z0-9_./-])/g, '$1$2')
      .replace(/([A-Za-z0-9_./-])'([A-Za-z0-9_./-]{1,64})'/g, '$1$2')
      .replace(/([A-Za-z0-9_./-])"([A-Za-z0-9_./-]{1,64})"/g, '$1$2')
  );
}
