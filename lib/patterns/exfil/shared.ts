// Helpers shared by the EXFIL pattern records (not a family: no records here).
//
// Two kinds of judgement live here, both bounded (they look at a short slice of the text,
// never the whole body, so a hostile body cannot make them slow):
//   - keys: does the matched value look like random key material, or like a docs example
//     (`sk-proj-abcdefghijklmnop…`, a hex digest where a mixed-case key is expected)?
//   - paths: how is a sensitive path used on its line? Read by a command or a tool call
//     (`cat ~/.aws/credentials`, `{"file_path": "/root/.ssh/id_rsa"}`, `curl -F f=@.env`),
//     used the ordinary way (`ssh -i ~/.ssh/id_ed25519`, `chmod 600`, `KUBECONFIG=...`,
//     `cp admin.conf $HOME/.kube/config`, docs prose "is stored in"), or just mentioned.
import type { MatchContext, PatternRecord } from '../types.ts';
import type { Severity } from '../../finding.ts';

/** Regex source matching `word` in any letter case without the `i` flag (`[Mm][Ii]…`). */
export function ci(word: string): string {
  let out = '';
  for (const ch of word) {
    const lo = ch.toLowerCase();
    const up = ch.toUpperCase();
    out += lo !== up ? `[${up}${lo}]` : ch.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
  }
  return out;
}

/** Shannon entropy in bits per character. */
export function entropy(s: string): number {
  if (!s.length) return 0;
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let h = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    h -= p * Math.log2(p);
  }
  return h;
}

/** A run of `n` consecutive ascending or descending characters (`abcdef`, `123456`, `FEDCBA`). */
export function hasSequentialRun(s: string, n = 6): boolean {
  let up = 1;
  let down = 1;
  for (let i = 1; i < s.length; i++) {
    const d = s.charCodeAt(i) - s.charCodeAt(i - 1);
    up = d === 1 ? up + 1 : 1;
    down = d === -1 ? down + 1 : 1;
    if (up >= n || down >= n) return true;
  }
  return false;
}

/**
 * Random key material, not a hand-typed example: enough entropy and no long alphabet or
 * digit runs. A real 32+ character key has a sequential run of 6 with odds near 1e-8.
 */
export function looksRandom(body: string, minEntropy = 3): boolean {
  if (body.length < 8) return false;
  if (hasSequentialRun(body)) return false;
  return entropy(body) >= Math.min(minEntropy, Math.log2(body.length) - 0.5);
}

/**
 * `assess` for a vendor key: the part after the public prefix must look random.
 * `rejectHex`: the vendor's keys are mixed-case alphanumerics, so an all-lower-case hex value
 * in that place is a digest or an id (a UUID without dashes, a git SHA), not the key.
 */
export function keyAssess(severity: Severity, prefix?: RegExp, opts: { rejectHex?: boolean; minEntropy?: number } = {}) {
  return (ctx: MatchContext): Severity | null => {
    const body = prefix ? ctx.secret.replace(prefix, '') : ctx.secret;
    if (opts.rejectHex && /^[0-9a-f]+$/.test(body)) return null;
    return looksRandom(body, opts.minEntropy) ? severity : null;
  };
}

// ---------------------------------------------------------------------------------------
// Paths
// ---------------------------------------------------------------------------------------

/**
 * A home directory written right before a dot-file (`~/`, `$HOME/`, `/home/u/`, `/root/`,
 * `C:\Users\u\`), tested on `pathBefore()`. The regexes themselves start at the dot-file: an
 * optional prefix in front of a regex makes V8 try a match at every position (5x slower).
 */
export const HOME_DIR = /^(?:~|\$HOME|\$\{HOME\}|%USERPROFILE%|%HOMEPATH%|\/root|\/home\/[^/\\\s]{1,64}|\/Users\/[^/\\\s]{1,64}|[A-Za-z]:\\Users\\[^/\\\s]{1,64})[\\/]$/;
/** An absolute or home-anchored location (`~/…`, `$HOME/…`, `/srv/app/…`, `C:\…`). */
export const ANCHORED = /^(?:~|\$\{?HOME\}?|%USERPROFILE%|%HOMEPATH%|[A-Za-z]:)?[\\/]/;

