import type { PatternRecord } from '../types.ts';
import { fake, fakeToken, B64URL } from '../fake.ts';

// Anthropic keys: sk-ant-api03-<93 base64url>AA, admin keys sk-ant-admin01-…, OAuth tokens
// sk-ant-oat01-… (Claude Code / NanoClaw subscription login). The secret group starts after
// the public `sk-ant-<kind>-` prefix, which may stay visible in snippets.
const anthropicKey = fake('sk-', 'ant-', 'api03-', fakeToken('anthropic-1', 93, B64URL), 'AA');

export const AI_API_KEY_PATTERNS: PatternRecord[] = [
  {
    id: 'ai_api_key/anthropic',
    family: 'ai_api_key',
    direction: 'outbound',
    severity: 'critical',
    description: 'Anthropic API key, admin key or OAuth token',
    keywords: ['sk-ant-'],
    regex: /(?<![A-Za-z0-9_-])(?<secret>sk-ant-(?:api\d\d|admin\d\d|oat\d\d|ort\d\d|sid\d\d)-[A-Za-z0-9_-]{32,256})(?![A-Za-z0-9_-])/g,
    publicPrefix: /^sk-ant-[a-z]+\d\d-/,
    providerAuth: { hosts: /^api\.anthropic\.com$/, locations: ['header:x-api-key', 'header:authorization'] },
    examples: {
      tp: [anthropicKey, `ANTHROPIC_API_KEY=${anthropicKey}`],
      fp: ['export ANTHROPIC_API_KEY=sk-ant-...', 'ANTHROPIC_API_KEY=sk-ant-api03-<your-key>', 'sk-ant-api03-${ANTHROPIC_KEY_SUFFIX}'],
    },
  },
];
