import type { MatchContext, PatternRecord } from '../types.ts';
import type { Severity } from '../../finding.ts';
import { fake, fakeToken, ALNUM, B64URL, HEX } from '../fake.ts';

// Secrets recognised by their structure rather than a vendor prefix: JWTs, GCP
// service-account key files, and `password=` / `secret=` / `token=` assignments whose value
// looks random. Each decides with context (issuer host, entropy) to stay quiet on the
// bearer tokens an agent legitimately sends to the service that issued them.

const b64url = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');
function fakeJwt(seed: string, claims: Record<string, unknown>): string {
  return [b64url({ alg: 'RS256', typ: 'JWT' }), b64url(claims), fakeToken(seed, 86, B64URL)].join('.');
}
const FAR_FUTURE = 4102444800; // 2100-01-01
const jwtForeign = fakeJwt('jwt-1', { iss: 'https://auth.internal-corp.test', sub: 'agent-7', exp: FAR_FUTURE });
const jwtNoIss = fakeJwt('jwt-2', { sub: 'svc', role: 'admin', exp: FAR_FUTURE });

function jwtClaims(token: string): Record<string, unknown> | null {
  const payload = token.split('.')[1];
  if (!payload) return null;
  try {
    const parsed = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function issuerHost(iss: unknown): string | null {
  if (typeof iss !== 'string') return null;
  try {
    return new URL(iss.includes('://') ? iss : `https://${iss}`).hostname.toLowerCase();
  } catch {
    return null;
  }
}

/** Same registrable-ish domain: api.x.com and auth.x.com belong together. */
function sameSite(a: string, b: string): boolean {
  const tail = (h: string) => h.split('.').slice(-2).join('.');
  return a === b || a.endsWith(`.${b}`) || b.endsWith(`.${a}`) || tail(a) === tail(b);
}

function hostsOf(v: unknown): string[] {
  const list = Array.isArray(v) ? v : [v];
  return list.map(issuerHost).filter((h): h is string => h !== null);
}

/** Parameters that exchange a token at its audience (OIDC federation, token exchange). */
const TOKEN_EXCHANGE = /(?:WebIdentityToken|subject_token|actor_token|assertion|client_assertion|id_token)=\s*$/i;

function assessJwt(ctx: MatchContext): Severity | null {
  const claims = jwtClaims(ctx.secret);
  if (!claims) return null; // not a JWT after all
  const exp = typeof claims.exp === 'number' ? claims.exp : undefined;
  const expired = exp !== undefined && exp * 1000 < Date.now();
  // the services a token is meant for: its issuer and its audience
  const ownSites = [...hostsOf(claims.iss), ...hostsOf(claims.aud)];
  const toOwnSite = ctx.destHost !== '' && ownSites.some((h) => sameSite(h, ctx.destHost));
  const asAuth = ctx.location === 'header:authorization' || ctx.location === 'header:cookie' || (ctx.location.startsWith('header:x-') && /token|auth|jwt/.test(ctx.location));
  const before = ctx.text.slice(Math.max(0, ctx.match.index - 40), ctx.match.index);
  const exchanged = TOKEN_EXCHANGE.test(before);
  if (toOwnSite && (asAuth || exchanged)) return null; // presented to its issuer or audience
  if (expired) return 'low';
  if (asAuth) return 'medium'; // a bearer to some service: usually its own API, not proven
  return 'high'; // in a body, query or path: copied somewhere
}

const GCP_SA = JSON.stringify(
  {
    type: 'service_account',
    project_id: 'agent-prod',
    private_key_id: fakeToken('gcp-sa', 40, HEX),
    client_email: 'agent@agent-prod.iam.gserviceaccount.com',
  },
  null,
  2,
);

const ENTROPY_MIN = 3.3;
function entropy(v: string): number {
  const counts = new Map<string, number>();
  for (const ch of v) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let h = 0;
  for (const c of counts.values()) h -= (c / v.length) * Math.log2(c / v.length);
  return h;
}

/** Names that carry per-request tokens, not credentials: CSRF, OAuth state and PKCE values. */
const NOT_A_CREDENTIAL_NAME = /(?:csrf|xsrf|authenticity|anti[-_]?forgery|verification|state|nonce|verifier|challenge|page|next|continuation|cursor|sync|pagination)[-_]?(?:token|secret|key)?["']?\s*[:=]\s*["']?$/i;

function assessAssignment(ctx: MatchContext): Severity | null {
  const v = ctx.secret;
  // The Authorization header exists to carry a credential to its destination: Basic auth
  // (git's `x-access-token:<token>`, decoded from base64) and `Token token=` are that by
  // design; the vendor families catch a known key sent to the wrong host. An assignment
  // glued after a scheme (`Bearer password=…`) is not an auth scheme and stays a finding.
  if (ctx.location === 'header:authorization') {
    if (ctx.encodings.some((e) => e === 'base64' || e === 'base64url')) return null;
    if (/^(?:Token\s+token=|Basic\s)/i.test(ctx.text)) return null;
  }
  // A cookie pair (`token=...`) carries a session by design; the same assignment decoded out
  // of a cookie value is copied data.
  const before = ctx.text.slice(Math.max(0, ctx.match.index - 2), ctx.match.index);
  if (ctx.encodings.length === 0 && ctx.location === 'header:cookie' && (ctx.match.index === 0 || /;\s?$/.test(before))) return null;
  const name = ctx.text.slice(Math.max(0, ctx.match.index - 24), ctx.match.index + ctx.match[0].length - v.length);
  if (NOT_A_CREDENTIAL_NAME.test(name)) return null;
  // an OAuth token request sends the client secret and refresh token to the issuer by design
  if (/\bgrant_type=/.test(ctx.text) && ctx.location === 'body') return null;
  if (/^(?:true|false|null|none|undefined)$/i.test(v)) return null;
  if (/^(?:https?:|\/|\.\/|~\/)/.test(v)) return null; // a URL or path, not a secret
  if (/^(?:process\.env|os\.environ|env\.|getenv|self\.|this\.|config\.|settings\.|args\.|req\.|request\.)/i.test(v)) return null; // code reading a variable
  if (/^[a-z_]+$/.test(v) || /^[A-Z_]+$/.test(v)) return null; // identifiers
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(v)).length;
  if (classes < 2 || entropy(v) < ENTROPY_MIN) return null;
  return 'medium';
}

const pw = fakeToken('assign-pw', 20, ALNUM + '!@#%^*');
const apiSecret = fakeToken('assign-secret', 32, ALNUM);

export const STRUCTURED_SECRET_PATTERNS: PatternRecord[] = [
  {
    id: 'jwt/token',
    family: 'jwt',
    direction: 'outbound',
    severity: 'high',
    description: 'JSON Web Token; quiet when sent as a bearer to its own issuer, low when expired',
    keywords: ['eyj'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>eyJ[A-Za-z0-9_-]{8,4096}\.eyJ[A-Za-z0-9_-]{8,8192}\.[A-Za-z0-9_-]{16,2048})(?![A-Za-z0-9_-])/g,
    publicPrefix: /^eyJ/,
    assess: assessJwt,
    examples: {
      tp: [jwtForeign, `{"session":"${jwtNoIss}"}`],
      fp: [
        'eyJhbGciOiJIUzI1NiJ9.<payload>.<signature>',
        'a JWT looks like eyJ... . eyJ... . signature',
        'eyJub3QiOiJhIGp3dCJ9',
      ],
    },
  },
  {
    id: 'gcp_service_account/key_file',
    family: 'gcp_service_account',
    direction: 'outbound',
    severity: 'critical',
    description: 'Google Cloud service-account key file (type service_account with a private_key_id)',
    keywords: ['private_key_id'],
    regex: /"private_key_id"\s*:\s*"(?<secret>[0-9a-f]{40})"/g,
    assess: (ctx) => (/"type"\s*:\s*"service_account"/.test(ctx.text) ? 'critical' : null),
    examples: {
      tp: [GCP_SA, GCP_SA.replace(/\n\s*/g, '')],
      fp: [
        '{"type": "authorized_user", "private_key_id": "' + fakeToken('gcp-nosa', 40, HEX) + '"}',
        'The "private_key_id" field identifies the key.',
        '{"type": "service_account", "private_key_id": "<id>"}',
      ],
    },
  },
  {
    id: 'password_assignment/high_entropy',
    family: 'password_assignment',
    direction: 'outbound',
    severity: 'medium',
    description: 'password=, secret=, token= (and similar) assignments whose value looks random',
    keywords: ['password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'api-key'],
    regex:
      /(?<![A-Za-z0-9])(?:password|passwd|pwd|secret|client_secret|api[_-]?key|apikey|access[_-]?token|auth[_-]?token|token|private[_-]?token)["']?\s*[:=]\s*["']?(?<secret>[^\s"'&,;<>`(){}\[\]]{12,128})/gi,
    assess: assessAssignment,
    generic: true,
    examples: {
      tp: [`password=${pw}`, `{"client_secret": "${apiSecret}"}`, `db_password: '${pw}'`],
      fp: [
        'password=process.env.DB_PASSWORD',
        'api_key: ${API_KEY}',
        'token = get_token_from_vault()',
        'password: correcthorsebatterystaple',
        'secret=https://vault.internal/v1/secret/data/app',
        'TOKEN_ENDPOINT=oauth_token_endpoint',
        `authenticity_token=${fakeToken('csrf', 43, B64URL)}&user%5Bemail%5D=a%40b.test`,
        `grant_type=refresh_token&client_id=123.apps&client_secret=${fakeToken('oauth-cs', 24)}&refresh_token=${fakeToken('oauth-rt', 40)}`,
        `{"state":"${fakeToken('oauth-state', 32)}","code_verifier":"${fakeToken('pkce', 43, B64URL)}"}`,
      ],
    },
  },
];
