// Shared context for the INJECTION families: what a matched command fetches from, whether the
// text around it speaks to an AI agent, whether it is quoted in a warning. Every pattern's
// `assess` decides severity from these signals (issue 6 item 4: an agent-directed imperative,
// a raw IP or plain-http host, base64 decoding, /tmp staging with chmod +x raise severity;
// ordinary install docs from well-known hosts lower it).
//
// Everything here works on bounded slices of the view text (a few hundred characters around
// the match), and the scanner calls `assess` at most a fixed number of times per view, so
// these helpers add constant work per match, never work proportional to the body.
import type { Severity } from '../../finding.ts';
import type { MatchContext } from '../types.ts';
import { decodeHtmlEntities, hasHtmlEntities } from '../../normalize/html-entities.ts';
import { jsonUnescape } from '../../normalize/json-unescape.ts';

const ORDER: readonly Severity[] = ['low', 'medium', 'high', 'critical'];

/** `base` raised by `steps` levels (negative lowers), clamped to low..critical. */
export function bump(base: Severity, steps: number): Severity {
  const i = ORDER.indexOf(base) + steps;
  return ORDER[Math.max(0, Math.min(ORDER.length - 1, i))] as Severity;
}

/** Up to `max` characters before `pos`, cut at the start of the text. */
export function before(text: string, pos: number, max: number): string {
  return text.slice(Math.max(0, pos - max), pos);
}

/**
 * The line holding [start, end): from the previous newline to the next, bounded on each side.
 * Searches only inside the bounds (a 1 MiB body without newlines must not be rescanned per call).
 */
export function lineAround(text: string, start: number, end: number, maxBefore = 600, maxAfter = 600): { line: string; offset: number } {
  const lo = Math.max(0, start - maxBefore);
  const nl = text.slice(lo, start).lastIndexOf('\n');
  const from = nl >= 0 ? lo + nl + 1 : lo;
  const hi = Math.min(text.length, end + maxAfter);
  const next = text.slice(end, hi).indexOf('\n');
  const to = next >= 0 ? end + next : hi;
  return { line: text.slice(from, to), offset: from };
}

/** The matched text plus the rest of its line (bounded), for flags that follow an operand. */
export function restOfLine(text: string, start: number, max = 400): string {
  const s = text.slice(start, Math.min(text.length, start + max));
  const next = s.indexOf('\n');
  return next >= 0 ? s.slice(0, next) : s;
}

/**
 * A quote character as it appears in the least-decoded view: plain, JSON-escaped (one or two
 * levels) or as an HTML entity. Decoded views hold only the lines a decoder changed, so a
 * multi-line snippet in an HTML page or a JSON string is whole only in the raw view: anchors
 * of code-shaped patterns accept the escaped forms and `plainWindow` decodes the window.
 */
export const Q = String.raw`(?:\\{0,3}["'\x60]|&(?:quot|#0?39|#x27|#34|apos|grave);)`;
export const GT = String.raw`(?:>|&gt;)`;
export const LT = String.raw`(?:<|&lt;)`;
export const AMP = String.raw`(?:&amp;|&)`;

/** A bounded window as a reader would see it: JSON escapes (two levels) and HTML entities undone. */
export function plainWindow(s: string): string {
  let t = s;
  for (let i = 0; i < 2 && t.includes('\\'); i++) t = jsonUnescape(t);
  return hasHtmlEntities(t) ? decodeHtmlEntities(t) : t;
}

/**
 * Whether the view holds HTML text nodes cut out of their page: a command split by markup
 * (`cat key.pub | ssh <span>host</span> "cat >> …"`) reaches such a view in pieces, so context
 * that would clear it may be missing there. The raw view (whose anchors accept `&gt;` etc.)
 * still sees the whole line; ambiguous cases are decided there.
 */
export function fragmentView(ctx: MatchContext): boolean {
  return (ctx.encodings ?? []).includes('html_entity');
}

/**
 * Appends a `secret` group: the match plus up to 240 characters before it on its line (a JSON
 * `\n` escape counts as a line end). The scanner keys candidates by rule id + secret; for a
 * match that is the same text for every command (ssh: the literal `authorized_keys`), the key
 * (and so the finding and its fingerprint) must carry the command in front of it. Runs only on
 * a successful match.
 */
