import type { PatternRecord } from '../types.ts';
import { fake, fakeToken, B64URL, HEX } from '../fake.ts';

// Developer-platform credentials an agent may hold: GitHub, GitLab, Slack, Stripe, npm,
// Google OAuth. Each has a vendor prefix (kept visible in snippets) and its own API host
// where sending it in the auth header is ordinary agent traffic.

const ghp = fake('gh', 'p_', fakeToken('gh-pat', 36));
const ghs = fake('gh', 's_', fakeToken('gh-server', 36));
const fineGrained = fake('github', '_pat_', fakeToken('gh-fine', 22), '_', fakeToken('gh-fine-2', 59));
const glpat = fake('gl', 'pat-', fakeToken('gitlab', 20, B64URL.replace(/[-_]/g, '') + '-'));
const slackBot = fake('xo', 'xb-', fakeToken('slack-1', 12, '0123456789'), '-', fakeToken('slack-2', 13, '0123456789'), '-', fakeToken('slack-3', 24));
const slackUser = fake('xo', 'xp-', fakeToken('slack-4', 11, '0123456789'), '-', fakeToken('slack-5', 12, '0123456789'), '-', fakeToken('slack-6', 13, '0123456789'), '-', fakeToken('slack-7', 32, HEX));
const stripe = fake('sk', '_live_', fakeToken('stripe', 99));
const stripeRestricted = fake('rk', '_live_', fakeToken('stripe-rk', 34));
const npmToken = fake('np', 'm_', fakeToken('npm', 36));
const ya29 = fake('ya', '29.', fakeToken('google-access', 160, B64URL));
const gocspx = fake('GOC', 'SPX-', fakeToken('google-client', 28, B64URL));

const AUTH = ['header:authorization'];

