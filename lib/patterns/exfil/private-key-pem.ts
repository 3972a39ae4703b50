// Private keys in PEM / OpenSSH / PGP armor: RSA, EC, DSA, OPENSSH, PKCS#8 (`PRIVATE KEY`),
// encrypted PKCS#8 (`ENCRYPTED PRIVATE KEY`) and PGP secret key blocks. Public keys and
// certificates (`BEGIN PUBLIC KEY`, `BEGIN CERTIFICATE`, `ssh-rsa AAAA…`) never match.
//
// The secret group is the base64 body, so a snippet keeps the header (`-----BEGIN RSA
// PRIVATE KEY----- [REDACTED:private_key_pem] -----END …`). Lines may be separated by real
// newlines, by `\n` escapes (a key inside JSON, one or more levels deep), by spaces (a key
// pasted into one line) or by nothing.
//
// Severity: header + body of real key material → critical (high for a passphrase-encrypted
// key: it is useless without the passphrase); a header without a body (docs, a truncated
// paste, `MIIE...`) → medium; a header that only closes a string literal in code
// (`pem.startsWith('-----BEGIN PRIVATE KEY-----')`) is not a finding.
//
// Linear: the header is a literal; the body is ONE bounded character class (no alternation
// inside the loop) followed by an optional footer, so an unclosed header followed by 1 MiB of
// base64 costs one pass over at most 64 KiB and no backtracking.
import type { PatternRecord } from '../types.ts';
import type { Severity } from '../../finding.ts';
import { fakeToken } from '../fake.ts';
import { entropy, outbound } from './shared.ts';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** `-----BEGIN RSA PRIVATE KEY-----`; spaces may be `+` (form-encoded). */
const W = '[ +]';
const HEADER = `-----BEGIN${W}(?:(?:RSA|EC|DSA|OPENSSH|ENCRYPTED|PGP|SSH2${W}ENCRYPTED)${W})?PRIVATE${W}KEY(?:${W}BLOCK)?-----`;
/** A line break: real, or a JSON escape at any depth (`\n`, `\\n`, `\r\n`). */
const NL = String.raw`(?:\r?\n|\\{1,8}r\\{1,8}n|\\{1,8}n)`;
/** RFC 1421 / RFC 4880 armor headers: `Proc-Type: 4,ENCRYPTED`, `DEK-Info: …`, `Version: …`. */
const ARMOR = `(?:${NL}[A-Z][A-Za-z-]{1,30}:[ \\t][^\\r\\n\\\\]{1,200}){0,8}`;
/** Separators before the body, including a string literal's close-and-concatenate (`\n" +\n  "`). */
const SEP = String.raw`(?:\s|\\{1,8}[rnt]|\\{0,3}["'\`]|[+,]){0,24}`;
/**
 * The body: base64 plus whitespace, escape backslashes and the quotes/pluses of a key pasted
 * into code as concatenated string lines. One character class, bounded.
 */
const BODY = String.raw`(?<secret>[A-Za-z0-9+/=][A-Za-z0-9+/=\s\\"'\`,]{0,65535})`;
const FOOTER = `(?:-----END${W}[A-Z0-9 +]{0,40}-----)?`;

const HEADER_AT_START = new RegExp(`^${HEADER}`);
/**
 * A header that closes a string literal: `'-----BEGIN PRIVATE KEY-----')`, `"…-----\n" +`, or in
 * a decoded JSON view (string literals joined by newlines) `"…-----\n"` + newline + `"`.
 */
