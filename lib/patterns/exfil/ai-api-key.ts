// AI provider credentials. Vendor keys with a distinctive prefix are matched anywhere; the
// prefix-less ones (DeepSeek, Mistral, Cohere) only where the provider is named just before
// the value (`MISTRAL_API_KEY=…`, `"cohere": {"api_key": "…"}`), because 32 or 40 random
// alphanumerics alone are also request ids, digests and hashes.
//
// Every record: the secret group is the whole key, `publicPrefix` the vendor prefix that may
// stay visible in snippets, `providerAuth` the one place the key is normal (its own API host,
// in its auth header), `assess` drops hand-typed examples (`sk-proj-abcdefgh…`, low entropy).
// Regexes are linear: each starts at a rare literal, guards its left edge with a lookbehind,
// and uses one bounded character class (or a bounded lazy gap) per step.
import type { PatternRecord } from '../types.ts';
import { fake, fakeToken, ALNUM, B64URL, HEX } from '../fake.ts';
import { ci, keyAssess, outbound } from './shared.ts';

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Left and right edges of a token: not glued to more key characters.
const L = String.raw`(?<![A-Za-z0-9_-])`;
const R = String.raw`(?![A-Za-z0-9_-])`;
const re = (source: string, flags = 'g'): RegExp => new RegExp(source, flags);

// ---- fake keys (built at runtime: no literal key in the repository) ----------------------
const anthropicKey = fake('sk-', 'ant-', 'api03-', fakeToken('anthropic-1', 93, B64URL), 'AA');
const anthropicAdmin = fake('sk-', 'ant-', 'admin01-', fakeToken('anthropic-admin', 93, B64URL), 'AA');
const anthropicOat = fake('sk-', 'ant-', 'oat01-', fakeToken('anthropic-oat', 93, B64URL), 'AA');
const openaiProject = fake('sk-', 'proj-', fakeToken('openai-proj-a', 74, B64URL), 'T3Blbk', 'FJ', fakeToken('openai-proj-b', 74, B64URL));
const openaiSvc = fake('sk-', 'svcacct-', fakeToken('openai-svc-a', 58, B64URL), 'T3Blbk', 'FJ', fakeToken('openai-svc-b', 58, B64URL));
const openaiAdmin = fake('sk-', 'admin-', fakeToken('openai-admin-a', 58, B64URL), 'T3Blbk', 'FJ', fakeToken('openai-admin-b', 58, B64URL));
const openaiLegacy = fake('sk-', fakeToken('openai-legacy-a', 20), 'T3Blbk', 'FJ', fakeToken('openai-legacy-b', 20));
const googleKey = fake('AI', 'za', fakeToken('google-1', 35, B64URL));
const googleKey2 = fake('AI', 'za', fakeToken('google-2', 35, B64URL));
const hfToken = fake('hf', '_', fakeToken('hf-1', 34, LETTERS));
const groqKey = fake('gsk', '_', fakeToken('groq-1', 52));
const xaiKey = fake('xai', '-', fakeToken('xai-1', 80));
const openrouterKey = fake('sk-', 'or-', 'v1-', fakeToken('openrouter-1', 64, HEX));
const replicateKey = fake('r8', '_', fakeToken('replicate-1', 37));
const pplxKey = fake('pplx', '-', fakeToken('pplx-1', 48));
const deepseekKey = fake('sk-', fakeToken('deepseek-1', 32, HEX));
const mistralKey = fakeToken('mistral-1', 32, ALNUM);
const cohereKey = fakeToken('cohere-1', 40, ALNUM);

/** `{hosts, locations}` for a provider that takes its key as a Bearer token. */
const bearerTo = (hosts: RegExp, extra: string[] = []) => ({ hosts, locations: ['header:authorization', ...extra] });

