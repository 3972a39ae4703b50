import type { PatternRecord, MatchContext } from '../types.ts';
import type { Severity } from '../../finding.ts';
import { agentDirected, bump, cautionary, restOfLine } from './context.ts';

// destructive_rm: recursive deletion aimed at the filesystem root, a home directory or a
// top-level system directory. Target-aware in the regex itself, so the everyday deletions that
// fill Makefiles, Dockerfiles and package.json scripts never even match (and never use up the
// scanner's per-view match budget): `rm -rf node_modules`, `rm -rf dist build`, `rm -rf ./out`,
// `rm -rf /var/lib/apt/lists/*`, `rm -rf /tmp/foo`, `rm -rf ~/.cache/pip`, `rm -rf "$TMPDIR/x"`,
// `rm -rf /usr/share/doc/*`.
//
// Severity, in `assess`:
//   - critical: `/`, `/*`, `~`, `~/`, `~/*`, `$HOME`, `${HOME}`, or `--no-preserve-root` anywhere;
//   - high: a top-level system directory itself or all of its contents (`/etc`, `/usr/*`,
//     `/var`, `/boot`, `/home/*`, `/usr/lib` ...);
//   - +1 (to critical) when the text around it addresses an AI agent;
//   - low when the command is quoted in a warning or an anecdote on the same line ("never run
//     rm -rf /", "I accidentally ran sudo rm -rf ~", "guard against rm -rf /") or handed to a
//     printing/message command (`echo "…"`, `git commit -m "…"`) that is not piped to a shell
//     -- a safety article or a commit log, not an instruction;
//   - a quoted `"~"` is a literal directory named ~ (a classic clean-up question): low;
//   - script variables stay variables: `rm -rf "${BUILD_DIR}/"`, `rm -rf ${BUILD_DIR}/`,
//     `rm -rf $1/*` never match (the shell view drops expansions only inside a word, R1).
// The same command quoted in a warning and given as a step is one finding at the higher
// severity (the scanner keeps the more severe candidate per rule and match, R2).
//   - quiet without a recursive flag (-r, -R, --recursive, in any cluster or order, also after
//     the operand): `rm -f /*` only unlinks files directly under `/`, and `rm ~/x` is a file.
// Not covered on purpose: `rm -rf *` / `rm -rf .` (relative to a working directory the
// guardian cannot see; build docs clean output dirs this way), `mkfs` (disk-setup guides name
// the new, empty disk they just had you attach: too common in benign docs).

// One user's home (`/home/olduser`) is left out on purpose: removing it after `userdel` is a
// documented admin step; all homes (`/home`, `/home/*`) and the agent's own (`~`, `$HOME`) are in.
const SYSTEM_DIRS = [
  'etc', 'usr', 'bin', 'sbin', 'boot', 'var', 'lib', 'lib32', 'lib64', 'libx32', 'opt', 'srv', 'dev', 'proc', 'sys',
  'root', 'home', 'mnt', 'media', 'run', 'System', 'Library', 'Applications', 'Users', 'private',
  String.raw`usr\/(?:bin|sbin|lib|lib64|local|share|include|libexec)`, String.raw`var\/(?:lib|db)`,
  String.raw`private\/(?:etc|var)`,
].join('|');

/** A dangerous deletion target: root, home, or a top-level system dir, optionally quoted, optionally `/*`. */
const TARGET =
  String.raw`(?<target>['"]?(?:\/(?:\*|\.)?|\/(?:${SYSTEM_DIRS})\/?\*?|~(?:root)?(?:\/\*?)?|\$\{?HOME\}?(?:\/\*?)?)['"]?)` +
  String.raw`(?=[\s;|&)\x60'"<>\\]|$)`;
/**
 * White space between the words of one command: blanks, or a `\`-newline continuation (with
 * the indentation around it). Never a bare newline: the next line is another command, and
 * its words (a Dockerfile's `WORKDIR /srv`, a script's `cd /etc`) are not rm operands.
 */
const SP = String.raw`(?:[ \t]{1,8}(?:\\\r?\n[ \t]{0,8})?|\\\r?\n[ \t]{0,8})`;
const SUDO = String.raw`(?:sudo${SP}(?:-[\w-]{1,10}${SP}){0,3})?`;
/**
 * Up to 6 words between the command and the target: flags and other operands (never another
 * `rm`). Each word is taken whole (lookahead + backreference = an atomic group): a shorter
 * piece of a word can never be followed by the white space that must come next, so giving
 * them up one character at a time would only cost time.
 */