const CODE_LITERAL = /^(?:\\{1,2}[rn]|\r?\n){0,2}(?:\\{0,3}["'`]\s*(?:[+,);\]}.:"'`]|$)|\/[dgimsuy]{0,6}\s*[,;).])/;

function assessPem(text: string, match: RegExpExecArray): Severity | null {
  const header = HEADER_AT_START.exec(match[0])?.[0] ?? '';
  const encrypted = /ENCRYPTED/.test(header) || /Proc-Type:[ \t]*4,ENCRYPTED/.test(match[0]);
  const body = match.groups?.secret ?? '';
  const material = body.replace(/\\+[rnt]/g, '').replace(/[^A-Za-z0-9+/=]/g, '');
  if (material.length >= 64 && entropy(material) >= 4.5) return encrypted ? 'high' : 'critical';
  // no key material (docs, a truncated paste, a stub like `MIIEvQIBADANBgkqhkiG9w0BAQEFAASC...`):
  // medium, unless the header only closes a string literal in code
  const after = text.slice(match.index + header.length, match.index + header.length + 24);
  return CODE_LITERAL.test(after) ? null : 'medium';
}

/** A PEM block with 64-character lines. */
function pem(kind: string, seed: string, chars: number, nl = '\n', armor = ''): string {
  const body = fakeToken(seed, chars, B64);
  const lines: string[] = [];
  for (let i = 0; i < body.length; i += 64) lines.push(body.slice(i, i + 64));
  const label = `${kind ? kind + ' ' : ''}PRIVATE KEY${kind === 'PGP' ? ' BLOCK' : ''}`;
  return [`-----BEGIN ${label}-----`, ...(armor ? [armor, ''] : []), ...lines, `-----END ${label}-----`].join(nl);
}

// PuTTY .ppk (v2/v3): header line, key type, `Encryption:`, public lines, then `Private-Lines: N`
// and the private blob. The secret group is the private blob; unencrypted → critical.
const PPK_NL = String.raw`(?:\r?\n|\\{1,8}r?\\{0,8}n)`;
const PPK_LINE = String.raw`[A-Za-z0-9+/=]{1,128}(?![A-Za-z0-9+/=-])`;
const PPK = new RegExp(
  String.raw`PuTTY-User-Key-File-[23]:[ \t]{0,4}[\w@.-]{3,64}` +
    PPK_NL +
    String.raw`Encryption:[ \t]{0,4}(?<enc>[\w-]{1,32})` +
    // the lines in between (Comment, Public-Lines + public blob, Argon2 parameters), one at a
    // time: a `Name: value` line that is not another key's header, or a base64 line
    `(?:${PPK_NL}(?:(?!PuTTY-)[A-Z][\\w-]{1,30}:[^\\r\\n\\\\]{0,200}|[A-Za-z0-9+/=]{1,128})){0,48}?` +
    PPK_NL +
    String.raw`Private-Lines:[ \t]{0,4}\d{1,4}` +
    PPK_NL +
    // the private lines only (PuTTY writes 64 characters each), so `Private-MAC:` is not part of the secret
    String.raw`(?<secret>${PPK_LINE}(?:${PPK_NL}${PPK_LINE}){0,255})`,
  'g',
);

function ppk(seed: string, enc = 'none'): string {
  return [
    'PuTTY-User-Key-File-3: ssh-ed25519',
    `Encryption: ${enc}`,
    'Comment: eddsa-key-20260425',
    'Public-Lines: 2',
    fakeToken(seed + '-pub', 64, B64),
    fakeToken(seed + '-pub2', 20, B64),
    ...(enc === 'none' ? [] : ['Key-Derivation: Argon2id', 'Argon2-Memory: 8192', 'Argon2-Passes: 21', 'Argon2-Parallelism: 1', 'Argon2-Salt: ' + fakeToken(seed + '-salt', 32, '0123456789abcdef')]),
    'Private-Lines: 1',
    fakeToken(seed + '-priv', 64, B64),
    'Private-MAC: ' + fakeToken(seed + '-mac', 64, '0123456789abcdef'),
  ].join('\n');
}

export const PRIVATE_KEY_PEM_PATTERNS: PatternRecord[] = [
  outbound({
    id: 'private_key_pem/pem-block',
    family: 'private_key_pem',
    severity: 'critical',
    description: 'Private key (RSA, EC, DSA, OpenSSH, PKCS#8, encrypted PKCS#8, PGP) in PEM/armor form',
    keywords: ['-----begin'],
    regex: new RegExp(`${HEADER}${ARMOR}(?:${SEP}${BODY}${FOOTER})?`, 'g'),
    // when there is no body, the whole match is the "secret": its header stays readable
    publicPrefix: new RegExp(`^${HEADER}`),
    assess: (ctx) => assessPem(ctx.text, ctx.match),
    // one key with real newlines (JSON-decoded view) and with `\n` escapes (raw view) is one key
    canonical: (secret) => secret.replace(/\\+[rnt]|[^A-Za-z0-9+/=]/g, ''),
    examples: {
      tp: [
        pem('RSA', 'pem-rsa', 1580),
        pem('', 'pem-pkcs8', 1620),
        pem('OPENSSH', 'pem-openssh', 360),
        pem('EC', 'pem-ec', 160),
        pem('PGP', 'pem-pgp', 2400, '\n', 'Version: GnuPG v2'),
        pem('ENCRYPTED', 'pem-enc', 1700),
        `{"type": "service_account", "private_key": ${JSON.stringify(pem('', 'pem-gcp', 1620) + '\n')}, "client_email": "bot@proj.iam.gserviceaccount.com"}`,
        `KEY="${pem('DSA', 'pem-dsa', 600, ' ')}"`,
        'Paste your deploy key here:\n-----BEGIN OPENSSH PRIVATE KEY-----\n(truncated)',
        `const key =\n  "-----BEGIN RSA PRIVATE KEY-----\\n" +\n${pem('', 'pem-js', 640).split('\n').slice(1, -1).map((l) => `  "${l}\\n" +`).join('\n')}\n  "-----END RSA PRIVATE KEY-----";`,
      ],
      fp: [
        `-----BEGIN PUBLIC KEY-----\n${fakeToken('pub', 392, B64)}\n-----END PUBLIC KEY-----`,
        `-----BEGIN CERTIFICATE-----\n${fakeToken('cert', 1200, B64)}\n-----END CERTIFICATE-----`,
        `ssh-rsa AAAAB3NzaC1yc2E${fakeToken('sshpub', 360, B64)} user@laptop`,
        "if (pem.startsWith('-----BEGIN PRIVATE KEY-----')) return parsePkcs8(pem);",
        'const HEADER = "-----BEGIN RSA PRIVATE KEY-----\\n" + body;',
        'openssl genpkey -algorithm ed25519 -out key.pem  # writes a PKCS#8 private key',
        `const key = "-----BEGIN RSA PRIVATE KEY-----\\n" + body + "\\n-----END RSA PRIVATE KEY-----";`,
      ],
    },
  }),
  outbound({
    id: 'private_key_pem/putty-ppk',
    family: 'private_key_pem',
    severity: 'critical',
    description: 'PuTTY private key file (.ppk); high when passphrase-encrypted',
    keywords: ['putty-user-key-file-'],
    regex: PPK,
    canonical: (secret) => secret.replace(/\\+[rnt]|[^A-Za-z0-9+/=]/g, ''),
    assess: (ctx) => {
      const material = ctx.secret.replace(/\\+[rnt]/g, '').replace(/[^A-Za-z0-9+/=]/g, '');
      if (material.length < 32 || entropy(material) < 4) return 'medium';
      return ctx.match.groups?.enc === 'none' ? 'critical' : 'high';
    },
    examples: {
      tp: [ppk('ppk-1'), JSON.stringify({ file: 'deploy.ppk', content: ppk('ppk-2') }), ppk('ppk-3', 'aes256-cbc')],
      fp: [
        'PuTTYgen saves keys as .ppk files (PuTTY-User-Key-File-3 format).',
        'PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\nComment: docs example\nPublic-Lines: 2\n...\nPrivate-Lines: 1\n...',
        `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${fakeToken('ppk-pub', 43, B64)} user@host`,
      ],
    },
  }),
];
