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
    // a list of files: {"files": ["~/.ssh/id_ed25519", "…"]} (a later element: after one earlier element)
    String.raw`"(?:files|paths|file_?paths|filenames)"\s*:\s*\[(?:\s*"[^"\n]{1,100}"\s*,)?\s*"$`,
    // a multipart upload: Content-Disposition: form-data; name="file"; filename=".env.production"
    String.raw`\bfilename\*?=\s*["']?$`,
  ].join('|'),
);

// Prose asking for the contents ("send me ~/.aws/credentials", "upload the contents of …").
const READ_PROSE = /\b(?:contents?\s+of|upload(?:s|ed|ing)?|exfiltrat(?:e|es|ed|ing)|send(?:s|ing)?|sent|leak(?:s|ed|ing)?|dump(?:s|ed|ing)?|print|show|output|display|paste|read|cop(?:y|ies|ied|ying)|gather(?:s|ed|ing)?|collect(?:s|ed|ing)?)\b[^\n.]{0,40}$/i;
// ... unless the path is where something goes ("copy the file to ~/.kube/config"): a destination.
const PROSE_DESTINATION = /\b(?:to|into|onto|in)\s+(?:the\s+)?["'`]?$/i;
// A command's error right after the path: `cat: .env: No such file or directory`, `Permission denied`.
const READ_FAILED = /^["'\u2019`]?:\s*(?:No such file or directory|Permission denied|Is a directory|cannot open|not found|Operation not permitted)/i;
// Prose right after the path that sends what was just named: "… ~/.docker/config.json (…). Sending them to …".
const READ_AFTER = /^[^\n]{0,160}?\b(?:send(?:s|ing)?|upload(?:s|ing)?|post(?:s|ing)?|exfiltrat(?:e|es|ing)|forward(?:s|ing)?)\s+(?:them|it|this|these|those)\b/i;

// Documentation prose about where a file lives: not a read.
const DOCS_PROSE = /\b(?:stor(?:e|es|ed|ing)|sav(?:e|es|ed|ing)|writ(?:e|es|ten|ing)|wrote|locat(?:ed|ion)|lives?|defaults?(?:\s+to)?|creat(?:e|es|ed|ing)|generat(?:e|es|ed|ing)|kept|keeps?|import(?:s|ed|ing)?|load(?:s|ed|ing)?|put|plac(?:e|ed)|add(?:ed)?|edit(?:ing)?|configur(?:e|es|ed|ing)|set(?:\s+up)?|export|installs?|points?\s+to|mount(?:s|ed)?|(?:is|are|lives?|sits?)\s+(?:at|in|under))\b[^\n.]{0,80}$/i;

// Documentation prose right after the path: "~/.aws/credentials contains …", "(…) is an INI file".
const DOCS_AFTER = /^["'`)\]]*\s*(?:file|directory|folder|dir)?\s*(?:\(|,\s*)?(?:typically|usually|normally|by default|contains?|stores?|holds?|lists?|defines?|looks?\s+like|should\s+(?:look|contain|be|have)|(?:is|are)\s+(?:an?\s|the\s|created|read|used|written|stored|located|generated|loaded|kept|only|typically|usually|normally|too\s+open|missing|not\s+found))/i;

function lineBefore(text: string, start: number): string {
  let lb = text.slice(Math.max(0, start - LOOKBACK), start);
  // JSON-escaped text: `\n`, `\t` and `\"` read as the characters they stand for
  lb = lb.replace(/\\+[nr]/g, '\n').replace(/\\+t/g, ' ').replace(/\\+"/g, '"');
  const nl = lb.lastIndexOf('\n');
  if (nl >= 0) lb = lb.slice(nl + 1);
  // the end of a JSON object or array (`…"}]},{"role":…`) ends a line too: a command in an
  // earlier message is not the verb of this one
  let cut = -1;
  for (const m of lb.matchAll(JSON_CLOSE)) cut = m.index + m[0].length;
  return cut >= 0 ? lb.slice(cut) : lb;
}
const JSON_CLOSE = /"\s{0,4}[}\]]/g;

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

/**
 * Keys whose value names a file the program uses in the ordinary way (a setting), not a file
 * being read out: `"kubeconfig": "~/.kube/config"`, `identity_file=~/.ssh/id_rsa`.
 */
const SETTING_KEY = /(?:key|identity|cert|kubeconfig|config|hist|env_?file|credentials?_?file|dir|home|location|default|output|out|dest|target|to)[\w.-]{0,16}$/i;
/** Search terms are not file reads (`?q=.env` to a code search). */
const SEARCH_KEY = /^(?:q|query|search|term|terms|keywords?|text|prompt)$/i;

/**
 * The path is the whole value of a query parameter, a form field or a JSON string (after
 * decoding): `?src=/home/node/.ssh/id_rsa`, `file=%2Fhome%2Fpi%2F.openclaw%2F.env&mode=full`,
 * `{"p": "/proc/self/environ"}`. An agent sends a bare path as a value to say which file.
 */
function wholeValue(text: string, start: number, end: number, line: string, location: string | undefined): boolean {
  const after = text.slice(end, end + 4);
  // a query part: the text is the value
  if (location?.startsWith('query:')) {
    if (SEARCH_KEY.test(location.slice(6))) return false;
    return /^\s*$/.test(line) && /^\s*$/.test(after);
  }
  // a form field: name=value between `&`s (or alone on its line)
  const form = /(?:^|&)([\w.[\]-]{1,64})=$/.exec(line);
  if (form) return /^(?:&|\r?\n|$)/.test(after) && !SETTING_KEY.test(form[1] as string) && !SEARCH_KEY.test(form[1] as string);
  // a JSON string value: {"key": "path"} (JSON escapes already undone in the line)
  const json = /"([\w.-]{1,64})"\s*:\s*"$/.exec(line);
  if (json) return /^\\*"\s*[,}]/.test(after) && !SETTING_KEY.test(json[1] as string) && !SEARCH_KEY.test(json[1] as string);
  return false;
}

export interface PathUseOptions {
  /** checked before the read verbs: this family's idioms that look like reads but are not */
  benignFirst?: RegExp;
  /** checked after the read verbs: this family's ordinary uses (`ssh-add`, `useMultiFileAuthState(`) */
  benign?: RegExp;
  /** prose ("read", "send me", "contents of") counts as a read; default true */
  prose?: boolean;
}

/** How the path at `start` is used on its line (`location`: the part it came from, `query:src`). */
export function pathUse(text: string, start: number, opts: PathUseOptions = {}, end?: number, location?: string): PathUse {
  const full = lineBefore(text, start);
  // the directories in front of the match (`/home/u/app/` before `.env`) belong to the path
  const token = tokenBefore(full);
  // part of a URL: a remote resource (`https://host/.env`), not a local file
  if (/^(?:https?|s?ftp|wss?):\/\//i.test(token)) return 'benign';
  const line = full.slice(0, full.length - token.length);
  if (IMMEDIATE_BENIGN.test(line)) return 'benign';
  if (opts.benignFirst?.test(line)) return 'benign';
  // a failed read's error message (`cat: .env: No such file or directory`): nothing was read
  if (end !== undefined && READ_FAILED.test(text.slice(end, end + 60))) return 'benign';
  if (READ.test(line)) return 'read';
  if (end !== undefined && wholeValue(text, start, end, line, location)) return 'read';
  if ((opts.prose ?? true) && READ_PROSE.test(line) && !PROSE_DESTINATION.test(line)) return 'read';
  if ((opts.prose ?? true) && end !== undefined && READ_AFTER.test(text.slice(end, end + 200))) return 'read';
  if (opts.benign?.test(line)) return 'benign';
  if (DOCS_PROSE.test(line)) return 'benign';
  if (end !== undefined && DOCS_AFTER.test(text.slice(end, end + 80).replace(/\\+[nrt]/g, ' '))) return 'benign';
  return 'mention';
}

/** How the matched path is used, with the part it came from (a whole query value is a read). */
export function pathUseOf(ctx: MatchContext, opts: PathUseOptions = {}): PathUse {
  return pathUse(ctx.text, ctx.match.index, opts, ctx.match.index + ctx.match[0].length, ctx.location);
}

/** LLM API hosts: a request there carries the agent's own conversation (its transcript). */
export const LLM_API_HOST =
  /^(?:api\.anthropic\.com|api\.openai\.com|[\w-]{1,63}\.openai\.azure\.com|generativelanguage\.googleapis\.com|[\w-]{1,40}-aiplatform\.googleapis\.com|aiplatform\.googleapis\.com|openrouter\.ai|api\.groq\.com|(?:api|codestral)\.mistral\.ai|api\.deepseek\.com|api\.x\.ai|api\.perplexity\.ai|api\.cohere\.(?:com|ai)|api\.together\.(?:xyz|ai)|api\.fireworks\.ai|router\.huggingface\.co|api-inference\.huggingface\.co|bedrock-runtime\.[\w-]{1,30}\.amazonaws\.com)$/;

const TRANSCRIPT_LOOKBACK = 600;
// The nearest structural key before the path: a tool call's keys, or a key of anything else
// (a tool result, a message's text). Keys may be JSON-escaped (`\"arguments\"`).
const TRANSCRIPT_KEY =
  /\\*"(tool_use|tool_calls|function_call|functionCall|input|arguments|args|tool_result|function_call_output|functionResponse|content|text|output|result|role|system|messages|contents|parts)\\*"\s*:/g;
const TOOL_CALL_KEYS = new Set(['tool_use', 'tool_calls', 'function_call', 'functionCall', 'input', 'arguments', 'args']);

/**
 * The path sits inside the model's own past tool call (`"tool_use"` input, `"tool_calls"`
 * arguments, `"function_call"`) in a request to an LLM API: the transcript replays the agent's
 * history on every turn. What a read returned is in the tool result, where the key families look.
 */
export function inOwnToolCall(ctx: MatchContext): boolean {
  if (!LLM_API_HOST.test(ctx.destHost)) return false;
  const start = ctx.match.index;
  const window = ctx.text.slice(Math.max(0, start - TRANSCRIPT_LOOKBACK), start);
  // "type":"tool_use" is a value, not a key, in Anthropic's and the Responses API's shapes
  const typed = /\\*"type\\*"\s*:\s*\\*"(?:tool_use|function_call|server_tool_use)\\*"/g;
  let lastKey = '';
  let lastAt = -1;
  for (const m of window.matchAll(TRANSCRIPT_KEY)) {
    lastKey = m[1] as string;
    lastAt = m.index;
  }
  // A JSON-escape view holds just the decoded string literal: `"{"command":"cat …"}"`. In a
  // request to an LLM API, a string that holds a JSON object is a tool call's `arguments`
  // (OpenAI Chat and Responses send them that way; Anthropic and Gemini send objects, seen above).
  if (lastKey === '' && start <= TRANSCRIPT_LOOKBACK && ctx.encodings.includes('json_escape')) return /^"?\{/.test(window);
  if (!TOOL_CALL_KEYS.has(lastKey)) return false;
  if (lastKey !== 'input' && lastKey !== 'arguments' && lastKey !== 'args') return true;
  // `input`/`arguments`/`args`: only a tool call's (a typed tool_use / function_call block, or
  // inside tool_calls / functionCall)
  const head = window.slice(0, lastAt);
  let typedAt = -1;
  for (const m of head.matchAll(typed)) typedAt = m.index;
  let containerAt = -1;
  for (const m of head.matchAll(/\\*"(?:tool_calls|functionCall|function_call)\\*"\s*:/g)) containerAt = m.index;
  let otherAt = -1;
  for (const m of head.matchAll(/\\*"(?:tool_result|function_call_output|functionResponse|content|text|role)\\*"\s*:|\\*"type\\*"\s*:\s*\\*"(?:tool_result|text|function_call_output)\\*"/g)) otherAt = m.index;
  return Math.max(typedAt, containerAt) > otherAt;
}

/** A read's severity: `low` when it is the agent's own past tool call replayed to its model. */
export function readSeverity(ctx: MatchContext, severity: Severity | null): Severity | null {
  if (severity === null || severity === 'low') return severity;
  return inOwnToolCall(ctx) ? 'low' : severity;
}

/** `assess` for a path rule: a read is `read`, a plain mention is `mention` (null = not a finding). */
export function pathAssess(
  severities: { read: Severity | null; mention: Severity | null },
  opts: PathUseOptions = {},
): (ctx: MatchContext) => Severity | null {
  return (ctx) => {
    const use = pathUseOf(ctx, opts);
    if (use === 'benign') return null;
    return use === 'read' ? readSeverity(ctx, severities.read) : severities[use];
  };
}

/** Record skeleton for outbound EXFIL rules. */
export type ExfilRecord = Omit<PatternRecord, 'direction'> & { direction?: 'outbound' };
export function outbound(rec: ExfilRecord): PatternRecord {
  return { ...rec, direction: 'outbound' };
}