const WORDS = String.raw`(?:${SP}(?!rm\s)(?=((?:[^\s;|&<>()\x60\\]|\\(?![nrt]|\r?\n)){1,100}))\1){0,6}`;

const RM = new RegExp(String.raw`(?<![\w.-])${SUDO}rm['"]?(?=[ \t\\])${WORDS}${SP}(?:${TARGET}|--no-preserve-root\b)`, 'g');

type TargetClass = 'root' | 'home' | 'system' | 'quoted' | null;

function classify(target: string | undefined): TargetClass {
  if (!target) return null;
  const quoted = /^['"]/.test(target);
  const t = target.replace(/^['"]|['"]$/g, '');
  if (/^(?:~(?:root)?|\$\{?HOME\}?)(?:\/\*?)?$/.test(t)) {
    // a quoted ~ is a literal directory named "~" (a classic clean-up question), not home
    if (quoted && t.startsWith('~')) return 'quoted';
    return 'home';
  }
  if (/^\/(?:\*|\.)?$/.test(t)) return 'root';
  return 'system';
}

/**
 * The command's words up to the end of its segment (`;`, `&&`, `||`, `|`, newline); a
 * `\`-newline continuation joins the next line, as the shell does.
 */
function segment(text: string, start: number): string {
  const joined = text.slice(start, Math.min(text.length, start + 600)).replace(/\\\r?\n/g, ' ');
  return restOfLine(joined, 0, 600).split(/;|&&|\|\||\||(?<![<>])&(?![>\d])/)[0] ?? '';
}

function recursive(words: string[]): boolean {
  for (const w of words) {
    if (w === '--') break;
    if (w === '--recursive' || /^-[a-zA-Z]*[rR][a-zA-Z]*$/.test(w)) return true;
  }
  return false;
}

function severityFor(cls: TargetClass, noPreserveRoot: boolean, ctx: MatchContext): Severity | null {
  let sev: Severity;
  if (noPreserveRoot || cls === 'root' || cls === 'home') sev = 'critical';
  else if (cls === 'system') sev = 'high';
  else if (cls === 'quoted') sev = 'low';
  else return null;
  const end = ctx.match.index + ctx.match[0].length;
  if (agentDirected(ctx.text, ctx.match.index)) return bump(sev, 1);
  if (cautionary(ctx.text, ctx.match.index, end)) return 'low';
  return sev;
}

export const DESTRUCTIVE_RM_PATTERNS: PatternRecord[] = [
  {
    id: 'destructive_rm/rm_recursive',
    family: 'destructive_rm',
    direction: 'inbound',
    severity: 'critical',
    description: 'recursive rm of /, /*, a home directory or a top-level system directory, or with --no-preserve-root',
    keywords: ['rm'],
    keywordsAtWordStart: true,
    regex: RM,
    assess: (ctx) => {
      const seg = segment(ctx.text, ctx.match.index);
      // words end at markup or quoting around the command (`-rf</code>`, `-rf"}`)
      const words = seg.trim().split(/\s+/).map((w) => w.replace(/[<"'`)\\].*$/, ''));
      if (!recursive(words)) return null;
      const noPreserveRoot = words.includes('--no-preserve-root');
      return severityFor(classify(ctx.match.groups?.target), noPreserveRoot, ctx);
    },
    examples: {
      tp: [
        'rm -rf /',
        'sudo rm -rf --no-preserve-root /',
        'rm -fr /*',
        'rm -r -f ~',
        'rm --recursive --force $HOME',
        'rm -rf ~/',
        'sudo rm -Rf /etc',
        'rm -rf ${HOME}/*',
        'rm /usr -rf',
        'rm -rf dist /',
        'echo "rm -rf /*" | sudo sh',
        // a `\`-newline continuation is white space, as in the shell
        'sudo rm -rf \\\n    /etc',
        'rm -rf \\\n  --no-preserve-root /',
      ],
      fp: [
        'rm -rf node_modules',
        'rm -rf dist build',
        'rm -rf ./build',
        'rm -rf /var/lib/apt/lists/*',
        'rm -rf /tmp/foo',
        'rm -rf ~/.cache/pip',
        'rm -rf "$TMPDIR/x"',
        'rm -f /etc/nginx/sites-enabled/default',
        'rm -rf /usr/share/doc/* /usr/share/man/*',
        'rm -f ~/*',
        'rm -rf /home/node/.npm',
        'sudo userdel olduser && sudo rm -rf /home/olduser',
        'rm -rf "${BUILD_DIR}/" ${OUT}/*',
        // the next line's words are not operands (Dockerfile WORKDIR/COPY, a script's cd)
        'RUN apt-get update && rm -rf /var/lib/apt/lists/*\nWORKDIR /srv\nCOPY . /opt/app',
        'rm -rf dist\ncd /etc',
        'rm -rf build \\\n  dist\nWORKDIR /usr',
        // a JSON `\n` escape ends a word too (raw view of a tool call)
        '{"cmd":"rm -rf /tmp/build/*\\nls -la /etc"}',
      ],
    },
  },
  {
    id: 'destructive_rm/find_delete',
    family: 'destructive_rm',
    direction: 'inbound',
    severity: 'critical',
    description: 'find over /, a home directory or a system directory deleting everything it finds (find / -delete, find ~ -exec rm -rf {} +)',
    keywords: ['find'],
    keywordsAtWordStart: true,
    regex: new RegExp(
      String.raw`(?<![\w.-])${SUDO}find${SP}(?:-[HLP]${SP})?${TARGET}(?:[^\n;|&f]|f(?!ind\s)){0,300}?\s(?:-delete\b|-exec(?:dir)?\s{1,4}(?:\S{0,20}\/)?rm\s)`,
      'g',
    ),
    assess: (ctx) => {
      // any narrowing test (-name, -mtime, -empty ...) makes it a clean-up, not a wipe
      if (/\s-(?:i?name|i?path|i?wholename|i?regex|[acm](?:time|min)|newer\w{0,3}|user|group|size|empty|perm|inum|samefile|links|lname|uid|gid|nouser|nogroup)\b/.test(ctx.match[0])) return null;
      return severityFor(classify(ctx.match.groups?.target), false, ctx);
    },
    examples: {
      tp: ['find / -delete', 'sudo find / -type f -exec rm -rf {} +', 'find ~ -mindepth 1 -delete', 'find /etc -depth -delete'],
      fp: [
        "find / -name '*.pyc' -delete",
        'find /tmp -type f -mtime +7 -delete',
        'find ~ -type d -empty -delete',
        'find . -name node_modules -prune -exec rm -rf {} +',
        'find /var/log -name "*.gz" -delete',
      ],
    },
  },
  {
    id: 'destructive_rm/disk_wipe',
    family: 'destructive_rm',
    direction: 'inbound',
    severity: 'high',
    description: 'zeros or random bytes written over a whole disk (dd if=/dev/zero of=/dev/sda, shred /dev/nvme0n1)',
    keywords: ['/dev/'],
    regex:
      /(?<![\w.-])(?:sudo\s{1,4})?(?:dd\s(?:[^\n;|&d]|d(?!d\s)){0,200}?\bof=|shred(?:\s{1,4}-[\w=-]{1,16}(?:\s{1,4}\d{1,4}(?!\S))?){0,6}\s{1,4}|cat\s{1,4}\/dev\/(?:zero|u?random)\s{0,4}>\s{0,4})['"]?\/dev\/(?:sd[a-z]|hd[a-z]|vd[a-z]|xvd[a-z]|nvme\d{1,2}n\d{1,2}|mmcblk\d{1,2}|disk\d{1,2}|rdisk\d{1,2})(?![\w/-])/g,
    assess: (ctx) => {
      const m = ctx.match[0];
      // dd writing an image (if=ubuntu.iso) is how USB installers are made
      if (/\bdd\s/.test(m) && !/\bif=['"]?\/dev\/(?:zero|u?random)\b/.test(restOfLine(ctx.text, ctx.match.index, 300))) return null;
      if (agentDirected(ctx.text, ctx.match.index)) return 'critical';
      if (cautionary(ctx.text, ctx.match.index, ctx.match.index + m.length)) return 'low';
      return 'high';
    },
    examples: {
      tp: ['dd if=/dev/zero of=/dev/sda bs=1M', 'sudo dd if=/dev/urandom of=/dev/nvme0n1 bs=4M status=progress', 'shred -vfz -n 3 /dev/sdb', 'cat /dev/urandom > /dev/sda'],
      fp: [
        'sudo dd if=ubuntu-24.04-desktop-amd64.iso of=/dev/sdb bs=4M status=progress oflag=sync',
        'dd if=/dev/zero of=/swapfile bs=1M count=2048',
        'dd if=/dev/zero of=/dev/sdX bs=1M',
        'shred -u secrets.txt',
      ],
    },
  },
];