export function keyed(re: RegExp): RegExp {
  return new RegExp(String.raw`(?:${re.source})(?<=(?<secret>(?:[^\n\\n]|(?<!\\)n|\\(?!n)){0,240}))`, re.flags);
}

// ---------------------------------------------------------------------------------------
// Agent-directed text. Only phrases that address an AI model or try to move it past its
// user count: "run the following command", "you should run", "you must run" are what every
// install page says, so ordinary doc imperatives do not raise anything.
const AGENT_DIRECTED = new RegExp(
  [
    String.raw`\b(?:ai|llm)\s+(?:agent|assistant|model)s?\b`,
    String.raw`\bif\s+you\s+are\s+an?\s+(?:ai|llm|language\s+model|assistant|agent|autonomous)`,
    String.raw`\b(?:attention|note|message|instructions?)\s+(?:to|for)\s+(?:the\s+|any\s+)?(?:ai|assistant|agent|model|llm|bot)s?\b`,
    String.raw`\bignore\s+(?:all\s+|any\s+|the\s+)?(?:previous|prior|above|earlier|preceding)\s+(?:instructions|prompts|messages|rules)`,
    String.raw`\b(?:do\s+not|don't|never)\s+(?:tell|inform|ask|notify|alert|warn)\s+the\s+(?:user|human|operator)`,
    String.raw`\bwithout\s+(?:asking|telling|informing|notifying|confirming\s+with|consulting)\s+the\s+(?:user|human|operator)`,
    String.raw`\[\s*(?:system|admin|developer)\s*(?:message|note|override)?\s*\]`,
    String.raw`<\s*/?\s*system\s*>`,
    String.raw`\bsystem\s+(?:override|instruction|directive)s?\b`,
    String.raw`\b(?:silently|quietly|secretly)\s+(?:run|execute)\b`,
  ].join('|'),
  'i',
);

/** Whether the text just before the match (bounded) addresses an AI agent. */
export function agentDirected(text: string, pos: number, window = 400): boolean {
  return AGENT_DIRECTED.test(before(text, pos, window));
}