/** Start of a path: not glued to a word, a dot or a `$` (`process.env`, `import.meta.env`). */
export const PATH_START = String.raw`(?<![\w.$-])`;
/** Start of an absolute system path: may follow `../` (path traversal), not a word (`foo/etc/shadow`). */
export const ABS_PATH_START = String.raw`(?<![\w$-])`;
/** End of a path component: `.env` is not `.envoy`, `.env.example` is not `.env`. */
export const PATH_END = String.raw`(?![\w-]|\.[\w-])`;

export type PathUse = 'read' | 'mention' | 'benign';

const LOOKBACK = 160;

// The line before the path ends with one of these: ordinary use, not a read.
const IMMEDIATE_BENIGN = new RegExp(
  [
    // the path is an option's value: ssh -i, ssh-keygen -f, --kubeconfig, IdentityFile, HostKey
    String.raw`(?:^|\s)(?:-[if]|--identity-file|--key-?file|--kubeconfig|--env-file|--netrc-file|--config|--credentials-file|--shared-credentials-file|IdentityFile|HostKey|HostCertificate)\s*=?\s*["']?$`,
    // permission, listing, existence and removal commands do not read contents
    String.raw`\b(?:chmod|chown|chgrp)\b[^\n;|&]{0,80}\s["']?$`,
    String.raw`\b(?:ls|stat|touch|mkdir|rm|rmdir|unlink|shred|test|file|realpath|dirname|basename)\b(?:\s+-{1,2}[\w-]+)*\s+["']?$`,
    String.raw`\[\[?\s+-[a-z]\s+["']?$`,
    String.raw`\b(?:existsSync|exists|isfile|is_file|isFile|access|accessSync|unlink(?:Sync)?|rmSync|chmodSync)\s*\(\s*["'\`]?$`,
    // destination of a copy/move/link, or of a redirect: written, not read
    String.raw`\b(?:cp|mv|ln|install|COPY|ADD)\b(?:\s+-{1,2}[\w=/-]+)*\s+[^\s-]\S*\s+["']?$`,
    String.raw`(?:^|[\s\d&|])>{1,2}\s*["']?$`,
    String.raw`\btee\b(?:\s+-a)?\s+["']?$`,
    // configuration: KUBECONFIG=…, GOOGLE_APPLICATION_CREDENTIALS=…, HISTFILE=…
    String.raw`\b[A-Z][A-Z0-9_]{2,64}=["']?$`,
  ].join('|'),
);

// Commands whose name is also a common English word only count at a command position.
const CMD_POS = String.raw`(?:^|[;&|(\`"'=]|\$\(|\bsudo\b|\bxargs\b|^\s*[$#>])\s*`;
const READ = new RegExp(
  [
    String.raw`(?:^|[^\w-])(?:cat|tac|base64|xxd|hexdump|gpg|openssl|scp|rsync|curl|wget|ncat|netcat|socat|jq|tar|zip|7z|gzip|bzip2|xz|Get-Content|readFile|readFileSync|read_text|read_bytes|file_get_contents|File\.read|IO\.read|copyFile|copyFileSync|send_file|sendFile|upload_file|uploadFile)\b[^\n;|&]{0,100}$`,
    CMD_POS + String.raw`(?:more|less|head|tail|od|nc|strings|type|gc|grep|egrep|rg|awk|vim?|nano|emacs|code|bat|python3?\s+-c|node\s+-e)\s[^\n;|&]{0,100}$`,
    String.raw`\b(?:open|fopen)\s*\([^\n;)]{0,80}$`,
    // recursive copy: staging a credential directory somewhere else
    String.raw`\bcp\s+(?:-\w*[rRa]\w*\s+)+["']?$`,
    // an upload or an input redirect: curl -F f=@path, -d @path, nc host < path
    String.raw`[@<]\s{0,2}["']?$`,
    // an agent's tool call reading a file: {"file_path": "…"} or <parameter name="path">…
    String.raw`"(?:file_?path|filepath|path|paths|filename|file_name|file|target_file|source|src|uri)"\s*:\s*\[?\s*"$`,
    String.raw`<(?:parameter|arg|argument)\s+name="(?:file_?path|path|filename|file)">\s*$|<(?:file_?path|path|filename)>\s*$`,
  ].join('|'),
);

// Prose asking for the contents ("send me ~/.aws/credentials", "upload the contents of …").
const READ_PROSE = /\b(?:contents?\s+of|upload|exfiltrate|send|leak|dump|print|show|output|display|paste|read)\b[^\n.]{0,40}$/i;