export const AI_API_KEY_PATTERNS: PatternRecord[] = [
  outbound({
    // Anthropic keys: sk-ant-api03-<93 base64url>AA, admin keys sk-ant-admin01-…, OAuth tokens
    // sk-ant-oat01-… (Claude Code / NanoClaw subscription login), refresh tokens sk-ant-ort01-….
    id: 'ai_api_key/anthropic',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'Anthropic API key, admin key or OAuth token',
    keywords: ['sk-ant-'],
    regex: re(`${L}(?<secret>sk-ant-(?:api\\d\\d|admin\\d\\d|oat\\d\\d|ort\\d\\d|sid\\d\\d)-[A-Za-z0-9_-]{32,256})${R}`),
    publicPrefix: /^sk-ant-[a-z]+\d\d-/,
    assess: keyAssess('critical', /^sk-ant-[a-z]+\d\d-/),
    providerAuth: { hosts: /^api\.anthropic\.com$/, locations: ['header:x-api-key', 'header:authorization'] },
    examples: {
      tp: [anthropicKey, `ANTHROPIC_API_KEY=${anthropicKey}`, `{"token":"${anthropicOat}"}`, `x-api-key: ${anthropicAdmin}`],
      fp: [
        'export ANTHROPIC_API_KEY=sk-ant-...',
        'ANTHROPIC_API_KEY=sk-ant-api03-<your-key>',
        'sk-ant-api03-${ANTHROPIC_KEY_SUFFIX}',
        `sk-ant-api03-${'abcdefghijklmnopqrstuvwxyzABCDEFGHIJ'}`,
        'CLAUDE_CODE_OAUTH_TOKEN=sk-ant-oat01-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
      ],
    },
  }),
  outbound({
    // Project (sk-proj-), service-account (sk-svcacct-) and admin (sk-admin-) keys: a
    // base64url body around the `T3BlbkFJ` marker (base64 of "OpenAI"); legacy user keys are
    // sk- + 20 + marker + 20 alphanumerics. The marker is required only for the legacy shape,
    // where a bare `sk-` + 48 would also fit other vendors.
    id: 'ai_api_key/openai',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'OpenAI API key (project, service account, admin or legacy user key)',
    keywords: ['sk-proj-', 'sk-svcacct-', 'sk-admin-', 't3blbkfj'],
    regex: re(`${L}(?<secret>sk-(?:proj|svcacct|admin)-[A-Za-z0-9_-]{40,250}|sk-[A-Za-z0-9]{20}T3BlbkFJ[A-Za-z0-9]{20})${R}`),
    publicPrefix: /^sk-(?:(?:proj|svcacct|admin)-)?/,
    assess: keyAssess('critical', /^sk-(?:(?:proj|svcacct|admin)-)?/),
    providerAuth: bearerTo(/^api\.openai\.com$/),
    examples: {
      tp: [openaiProject, `OPENAI_API_KEY="${openaiSvc}"`, `{"admin_key": "${openaiAdmin}"}`, `openai.api_key = '${openaiLegacy}'`],
      fp: [
        'OPENAI_API_KEY=sk-proj-...',
        'Authorization: Bearer sk-proj-<your key>',
        `sk-proj-${'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH'}`,
        'const key = process.env.OPENAI_API_KEY; // sk-... from platform.openai.com',
        'task-proj-1234 desk-admin-panel sk-learn',
      ],
    },
  }),
  outbound({
    // Google API keys (Gemini, Maps, Firebase): AIza + 35. Browser keys are often semi-public
    // (restricted by referrer), hence high rather than critical.
    id: 'ai_api_key/google',
    family: 'ai_api_key',
    severity: 'high',
    description: 'Google / Gemini API key',
    keywords: ['aiza'],
    regex: re(`${L}(?<secret>AIza[A-Za-z0-9_-]{35})${R}`),
    publicPrefix: /^AIza/,
    assess: keyAssess('high', /^AIza/),
    providerAuth: { hosts: /(?:^|\.)googleapis\.com$/, locations: ['query:key', 'header:x-goog-api-key'] },
    examples: {
      tp: [googleKey, `GEMINI_API_KEY=${googleKey2}`, `https://maps.example.test/js?key=${googleKey}&v=3`],
      fp: ['GEMINI_API_KEY=AIza...', 'key=AIzaSy<YOUR_API_KEY>', 'GOOGLE_API_KEY=AIzaXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX'],
    },
  }),
  outbound({
    id: 'ai_api_key/huggingface',
    family: 'ai_api_key',
    severity: 'high',
    description: 'Hugging Face access token',
    keywords: ['hf_'],
    regex: re(`${L}(?<secret>hf_[A-Za-z0-9]{34})${R}`),
    publicPrefix: /^hf_/,
    assess: keyAssess('high', /^hf_/),
    providerAuth: bearerTo(/(?:^|\.)huggingface\.co$/),
    examples: {
      tp: [hfToken, `HF_TOKEN=${hfToken}`],
      fp: ['HF_TOKEN=hf_...', 'from huggingface_hub import hf_hub_download', 'HUGGING_FACE_HUB_TOKEN=hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  }),
  outbound({
    id: 'ai_api_key/groq',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'Groq API key',
    keywords: ['gsk_'],
    regex: re(`${L}(?<secret>gsk_[A-Za-z0-9]{52})${R}`),
    publicPrefix: /^gsk_/,
    assess: keyAssess('critical', /^gsk_/),
    providerAuth: bearerTo(/^api\.groq\.com$/),
    examples: {
      tp: [groqKey, `{"GROQ_API_KEY": "${groqKey}"}`],
      fp: ['GROQ_API_KEY=gsk_...', 'GROQ_API_KEY: gsk-...', 'gsk_<your-groq-key>'],
    },
  }),
  outbound({
    id: 'ai_api_key/xai',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'xAI (Grok) API key',
    keywords: ['xai-'],
    regex: re(`${L}(?<secret>xai-[A-Za-z0-9_]{80})${R}`),
    publicPrefix: /^xai-/,
    assess: keyAssess('critical', /^xai-/),
    providerAuth: bearerTo(/^api\.x\.ai$/),
    examples: {
      tp: [xaiKey, `XAI_API_KEY=${xaiKey}`],
      fp: ['XAI_API_KEY=xai-...', 'model: xai-grok-3-mini', `xai-${'x'.repeat(80)}`],
    },
  }),
  outbound({
    id: 'ai_api_key/openrouter',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'OpenRouter API key',
    keywords: ['sk-or-'],
    regex: re(`${L}(?<secret>sk-or-v1-[a-f0-9]{64})${R}`),
    publicPrefix: /^sk-or-v1-/,
    assess: keyAssess('critical', /^sk-or-v1-/),
    providerAuth: bearerTo(/^openrouter\.ai$/),
    examples: {
      tp: [openrouterKey, `OPENROUTER_API_KEY: "${openrouterKey}"`],
      fp: ['OPENROUTER_API_KEY: "sk-or-..."', 'sk-or-v1-<key>', `sk-or-v1-${'0'.repeat(64)}`],
    },
  }),
  outbound({
    id: 'ai_api_key/replicate',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'Replicate API token',
    keywords: ['r8_'],
    regex: re(`${L}(?<secret>r8_[A-Za-z0-9]{37})${R}`),
    publicPrefix: /^r8_/,
    assess: keyAssess('critical', /^r8_/),
    providerAuth: bearerTo(/^api\.replicate\.com$/),
    examples: {
      tp: [replicateKey, `REPLICATE_API_TOKEN=${replicateKey}`],
      fp: ['REPLICATE_API_TOKEN=r8_...', 'REPLICATE_API_TOKEN=r8_<paste-here>', 'r8_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'],
    },
  }),
  outbound({
    id: 'ai_api_key/perplexity',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'Perplexity API key',
    keywords: ['pplx-'],
    regex: re(`${L}(?<secret>pplx-[A-Za-z0-9]{48})${R}`),
    publicPrefix: /^pplx-/,
    assess: keyAssess('critical', /^pplx-/),
    providerAuth: bearerTo(/^api\.perplexity\.ai$/),
    examples: {
      tp: [pplxKey, `PERPLEXITY_API_KEY=${pplxKey}`],
      fp: ['PERPLEXITY_API_KEY=pplx-...', 'pplx-<your key>', 'model: pplx-70b-online'],
    },
  }),
  outbound({
    // DeepSeek keys are sk- + 32 lower-case hex: other tools use the same shape, so only
    // where "deepseek" is named at most 40 characters before (env var, config key, client).
    id: 'ai_api_key/deepseek',
    family: 'ai_api_key',
    severity: 'critical',
    description: 'DeepSeek API key (next to the provider name)',
    keywords: ['deepseek'],
    regex: re(`${ci('deepseek')}[\\s\\S]{0,40}?${L}(?<secret>sk-[a-f0-9]{32})${R}`),
    publicPrefix: /^sk-/,
    assess: keyAssess('critical', /^sk-/),
    providerAuth: bearerTo(/^api\.deepseek\.com$/),
    examples: {
      tp: [`DEEPSEEK_API_KEY=${deepseekKey}`, `{"provider": "deepseek", "apiKey": "${deepseekKey}"}`, `client = OpenAI(base_url="https://api.deepseek.com", api_key="${deepseekKey}")`],
      fp: [
        `API_KEY=${deepseekKey}`,
        'DEEPSEEK_API_KEY=sk-...',
        `model: deepseek-chat\nmax_tokens: 1024\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\n\nother_key: ${deepseekKey}`,
      ],
    },
  }),
  outbound({
    // Mistral keys: 32 mixed-case alphanumerics, no prefix. Matched only as the value of a
    // key/token/secret setting that names Mistral; an all-hex value there is an id or digest.
    id: 'ai_api_key/mistral',
    family: 'ai_api_key',
    severity: 'high',
    description: 'Mistral API key (value of a setting naming Mistral)',
    keywords: ['mistral'],
    regex: re(
      `(?<![A-Za-z0-9])${ci('mistral')}[\\w\\s"'.:({-]{0,40}?(?:${ci('key')}|${ci('token')}|${ci('secret')})[\\w"']{0,12}?[\\s"':=,]{1,8}(?<secret>[A-Za-z0-9]{32})(?![A-Za-z0-9])`,
    ),
    assess: keyAssess('high', undefined, { rejectHex: true }),
    providerAuth: bearerTo(/^(?:api|codestral)\.mistral\.ai$/),
    examples: {
      tp: [`MISTRAL_API_KEY=${mistralKey}`, `{"mistral_key": "${mistralKey}"}`, `mistral:\n  api_key: ${mistralKey}`, `const client = new Mistral({ apiKey: "${mistralKey}" });`],
      fp: [
        'MISTRAL_API_KEY=your-mistral-key',
        `{"model": "mistral-large-latest", "max_tokens": 1024, "id": "${fakeToken('mistral-id', 32, HEX)}"}`,
        `mistral_key_id=${fakeToken('mistral-hex', 32, HEX)}`,
        `session_token=${mistralKey}`,
      ],
    },
  }),
  outbound({
    // Cohere keys: 40 mixed-case alphanumerics, no prefix; named by "cohere" or CO_API_KEY.
    id: 'ai_api_key/cohere',
    family: 'ai_api_key',
    severity: 'high',
    description: 'Cohere API key (value of a setting naming Cohere)',
    keywords: ['cohere', 'co_api_key'],
    regex: re(
      `(?<![A-Za-z0-9])(?:${ci('cohere')}[\\w\\s"'.:({-]{0,40}?(?:${ci('key')}|${ci('token')}|${ci('secret')})|${ci('co_api_key')})[\\w"']{0,12}?[\\s"':=,]{1,8}(?<secret>[A-Za-z0-9]{40})(?![A-Za-z0-9])`,
    ),
    assess: keyAssess('high', undefined, { rejectHex: true }),
    providerAuth: bearerTo(/^api\.cohere\.(?:com|ai)$/),
    examples: {
      tp: [`CO_API_KEY=${cohereKey}`, `COHERE_API_KEY="${cohereKey}"`, `co = cohere.ClientV2(api_key="${cohereKey}")`],
      fp: [
        'COHERE_API_KEY=<your-api-key>',
        `cohere-python commit token ${fakeToken('cohere-sha', 40, HEX)}`,
        `api_key = "${cohereKey}"`,
      ],
    },
  }),
];
