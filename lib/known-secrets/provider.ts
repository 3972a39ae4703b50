// Own-provider context for known secrets: the agent's Anthropic key sent to api.anthropic.com
// in its auth header is normal, exactly as for the registry's key patterns. The provider is
// taken from a registry pattern that matches the value, else from the variable's name.
import type { PatternRecord, ProviderAuth } from '../patterns/types.ts';
import type { KnownSecret } from './matcher.ts';

const BY_NAME: Array<[RegExp, ProviderAuth]> = [
  [/ANTHROPIC|CLAUDE/i, { hosts: /^api\.anthropic\.com$/, locations: ['header:x-api-key', 'header:authorization'] }],
  [/OPENAI/i, { hosts: /^api\.openai\.com$/, locations: ['header:authorization'] }],
  [/GEMINI|GOOGLE_API|GOOGLE_GENERATIVE/i, { hosts: /(^|\.)googleapis\.com$/, locations: ['query:key', 'header:x-goog-api-key'] }],
  [/GROQ/i, { hosts: /^api\.groq\.com$/, locations: ['header:authorization'] }],
  [/OPENROUTER/i, { hosts: /^openrouter\.ai$/, locations: ['header:authorization'] }],
  [/MISTRAL/i, { hosts: /^api\.mistral\.ai$/, locations: ['header:authorization'] }],
  [/DEEPSEEK/i, { hosts: /^api\.deepseek\.com$/, locations: ['header:authorization'] }],
  [/XAI|GROK/i, { hosts: /^api\.x\.ai$/, locations: ['header:authorization'] }],
  [/HUGGING|HF_TOKEN/i, { hosts: /(^|\.)huggingface\.co$/, locations: ['header:authorization'] }],
  [/GITHUB|GH_TOKEN/i, { hosts: /^api\.github\.com$|^github\.com$/, locations: ['header:authorization'] }],
];

export function providerAuthFor(secret: KnownSecret, patterns: readonly PatternRecord[]): ProviderAuth | undefined {
  for (const p of patterns) {
    if (p.direction !== 'outbound' || !p.providerAuth) continue;
    const re = new RegExp(p.regex.source, p.regex.flags.replace('g', ''));
    const m = re.exec(secret.value);
    if (m && (m.groups?.secret ?? m[0]) === secret.value) return p.providerAuth;
  }
  return BY_NAME.find(([re]) => re.test(secret.name))?.[1];
}