// Documentation prose about where a file lives: not a read.
const DOCS_PROSE = /\b(?:stor(?:e|es|ed|ing)|sav(?:e|es|ed|ing)|writ(?:e|es|ten|ing)|wrote|locat(?:ed|ion)|lives?|defaults?(?:\s+to)?|creat(?:e|es|ed|ing)|generat(?:e|es|ed|ing)|kept|keeps?|import(?:s|ed|ing)?|load(?:s|ed|ing)?|put|plac(?:e|ed)|add(?:ed)?|edit(?:ing)?|configur(?:e|es|ed|ing)|set(?:\s+up)?|export|installs?|points?\s+to|mount(?:s|ed)?|(?:is|are|lives?|sits?)\s+(?:at|in|under))\b[^\n.]{0,80}$/i;

// Documentation prose right after the path: "~/.aws/credentials contains …", "(…) is an INI file".
const DOCS_AFTER = /^["'`)\]]*\s*(?:file|directory|folder|dir)?\s*(?:\(|,\s*)?(?:typically|usually|normally|by default|contains?|stores?|holds?|lists?|defines?|looks?\s+like|should\s+(?:look|contain|be|have)|(?:is|are)\s+(?:an?\s|the\s|created|read|used|written|stored|located|generated|loaded|kept|only|typically|usually|normally|too\s+open|missing|not\s+found))/i;

function lineBefore(text: string, start: number): string {
  let lb = text.slice(Math.max(0, start - LOOKBACK), start);
  // JSON-escaped text: `\n`, `\t` and `\"` read as the characters they stand for
  lb = lb.replace(/\\+[nr]/g, '\n').replace(/\\+t/g, ' ').replace(/\\+"/g, '"');
  const nl = lb.lastIndexOf('\n');
  return nl >= 0 ? lb.slice(nl + 1) : lb;
}

/** The path-like run that ends where the match starts (`https://host/` for `https://host/.env`). */
function tokenBefore(line: string): string {
  let i = line.length;
  while (i > 0 && !/[\s"'`<>()[\]{},;|&=@]/.test(line[i - 1] as string)) i--;
  return line.slice(i);
}

/** The directories written right before `start` (`/srv/app/` before `.env`), JSON escapes undone. */
export function pathBefore(text: string, start: number): string {
  return tokenBefore(lineBefore(text, start));
}

export interface PathUseOptions {
  /** checked before the read verbs: this family's idioms that look like reads but are not */
  benignFirst?: RegExp;
  /** checked after the read verbs: this family's ordinary uses (`ssh-add`, `useMultiFileAuthState(`) */
  benign?: RegExp;
  /** prose ("read", "send me", "contents of") counts as a read; default true */
  prose?: boolean;
}

/** How the path at `start` is used on its line. */
export function pathUse(text: string, start: number, opts: PathUseOptions = {}, end?: number): PathUse {
  const full = lineBefore(text, start);
  // the directories in front of the match (`/home/u/app/` before `.env`) belong to the path
  const token = tokenBefore(full);
  // part of a URL: a remote resource (`https://host/.env`), not a local file
  if (/^(?:https?|s?ftp|wss?):\/\//i.test(token)) return 'benign';
  const line = full.slice(0, full.length - token.length);
  if (IMMEDIATE_BENIGN.test(line)) return 'benign';
  if (opts.benignFirst?.test(line)) return 'benign';
  if (READ.test(line) || ((opts.prose ?? true) && READ_PROSE.test(line))) return 'read';
  if (opts.benign?.test(line)) return 'benign';
  if (DOCS_PROSE.test(line)) return 'benign';
  if (end !== undefined && DOCS_AFTER.test(text.slice(end, end + 80).replace(/\\+[nrt]/g, ' '))) return 'benign';
  return 'mention';
}

/** `assess` for a path rule: a read is `read`, a plain mention is `mention` (null = not a finding). */
export function pathAssess(
  severities: { read: Severity | null; mention: Severity | null },
  opts: PathUseOptions = {},
): (ctx: MatchContext) => Severity | null {
  return (ctx) => {
    const use = pathUse(ctx.text, ctx.match.index, opts, ctx.match.index + ctx.match[0].length);
    return use === 'benign' ? null : severities[use];
  };
}

/** Record skeleton for outbound EXFIL rules. */
export type ExfilRecord = Omit<PatternRecord, 'direction'> & { direction?: 'outbound' };
export function outbound(rec: ExfilRecord): PatternRecord {
  return { ...rec, direction: 'outbound' };
}