export const VENDOR_TOKEN_PATTERNS: PatternRecord[] = [
  {
    id: 'github_token/classic',
    family: 'github_token',
    direction: 'outbound',
    severity: 'critical',
    description: 'GitHub token: personal (ghp_), OAuth (gho_), user-to-server (ghu_), server-to-server (ghs_), refresh (ghr_)',
    keywords: ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>gh[pousr]_[A-Za-z0-9]{36,251})(?![A-Za-z0-9_])/g,
    publicPrefix: /^gh[pousr]_/,
    providerAuth: { hosts: /^(?:api\.|uploads\.|codeload\.)?github\.com$|(?:^|\.)githubusercontent\.com$/, locations: AUTH },
    examples: {
      tp: [ghp, `GITHUB_TOKEN=${ghs}`],
      fp: ['export GITHUB_TOKEN=ghp_...', 'ghp_<your-token>', 'token: ${{ secrets.GITHUB_TOKEN }}', 'https://github.com/owner/ghp_repo'],
    },
  },
  {
    id: 'github_token/fine_grained',
    family: 'github_token',
    direction: 'outbound',
    severity: 'critical',
    description: 'GitHub fine-grained personal access token (github_pat_)',
    keywords: ['github_pat_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>github_pat_[A-Za-z0-9]{22}_[A-Za-z0-9]{59})(?![A-Za-z0-9_])/g,
    publicPrefix: /^github_pat_/,
    providerAuth: { hosts: /^(?:api\.|uploads\.)?github\.com$/, locations: AUTH },
    examples: {
      tp: [fineGrained, `{"token":"${fineGrained}"}`],
      fp: ['github_pat_...', 'Create a token (github_pat_ prefix) in Settings', 'github_pat_xxxxxxxxxxxxxxxxxxxxxx_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  },
  {
    id: 'gitlab_token/personal',
    family: 'gitlab_token',
    direction: 'outbound',
    severity: 'critical',
    description: 'GitLab personal, project or group access token (glpat-)',
    keywords: ['glpat-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>glpat-[A-Za-z0-9_-]{20,64}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?)(?![A-Za-z0-9_-])/g,
    publicPrefix: /^glpat-/,
    providerAuth: { hosts: /(?:^|\.)gitlab\.com$/, locations: ['header:private-token', 'header:authorization'] },
    examples: {
      tp: [glpat, `PRIVATE-TOKEN: ${glpat}`],
      fp: ['glpat-...', 'glpat-<token>', 'use a glpat- token with api scope'],
    },
  },
  {
    id: 'slack_token/api',
    family: 'slack_token',
    direction: 'outbound',
    severity: 'high',
    description: 'Slack bot, user, app or refresh token (xoxb-, xoxp-, xoxa-, xoxr-)',
    keywords: ['xoxb-', 'xoxp-', 'xoxa-', 'xoxr-'],
    regex: /(?<![A-Za-z0-9-])(?<secret>xox[abpr]-[0-9]{6,15}-[0-9A-Za-z-]{8,120})(?![A-Za-z0-9-])/g,
    publicPrefix: /^xox[abpr]-/,
    providerAuth: { hosts: /(?:^|\.)slack\.com$/, locations: AUTH },
    examples: {
      tp: [slackBot, `SLACK_USER_TOKEN=${slackUser}`],
      fp: ['xoxb-...', 'SLACK_BOT_TOKEN=xoxb-your-token', 'xoxb-123456789012-xxxxxxxxxxxx'],
    },
  },
  {
    id: 'stripe_key/live',
    family: 'stripe_key',
    direction: 'outbound',
    severity: 'critical',
    description: 'Stripe live secret or restricted key (sk_live_, rk_live_)',
    keywords: ['sk_live_', 'rk_live_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>[sr]k_live_[0-9A-Za-z]{24,99})(?![A-Za-z0-9_])/g,
    publicPrefix: /^[sr]k_live_/,
    providerAuth: { hosts: /^api\.stripe\.com$/, locations: AUTH },
    examples: {
      tp: [stripe, `stripe.api_key = "${stripeRestricted}"`],
      fp: ['sk_live_...', 'STRIPE_SECRET_KEY=sk_live_<your key>', 'pk_live_' + fakeToken('stripe-pk', 24)],
    },
  },
  {
    id: 'npm_token/access',
    family: 'npm_token',
    direction: 'outbound',
    severity: 'high',
    description: 'npm access token (npm_)',
    keywords: ['npm_'],
    regex: /(?<![A-Za-z0-9_])(?<secret>npm_[A-Za-z0-9]{36})(?![A-Za-z0-9_])/g,
    publicPrefix: /^npm_/,
    providerAuth: { hosts: /^registry\.npmjs\.org$|^registry\.yarnpkg\.com$/, locations: AUTH },
    examples: {
      tp: [npmToken, `//registry.npmjs.org/:_authToken=${npmToken}`],
      fp: ['npm_config_cache=/tmp/npm', '//registry.npmjs.org/:_authToken=${NPM_TOKEN}', 'npm_package_version=1.2.3', 'process.env.npm_lifecycle_event'],
    },
  },
  {
    id: 'google_oauth/access_token',
    family: 'google_oauth',
    direction: 'outbound',
    severity: 'high',
    description: 'Google OAuth access token (ya29.)',
    keywords: ['ya29.'],
    regex: /(?<![A-Za-z0-9_.-])(?<secret>ya29\.[0-9A-Za-z_-]{30,2048})(?![A-Za-z0-9_-])/g,
    publicPrefix: /^ya29\./,
    providerAuth: { hosts: /(?:^|\.)googleapis\.com$|(?:^|\.)google\.com$/, locations: AUTH },
    examples: {
      tp: [ya29, `Authorization: Bearer ${ya29}`],
      fp: ['ya29.<token>', 'access tokens start with ya29.', 'ya29.' + 'x'.repeat(40)],
    },
  },
  {
    id: 'google_oauth/client_secret',
    family: 'google_oauth',
    direction: 'outbound',
    severity: 'high',
    description: 'Google OAuth client secret (GOCSPX-)',
    keywords: ['gocspx-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>GOCSPX-[0-9A-Za-z_-]{28})(?![A-Za-z0-9_-])/g,
    publicPrefix: /^GOCSPX-/,
    // the token exchange sends the client secret in the form body to Google's token endpoint
    providerAuth: { hosts: /^oauth2\.googleapis\.com$|^accounts\.google\.com$|^www\.googleapis\.com$/, locations: ['body', 'header:authorization'] },
    examples: {
      tp: [gocspx, `{"installed":{"client_id":"1234.apps.googleusercontent.com","client_secret":"${gocspx}"}}`],
      fp: ['GOCSPX-...', 'client_secret: GOCSPX-<secret>', 'GOCSPX-' + 'x'.repeat(28)],
    },
  },
];
