// AWS credentials. Access key ids are AKIA (long-term user key), ASIA (STS temporary), ABIA
// (STS service bearer) or ACCA (context-specific) + 16 base32 characters ([A-Z2-7]). Other
// four-letter prefixes (AIDA user, AROA role, AGPA group, ANPA/ANVA policy, AIPA instance
// profile, APKA public key) are unique ids of IAM entities: public, not credentials.
//
// The access key id alone is high; with a secret-access-key-shaped value (40 base64
// characters, mixed case) within a short distance it is critical. The secret access key has
// its own rule so that its span is redacted in every snippet, including the key id's.
import type { PatternRecord } from '../types.ts';
import type { Severity } from '../../finding.ts';
import { fake, fakeToken, UPPER_DIGITS } from '../fake.ts';
import { entropy, hasSequentialRun, outbound } from './shared.ts';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const akia = fake('AK', 'IA', fakeToken('aws-akia-1', 16, UPPER_DIGITS));
const asia = fake('AS', 'IA', fakeToken('aws-asia-1', 16, UPPER_DIGITS));
const abia = fake('AB', 'IA', fakeToken('aws-abia-1', 16, UPPER_DIGITS));
const secret = fakeToken('aws-secret-1', 40, B64);
const secret2 = fakeToken('aws-secret-2', 40, B64);
/** AWS's own documentation pair: a placeholder, never a finding. */
const DOC_KEY_ID = fake('AKIA', 'IOSFODNN7', 'EXAMPLE');
const DOC_SECRET = fake('wJalrXUtnFEMI/K7MDENG/', 'bPxRfiCY', 'EXAMPLEKEY');

const SECRET_SHAPE = /(?<![A-Za-z0-9/+=])[A-Za-z0-9/+]{40}(?![A-Za-z0-9/+=])/g;

/** A 40-character value that looks like a secret access key: mixed case, digits, random. */
function looksLikeSecretKey(v: string): boolean {
  return /[a-z]/.test(v) && /[A-Z]/.test(v) && /[0-9]/.test(v) && entropy(v) >= 4 && !hasSequentialRun(v) && !/example/i.test(v);
}

/** Critical when a secret-access-key-shaped value sits within 200 characters of the key id. */
function keyIdSeverity(text: string, start: number, end: number): Severity {
  const win = text.slice(Math.max(0, start - 200), Math.min(text.length, end + 200));
  SECRET_SHAPE.lastIndex = 0;
  for (let m = SECRET_SHAPE.exec(win); m !== null; m = SECRET_SHAPE.exec(win)) {
    if (looksLikeSecretKey(m[0])) return 'critical';
  }
  return 'high';
}

export const AWS_ACCESS_KEY_ID_PATTERNS: PatternRecord[] = [
  outbound({
    id: 'aws_access_key_id/access-key-id',
    family: 'aws_access_key_id',
    severity: 'high',
    description: 'AWS access key id (AKIA/ASIA/ABIA/ACCA); critical with a secret access key next to it',
    keywords: ['akia', 'asia', 'abia', 'acca'],
    regex: /(?<![A-Za-z0-9])(?<secret>(?:AKIA|ASIA|ABIA|ACCA)[A-Z2-7]{16})(?![A-Za-z0-9])/g,
    publicPrefix: /^A(?:KIA|SIA|BIA|CCA)/,
    allow: [new RegExp(`^${DOC_KEY_ID}$`)],
    assess: (ctx) => {
      const body = ctx.secret.slice(4);
      if (new Set(body).size < 6 || hasSequentialRun(body)) return null;
      return keyIdSeverity(ctx.text, ctx.match.index, ctx.match.index + ctx.match[0].length);
    },
    // SigV4: `Authorization: AWS4-HMAC-SHA256 Credential=AKIA…/date/region/service/aws4_request`
    // or a presigned URL's `X-Amz-Credential=` to an AWS endpoint.
    providerAuth: { hosts: /(?:^|\.)amazonaws\.com(?:\.cn)?$/, locations: ['header:authorization', 'query:x-amz-credential'] },
    examples: {
      tp: [
        akia,
        `aws_access_key_id = ${asia}`,
        `{"AccessKeyId": "${abia}", "Expiration": "2026-05-01T00:00:00Z"}`,
        `[default]\naws_access_key_id = ${akia}\naws_secret_access_key = ${secret}\n`,
      ],
      fp: [
        `aws_access_key_id = ${DOC_KEY_ID}`,
        // IAM unique ids: AIDA (user), AROA (role), AGPA (group), ANPA (managed policy)
        `{"UserId": "${fake('AI', 'DA', fakeToken('aws-aida', 16, UPPER_DIGITS))}", "Arn": "arn:aws:iam::123456789012:user/dev"}`,
        `RoleId: ${fake('AR', 'OA', fakeToken('aws-aroa', 16, UPPER_DIGITS))} GroupId: ${fake('AG', 'PA', fakeToken('aws-agpa', 16, UPPER_DIGITS))} PolicyId: ${fake('AN', 'PA', fakeToken('aws-anpa', 16, UPPER_DIGITS))}`,
        'AWS_ACCESS_KEY_ID=AKIAXXXXXXXXXXXXXXXX',
        'timezone: Asia/Tokyo, ASIAN markets, AKIAPACKAGE',
      ],
    },
  }),
  outbound({
    // The 40-character secret access key, where it is named (`aws_secret_access_key = …`,
    // `"SecretAccessKey": "…"`, `--secret-access-key …`) or right after a key id (the
    // console's credentials.csv: `AKIA…,secret`).
    id: 'aws_access_key_id/secret-access-key',
    family: 'aws_access_key_id',
    severity: 'critical',
    description: 'AWS secret access key next to its name or its access key id',
    keywords: ['secret', 'akia', 'asia', 'abia', 'acca'],
    regex: /(?:(?<![a-z0-9])(?:aws[_.-]?)?secret[_.-]?access[_.-]?key|(?<![a-z0-9])a(?:kia|sia|bia|cca)[a-z2-7]{16})[\s"':=,|]{1,8}(?<secret>[A-Za-z0-9/+]{40})(?![A-Za-z0-9+=])/gi,
    allow: [new RegExp(`^${DOC_SECRET}$`)],
    assess: (ctx) => (looksLikeSecretKey(ctx.secret) ? 'critical' : null),
    examples: {
      tp: [
        `aws_secret_access_key = ${secret}`,
        `{"AccessKeyId": "${asia}", "SecretAccessKey": "${secret2}", "SessionToken": "IQoJb3JpZ2luX2VjE..."}`,
        `Access key ID,Secret access key\n${akia},${secret}\n`,
        `AWS_SECRET_ACCESS_KEY=${secret2}`,
      ],
      fp: [
        `aws_secret_access_key = ${DOC_SECRET}`,
        'AWS_SECRET_ACCESS_KEY=<your-secret-access-key>',
        `secret_access_key: ${fakeToken('aws-sha', 40, '0123456789abcdef')}`,
        `AWS_SECRET_ACCESS_KEY=\${{ secrets.AWS_SECRET_ACCESS_KEY }}`,
      ],
    },
  }),
];