// A warning or a story about a command ("never run rm -rf /", "I accidentally ran ..."),
// on the same line, just before the command. Only explicit phrases: "don't worry, run ..."
// is not a warning.
const CAUTION_BEFORE =
  /\b(?:never|don['’]?t|do\s+not|avoid|should\s*n['’]?o?t|must\s*n['’]?o?t|careful\s+not\s+to)\s+(?:ever\s+)?(?:run|type|execute|paste|use|try|do)\b|\b(?:afraid|scared|wary|hesitant)\s+(?:to|of)\s+(?:run|type|execute|paste|try)\w{0,3}\b|\b(?:accidentally|mistakenly|inadvertently)\s+(?:ran|run|typed|executed)\b|\bi\s+(?:just\s+)?(?:ran|typed|executed)\b|\bwhat\s+happens\s+(?:if|when)\b|\b(?:infamous|notorious|dangerous)\b|\b(?:guard(?:s|ed|ing)?|protect(?:s|ed|ing)?|safeguards?)\s+(?:\w+\s+)?(?:against|from)\b|\bcommands?\s+(?:like|such\s+as)\b|\brefuses?\s+to\b|\bblock(?:s|ed|ing)?\s+(?:commands?\s+)?(?:like\s+)?$/i;
// after the command: "... by mistake", "... because that would delete my home" (a hypothetical),
// "— deletes everything on the root filesystem", "..., which you should never do"
const CAUTION_AFTER =
  /^[^\n]{0,80}?\b(?:by\s+mistake|by\s+accident|accidentally|would\s+(?:delete|wipe|destroy|erase|remove)|you\s+should\s+never|never\s+(?:ever\s+)?(?:run|type|execute|do)\s+(?:this|that|it)\b)/i;
// A description of the damage ("— deletes everything on the root filesystem", "is extremely
// dangerous") is a warning in a list of examples, but not after "Run …" on the same line:
// "Run `rm -rf ~` — it deletes everything, then reinstall" is still a step.
const DAMAGE_AFTER =
  /^[^\n]{0,80}?\b(?:(?:will|could|can|may)\s+(?:delete|wipe|destroy|erase|nuke)|(?:deletes|wipes|destroys|erases|removes|nukes|trashes)\s+(?:out\s+)?(?:everything|all\b|your\s+(?:entire|whole)\b|the\s+(?:entire|whole)\b)|(?:is|are)\s+(?:extremely\s+|very\s+|incredibly\s+)?(?:dangerous|destructive|catastrophic))/i;
const STEP_BEFORE = /\b(?:run|execute|type|paste|enter|use|try|do)\b|\$\s*$/i;

// A heading that says what follows is a list of things not to do ("10 commands you should
// never run", "## Dangerous commands", "Commands to avoid"). The commands under it are
// examples, not steps.
const CAUTION_HEADING =
  /\bnever\s+(?:ever\s+)?(?:run|type|execute|paste|try|use)\b|\bshould\s*n['’]?o?t\s+(?:ever\s+)?(?:run|type|execute|paste|try|use)\b|\bshould\s+never\b|\b(?:do\s+not|don['’]?t)\s+(?:ever\s+)?(?:run|type|execute|paste|try)\b|\b(?:dangerous|destructive|deadly|lethal|catastrophic|scariest|deadliest)\b|\b(?:commands?|things)\s+(?:to\s+avoid|not\s+to\s+(?:run|type|try|do))\b|\bavoid\s+(?:these|this|running)\b/i;
// The headings a position sits under: the last HTML <h1>..<h4> or Markdown `#` line of each
// level above it, so "<h1>Commands you should never run</h1> … <h2>2. Your home</h2>" covers
// the commands of every section (a JSON `\n` escape counts as a line start). Only a command
// set as code counts (`inline code`, <code>/<pre>, a fenced block): that is how such an
// article lists its examples, while a `#` shell comment above a script line, or a bare
// command after the article, is not one of them. Heading bodies stop at `<` / the line end,
// so the scan is linear in the (bounded) window.
const HEADING = /<h([1-4])(?:\s[^<>]{0,200})?>([^<>]{1,200})<\/h[1-4]\s*>|(?:^|\n|\\n)(#{1,4})[ \t]{1,4}([^\n\\#]{1,200})/gi;
const HEADING_WINDOW = 6000;

/** Whether a heading above `pos` (within a bounded window) announces things not to do. */
export function cautionHeading(text: string, pos: number): boolean {
  const win = text.slice(Math.max(0, pos - HEADING_WINDOW), pos);
  // chain[level] = [heading text, is markdown, end offset]; a heading drops those below it
  const chain: Array<[string, boolean, number] | undefined> = [];
  const re = new RegExp(HEADING.source, HEADING.flags);
  for (let m = re.exec(win); m !== null; m = re.exec(win)) {
    const markdown = m[1] === undefined;
    const level = markdown ? (m[3] ?? '#').length : Number(m[1]);
    chain.length = level;
    chain[level] = [(markdown ? m[4] : m[2]) ?? '', markdown, m.index + m[0].length];
  }
  for (const h of chain) {
    if (!h) continue;
    const [heading, , end] = h;
    if (!setAsCode(win, end)) continue;
    if (CAUTION_HEADING.test(hasHtmlEntities(heading) ? decodeHtmlEntities(heading) : heading)) return true;
  }
  return false;
}

const FENCE = /(?:^|\n|\\n)[ \t]{0,3}(?:\x60{3}|~{3})/g;

/** Whether the end of `win` (where a command starts) is inside code: inline, a code tag, or a fence opened after `from`. */
function setAsCode(win: string, from: number): boolean {
  if (/(?:\x60|<(?:code|pre|kbd|samp)(?:\s[^<>]{0,80})?>)\s{0,2}(?:sudo\s{1,4})?$/i.test(win.slice(-40))) return true;
  const fences = win.slice(from).match(FENCE);
  return fences !== null && fences.length % 2 === 1;
}

// Text handed to a printing or message command (`echo "…"`, `printf '…'`, `git commit -m "…"`)
// is shown, not run -- unless it is then piped to a shell.
const MESSAGE_BEFORE = /(?:\b(?:echo|printf|logger|notify-send)|\s-m|\s--message=?|\s--title=?)\s{1,4}(?:-\w{1,3}\s{1,4})?["'][^"'\n]{0,160}$/;
const PIPED_ON = /^[^\n|]{0,120}\|\s{0,4}(?:sudo\s+(?:-\w+\s+)*)?(?:\S{0,20}\/)?(?:ba|z|da|k)?sh\b/;

/** Whether the command is quoted in a warning or an anecdote rather than given as a step. */
export function cautionary(text: string, start: number, end: number): boolean {
  const pre = before(text, start, 120);
  const nl = pre.lastIndexOf('\n');
  // the line itself, or the line just above when the command sits alone in a code block
  const sameLine = pre.slice(nl + 1);
  if (CAUTION_BEFORE.test(sameLine)) return true;
  if (MESSAGE_BEFORE.test(sameLine) && !PIPED_ON.test(text.slice(end, end + 160))) return true;
  if (sameLine.trim() === '' || /^\s*(?:\$|#|>|`{1,3}\w*)\s*$/.test(sameLine)) {
    // the line above, past blank lines and a code fence (a heading further up is
    // `cautionHeading`'s to judge)
    if (CAUTION_BEFORE.test(lineAbove(text, start - pre.length + nl))) return true;
  }
  const after = plainAfter(text, end);
  if (CAUTION_AFTER.test(after)) return true;
  // (a shell comment after the command, `rm -rf ~ # wipes everything`, is the script's own note)
  if (DAMAGE_AFTER.test(after) && !/^[^\n#]{0,20}#/.test(after) && !STEP_BEFORE.test(sameLine.replace(/<[^<>]{0,100}>/g, ''))) return true;
  return cautionHeading(text, start);
}

/** The nearest line above position `nl` (a newline) that is not blank or a code-fence/pre opener, bounded. */
function lineAbove(text: string, nl: number): string {
  let end = nl;
  for (let i = 0; i < 3 && end > 0; i++) {
    const lo = Math.max(0, end - 240);
    const prev = text.slice(lo, end).lastIndexOf('\n');
    const line = text.slice(prev >= 0 ? lo + prev + 1 : lo, end);
    if (!/^\s*(?:\x60{3}[\w-]*|~{3}[\w-]*|<(?:pre|code)(?:\s[^<>]{0,80})?>\s*(?:<code(?:\s[^<>]{0,80})?>)?)?\s*$/i.test(line)) return line;
    if (prev < 0) break;
    end = lo + prev;
  }
  return '';
}

/** Up to 80 characters after the command as a reader sees them (markup and entities dropped). */
function plainAfter(text: string, end: number): string {
  const s = text.slice(end, end + 200).replace(/<\/?[a-z][a-z0-9]{0,10}[^<>\n]{0,100}>/gi, '');
  return (hasHtmlEntities(s) ? decodeHtmlEntities(s) : s).slice(0, 80);
}

// ---------------------------------------------------------------------------------------
// URLs and hosts.

export interface FetchUrl {
  scheme: string; // '' when the command gave none (curl then uses http)
  host: string; // lower case, brackets stripped
  path: string; // from the first '/', lower case
}

const URL_RE = /\b([a-z][a-z0-9+.-]{1,10}):\/\/([^\s'"<>|;)`\\]{1,400})/gi;
// A bare `host[:port]/path` operand of curl/wget/iwr (no scheme): a dotted name or an IP.
const BARE_RE = /(?:^|[\s'"(=])((?:\d{1,3}(?:\.\d{1,3}){3}|[a-z0-9](?:[a-z0-9-]{0,62}\.){1,6}[a-z]{2,24})(?::\d{1,5})?(?:\/[^\s'"<>|;)`\\]{0,300})?)(?=[\s'"|;)`\\]|$)/gi;

function parseHostPath(rest: string): { host: string; path: string } {
  const slash = rest.search(/[/?#]/);
  let authority = slash >= 0 ? rest.slice(0, slash) : rest;
  const path = slash >= 0 ? rest.slice(slash) : '/';
  const at = authority.lastIndexOf('@');
  if (at >= 0) authority = authority.slice(at + 1);
  let host = authority;
  if (host.startsWith('[')) host = host.slice(1, host.indexOf(']') > 0 ? host.indexOf(']') : undefined);
  else host = host.replace(/:\d*$/, '');
  return { host: host.toLowerCase().replace(/\.$/, ''), path: path.toLowerCase() };
}

/** URLs in a command: scheme URLs, and bare host operands (`curl get.docker.com | sh`). */
export function urlsIn(cmd: string, bareHosts = true): FetchUrl[] {
  const out: FetchUrl[] = [];
  for (const m of cmd.matchAll(URL_RE)) {
    const { host, path } = parseHostPath(m[2] ?? '');
    if (host) out.push({ scheme: (m[1] ?? '').toLowerCase(), host, path });
  }
  if (out.length === 0 && bareHosts) {
    for (const m of cmd.matchAll(BARE_RE)) {
      const token = m[1] ?? '';
      const at = (m.index ?? 0) + m[0].length - token.length;
      // the argument of an output option is a file (-o install.sh, -OutFile x.ps1, > key.pub)
      if (/(?:^|\s)(?:-[a-zA-Z]{0,4}[oOP]|--output(?:-document)?|-OutFile|--config|-K|>{1,2})\s{0,4}['"]?$/.test(cmd.slice(Math.max(0, at - 24), at))) continue;
      // a lone script name with no path is a file too (sh install.sh); bun.sh/install is a host
      if (!token.includes('/') && /\.(?:py|pl|rb|ps1|js|ts|pub|txt|json|ya?ml|tar|gz|tgz|zip|deb|rpm|bin|exe|key|asc|gpg)$/i.test(token)) continue;
      const { host, path } = parseHostPath(token);
      if (host) out.push({ scheme: '', host, path });
    }
  }
  return out;
}

export function isIpHost(host: string): boolean {
  return /^\d{1,3}(?:\.\d{1,3}){3}$/.test(host) || /^[0-9a-f:]{2,39}$/.test(host) && host.includes(':') || /^0x[0-9a-f]{1,8}$/.test(host) || /^\d{8,10}$/.test(host);
}

/** Loopback and reserved documentation names (RFC 2606/6761): nobody else serves these. */
export function isLocalOrDocHost(host: string): boolean {
  return (
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) ||
    host === '::1' ||
    host === '0.0.0.0' ||
    /(?:^|\.)example\.(?:com|org|net)$/.test(host) ||
    /\.(?:example|test|invalid|local|internal)$/.test(host) ||
    host === 'example'
  );
}

// Well-known installer hosts: the vendor-documented `curl … | sh` entry points of widely used
// tools, served over https from a host the vendor controls. A fetch-and-run from these is still
// reported (it IS remote code run unseen), but at low severity: it is what install docs say.
// Shared hosting (raw.githubusercontent.com, github.com) is listed per repository, never whole:
// anyone can publish a script there.
interface KnownInstaller {
  host: string;
  /** path prefix (lower case); absent: the whole host */
  path?: string;
}

export const WELL_KNOWN_INSTALLERS: readonly KnownInstaller[] = [
  // languages and toolchains
  { host: 'sh.rustup.rs' }, { host: 'static.rust-lang.org' }, { host: 'rustup.rs' },
  { host: 'deb.nodesource.com' }, { host: 'rpm.nodesource.com' },
  { host: 'bun.sh' }, { host: 'deno.land' }, { host: 'deno.com' }, { host: 'get.pnpm.io' },
  { host: 'get.volta.sh' }, { host: 'fnm.vercel.app' },
  { host: 'astral.sh' }, { host: 'install.python-poetry.org' }, { host: 'pyenv.run' },
  { host: 'bootstrap.pypa.io' }, { host: 'pixi.sh' },
  { host: 'get.sdkman.io' }, { host: 'get.rvm.io' }, { host: 'get-ghcup.haskell.org' },
  { host: 'get.haskellstack.org' }, { host: 'install.julialang.org' }, { host: 'dot.net' },
  { host: 'dotnet.microsoft.com' }, { host: 'go.dev' }, { host: 'mise.run' }, { host: 'mise.jdx.dev' },
  { host: 'foundry.paradigm.xyz' }, { host: 'release.solana.com' }, { host: 'release.anza.xyz' },
  { host: 'wasmtime.dev' }, { host: 'get.wasmer.io' }, { host: 'opam.ocaml.org' },
  { host: 'sh.vector.dev' }, { host: 'repo.anaconda.com' }, { host: 'micro.mamba.pm' },
  // containers, clusters, clouds, package repositories
  { host: 'get.docker.com' }, { host: 'test.docker.com' }, { host: 'download.docker.com' },
  { host: 'get.k3s.io' }, { host: 'get.helm.sh' }, { host: 'sdk.cloud.google.com' },
  { host: 'packages.microsoft.com' }, { host: 'aka.ms', path: '/installazureclideb' },
  { host: 'tailscale.com', path: '/install.sh' }, { host: 'fly.io', path: '/install.sh' },
  { host: 'cli.github.com' }, { host: 'apt.releases.hashicorp.com' }, { host: 'rpm.releases.hashicorp.com' },
  { host: 'install.determinate.systems' }, { host: 'nixos.org' }, { host: 'releases.nixos.org' },
  { host: 'get.acme.sh' }, { host: 'code-server.dev' }, { host: 'get.chezmoi.io' }, { host: 'starship.rs' },
  { host: 'ollama.com', path: '/install.' }, { host: 'ollama.ai', path: '/install.' },
  { host: 'claude.ai', path: '/install.' }, { host: 'install.ohmyz.sh' },
  // agent platforms this guardian sits beside, and other agent CLIs
  { host: 'openclaw.ai', path: '/install' }, { host: 'opencode.ai', path: '/install' }, { host: 'cursor.com', path: '/install' },
  { host: 'install.pi-hole.net' }, { host: 'pkgx.sh' }, { host: 'firebase.tools' }, { host: 'cli-assets.heroku.com' },
  { host: 'webi.sh' }, { host: 'webinstall.dev' },
  // vendor package repositories' setup scripts (git-lfs, gitlab-runner ...)
  { host: 'packagecloud.io', path: '/install/repositories/' }, { host: 'packages.gitlab.com', path: '/install/repositories/' },
  { host: 'get.scoop.sh' }, { host: 'community.chocolatey.org' }, { host: 'chocolatey.org', path: '/install.ps1' },
  { host: 'brew.sh' },
  // shared hosts: one repository each
  { host: 'raw.githubusercontent.com', path: '/homebrew/install/' },
  { host: 'raw.githubusercontent.com', path: '/nvm-sh/nvm/' },
  { host: 'raw.githubusercontent.com', path: '/creationix/nvm/' },
  { host: 'raw.githubusercontent.com', path: '/ohmyzsh/ohmyzsh/' },
  { host: 'raw.githubusercontent.com', path: '/robbyrussell/oh-my-zsh/' },
  { host: 'raw.githubusercontent.com', path: '/helm/helm/' },
  { host: 'raw.githubusercontent.com', path: '/k3d-io/k3d/' },
  { host: 'raw.githubusercontent.com', path: '/rancher/k3d/' },
  { host: 'raw.githubusercontent.com', path: '/pyenv/pyenv-installer/' },
  { host: 'raw.githubusercontent.com', path: '/python-poetry/install.python-poetry.org/' },
  { host: 'raw.githubusercontent.com', path: '/python-poetry/poetry/' },
  { host: 'raw.githubusercontent.com', path: '/golangci/golangci-lint/' },
  { host: 'raw.githubusercontent.com', path: '/kubernetes-sigs/kustomize/' },
  { host: 'raw.githubusercontent.com', path: '/tj/n/' },
  { host: 'raw.githubusercontent.com', path: '/rvm/rvm/' },
  { host: 'raw.githubusercontent.com', path: '/sdkman/' },
  { host: 'raw.githubusercontent.com', path: '/jdx/mise/' },
  { host: 'raw.githubusercontent.com', path: '/ocaml/opam/' },
  { host: 'raw.githubusercontent.com', path: '/docker/docker-install/' },
  { host: 'raw.githubusercontent.com', path: '/anchore/' },
  { host: 'raw.githubusercontent.com', path: '/aquasecurity/trivy/' },
];

export function isWellKnownInstaller(u: FetchUrl): boolean {
  return WELL_KNOWN_INSTALLERS.some(
    (k) => (u.host === k.host || u.host.endsWith('.' + k.host)) && (k.path === undefined || u.path.startsWith(k.path)),
  );
}

export type HostClass = 'none' | 'known' | 'local' | 'other';

export interface FetchSignals {
  urls: FetchUrl[];
  /** 'known': every fetched URL is a well-known installer (or local); 'local': all loopback/doc hosts */
  hostClass: HostClass;
  rawIp: boolean;
  plainHttp: boolean;
}

/** Where a command fetches from, and the host signals that raise or lower its severity. */
export function fetchSignals(cmd: string): FetchSignals {
  const urls = urlsIn(cmd).filter((u) => /^(?:https?|ftp|)$/.test(u.scheme));
  const rawIp = urls.some((u) => isIpHost(u.host) && !isLocalOrDocHost(u.host));
  const plainHttp = urls.some((u) => (u.scheme === 'http' || u.scheme === 'ftp') && !isLocalOrDocHost(u.host));
  let hostClass: HostClass = 'none';
  if (urls.length) {
    if (urls.every((u) => isLocalOrDocHost(u.host))) hostClass = 'local';
    // plain http to a well-known host stays 'known' here and is raised by `plainHttp`
    else if (urls.every((u) => isLocalOrDocHost(u.host) || isWellKnownInstaller(u))) hostClass = 'known';
    else hostClass = 'other';
  }
  return { urls, hostClass, rawIp, plainHttp };
}

// Decoding stages: what hides a payload from a reader.
export const DECODE_STAGE =
  /\bbase64\s{1,4}(?:-[a-zA-Z]{0,3}[dD]\b|--decode\b)|\bxxd\s{1,4}(?:-[a-z]{1,4}\s{1,4}){0,3}-r|\bopenssl\s{1,4}(?:enc\s{1,4})?(?:-[a-z0-9-]{1,12}\s{1,4}){0,3}-(?:d|base64\s{1,4}-d)\b|\bbase32\s{1,4}(?:-d|--decode)\b|\bgunzip\b|\bzcat\b|\brev\s*\||printf\s{1,4}['"]?(?:\\x[0-9a-fA-F]{2}){4}/;

// Staging an executable in a world-writable place.
export function tmpExec(cmd: string): boolean {
  return /(?:^|[\s'"=>;&(])\/(?:tmp|dev\/shm|var\/tmp)\b|\bcd\s{1,4}\/(?:tmp|dev\/shm|var\/tmp)\b/.test(cmd) && /\bchmod\s{1,4}(?:-[a-zA-Z]{1,3}\s{1,4})?(?:[ugoa]{0,3}\+[rwx]{0,2}x|[0-7]{0,2}[1357][0-7]{0,2}|[0-7]{0,2}7)/.test(cmd);
}

/** A placeholder where a URL should be: documentation, not a command anyone can run. */
export function placeholderOnly(args: string): boolean {
  const a = (' ' + args).replace(/\s-{1,2}[A-Za-z][\w-]{0,30}/g, ' ').trim();
  if (a === '') return true;
  return /^(?:['"]?(?:\.\.\.|…|<[^>]{0,80}>|\[[^\]]{0,80}\]|\{[^}]{0,40}\}|url|URL|the[-_ ]url|link)['"]?\s*)+$/.test(a);
}

/** Severity of a fetch-and-run, from the host it fetches from and the signals around it. */
export function fetchRunSeverity(opts: {
  signals: FetchSignals;
  /** severity when the host is unknown (or given only as a variable) */
  base: Severity;
  /** severity when nothing is fetched from a host we can name (a variable, stdin) */
  noHost: Severity;
  extraRaises: number;
  ctx: MatchContext;
}): Severity {
  const { signals, ctx } = opts;
  let raises = opts.extraRaises;
  if (signals.rawIp) raises++;
  if (signals.plainHttp) raises++;
  if (agentDirected(ctx.text, ctx.match.index)) raises++;
  switch (signals.hostClass) {
    case 'known':
    case 'local':
      return bump('low', raises);
    case 'none':
      return bump(opts.noHost, raises);
    default:
      return bump(opts.base, raises);
  }
}
