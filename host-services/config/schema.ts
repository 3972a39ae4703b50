// The guardian's configuration at the boundary: what a config file may contain, what each
// field accepts, and the shape of the fully resolved configuration.
//
// Every field has its own schema (FIELD_SCHEMAS) so the loader can validate one value at a
// time, whichever source it came from (file, environment, flag), and report each problem
// under that source's path. Messages say what to write instead: they are shown to operators
// verbatim by `check-config`.
//
// The resolved config keeps the file's snake_case names on purpose: the same name then means
// the same setting in the config file, `check-config --json`, `status --json` and the docs.
import { HARD_MAX_SCAN_BYTES } from '../../lib/scan/scanner.ts';
import { isIP } from 'node:net';
import { z } from 'zod';
import { PLATFORMS } from '../../lib/finding.ts';

export const MiB = 1024 * 1024;

export const DEFAULTS = {
  mode: 'detect',
  host: '127.0.0.1',
  port: 18787,
  https_inspection: false,
  allow_clients: ['127.0.0.1/32', '::1/128'],
  max_scan_bytes: MiB,
  redact_snippets: true,
  log: { max_bytes: 10 * MiB, max_files: 5 },
  dedup_window_ms: 60_000,
} as const;

/** Loopback is always allowed: the host's own agents must never be locked out by a typo. */
export const LOOPBACK_CLIENTS = ['127.0.0.1/32', '::1/128'] as const;

export const LIMITS = {
  port: { min: 0, max: 65535 },
  max_scan_bytes: { min: 1024, max: HARD_MAX_SCAN_BYTES },
  log_max_bytes: { min: 64 * 1024, max: 1024 * MiB },
  log_max_files: { min: 1, max: 100 },
  dedup_window_ms: { min: 0, max: 3_600_000 },
} as const;

/** The candidate closest to a misspelt name, for "did you mean" hints; null if none is close. */
export function nearestName(word: string, candidates: Iterable<string>): string | null {
  let best: string | null = null;
  let bestDist = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  // more than a third of the word changed is a different word, not a typo
  return best !== null && bestDist <= Math.max(2, Math.floor(word.length / 3)) ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

/** A short, safe rendering of a rejected value for messages (bounded, one line). */
export function showValue(v: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(v) ?? String(v);
  } catch {
    s = String(v);
  }
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

/** `what` reads after "a whole number", e.g. "of bytes"; `note` follows the range. */
function wholeNumber(range: { min: number; max: number }, what: string, note: string, example: string) {
  const msg = (iss: { input?: unknown }) =>
    `must be a whole number${what ? ` ${what}` : ''} from ${range.min} to ${range.max}${note}, e.g. ${example} (got ${showValue(iss.input)})`;
  return z
    .number({ error: msg })
    .int({ error: msg })
    .min(range.min, { error: msg })
    .max(range.max, { error: msg });
}

function bool(example: string) {
  return z.boolean({ error: (iss) => `must be true or false, e.g. ${example} (got ${showValue(iss.input)})` });
}

function pathString(what: string) {
  return z
    .string({ error: (iss) => `must be a ${what} path as a string (got ${showValue(iss.input)})` })
    .min(1, { error: `must be a non-empty ${what} path` });
}

function pathList(what: string) {
  return z.array(pathString(what), {
    error: (iss) => `must be an array of ${what} paths, e.g. ["/etc/ssl/corp-ca.pem"] (got ${showValue(iss.input)})`,
  });
}

// ---- CIDR ranges -------------------------------------------------------------------------

/** Normalises `10.0.0.0/8`, `::1/128` or a bare address (taken as a single host); null if invalid. */
export function normalizeCidr(raw: string): string | null {
  const s = raw.trim();
  const slash = s.indexOf('/');
  const addr = slash === -1 ? s : s.slice(0, slash);
  const family = isIP(addr);
  // zone ids (fe80::1%eth0) pass isIP but cannot be matched against a client address
  if (family === 0 || addr.includes('%')) return null;
  const maxPrefix = family === 4 ? 32 : 128;
  if (slash === -1) return `${addr.toLowerCase()}/${maxPrefix}`;
  const prefixText = s.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return null;
  const prefix = Number(prefixText);
  if (prefix > maxPrefix) return null;
  return `${addr.toLowerCase()}/${prefix}`;
}

export const CidrSchema = z
  .string({ error: (iss) => `must be a CIDR range as a string, e.g. "10.0.0.0/8" (got ${showValue(iss.input)})` })
  .refine((v) => normalizeCidr(v) !== null, {
    error: (iss) =>
      `${showValue(iss.input)} is not a CIDR range: use an IPv4 or IPv6 address with an optional prefix length, e.g. "172.17.0.0/16" or "::1/128"`,
  })
  .transform((v) => normalizeCidr(v) as string);

// ---- listener host and URLs --------------------------------------------------------------

const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

/** Why a listener host is unusable, or null when it is fine. */
export function listenHostProblem(host: string): string | null {
  if (host.includes('://')) return 'must be a host, not a URL: use e.g. "127.0.0.1" (and set the port separately)';
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isIP(bare) !== 0) return null;
  if (/^[^:]+:\d+$/.test(host)) return 'must be a host without a port: use e.g. "127.0.0.1" and set "port" separately';
  if (HOSTNAME.test(host)) return null;
  return `${showValue(host)} is not an IP address or host name: use e.g. "127.0.0.1", "::1" or "0.0.0.0"`;
}

export const ListenHostSchema = z
  .string({ error: (iss) => `must be a host as a string, e.g. "127.0.0.1" (got ${showValue(iss.input)})` })
  .superRefine((v, ctx) => {
    const problem = listenHostProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  })
  // a bracketed IPv6 literal is accepted for convenience; sockets want it bare
  .transform((v) => (v.startsWith('[') && v.endsWith(']') ? v.slice(1, -1) : v));

const UPSTREAM_EXAMPLE = 'use a URL like http://127.0.0.1:10255';

/**
 * Why an upstream proxy URL is unusable, or null. The value itself is never echoed: an
 * upstream proxy URL may carry credentials.
 */
export function upstreamProxyProblem(raw: string): string | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return `is not a valid URL: ${UPSTREAM_EXAMPLE}`;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return `must start with http:// or https:// (got ${url.protocol.replace(/:$/, '')}://): ${UPSTREAM_EXAMPLE}`;
  }
  if (!url.hostname) return `has no host: ${UPSTREAM_EXAMPLE}`;
  if ((url.pathname && url.pathname !== '/') || url.search || url.hash) {
    return `must be only scheme, host and port (no path or query): ${UPSTREAM_EXAMPLE}`;
  }
  return null;
}

export const UpstreamProxySchema = z
  .string({ error: `must be a URL string: ${UPSTREAM_EXAMPLE}` })
  .superRefine((v, ctx) => {
    const problem = upstreamProxyProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem });
  });

// ---- fields ------------------------------------------------------------------------------

const MODE_MESSAGE = (iss: { input?: unknown }) =>
  iss.input === 'block'
    ? '"block" is not available: blocking does not exist in this release (the guardian detects and logs only); set "mode" to "detect" or remove it'
    : `unsupported mode ${showValue(iss.input)}: blocking does not exist in this release and the only mode is "detect"; set "mode" to "detect" or remove it`;

/**
 * One schema per setting, keyed by its path in the config file (`log.max_bytes` lives in the
 * nested `log` object). The loader applies these to file, environment and flag values alike.
 */
export const FIELD_SCHEMAS = {
  mode: z.literal('detect', { error: MODE_MESSAGE }),
  platform: z.enum(PLATFORMS, {
    error: (iss) => `must be "openclaw" or "nanoclaw" (got ${showValue(iss.input)})`,
  }),
  host: ListenHostSchema,
  port: wholeNumber(LIMITS.port, '', ' (0 = any free port)', '18787'),
  https_inspection: bool('"https_inspection": true'),
  allow_clients: z.array(CidrSchema, {
    error: (iss) => `must be an array of CIDR ranges, e.g. ["127.0.0.1/32", "172.17.0.0/16"] (got ${showValue(iss.input)})`,
  }),
  max_scan_bytes: wholeNumber(LIMITS.max_scan_bytes, 'of bytes', ' (16 MiB is the hard maximum)', '1048576'),
  redact_snippets: z.literal(true, {
    error: (iss) =>
      iss.input === false
        ? 'cannot be false: snippets are always redacted so the log never holds a secret; set it to true or remove it'
        : `must be true (got ${showValue(iss.input)}); snippets are always redacted, so remove it or set it to true`,
  }),
  'log.max_bytes': wholeNumber(LIMITS.log_max_bytes, 'of bytes per log file', ' (64 KiB to 1 GiB)', '10485760'),
  'log.max_files': wholeNumber(LIMITS.log_max_files, 'of log files kept', '', '5'),
  dedup_window_ms: wholeNumber(LIMITS.dedup_window_ms, 'of milliseconds', ' (0 turns dedup off)', '60000'),
  upstream_proxy: UpstreamProxySchema,
  upstream_ca: pathList('PEM certificate file'),
  secret_env_files: pathList('env file'),
  nanoclaw_root: pathString('NanoClaw project directory'),
} as const;

export type FieldPath = keyof typeof FIELD_SCHEMAS;
export const FIELD_PATHS = Object.keys(FIELD_SCHEMAS) as FieldPath[];

/** The parsed (post-transform) value of each field. */
export type FieldValues = { [K in FieldPath]: z.output<(typeof FIELD_SCHEMAS)[K]> };

/**
 * The config file as a whole (every key optional). The loader validates field by field so it
 * can keep the good values and warn about unknown keys; this schema documents the file and
 * serves whoever needs to validate a complete file in one call.
 */
export const ConfigFileSchema = z.object({
  mode: FIELD_SCHEMAS.mode.optional(),
  platform: FIELD_SCHEMAS.platform.optional(),
  host: FIELD_SCHEMAS.host.optional(),
  port: FIELD_SCHEMAS.port.optional(),
  https_inspection: FIELD_SCHEMAS.https_inspection.optional(),
  allow_clients: FIELD_SCHEMAS.allow_clients.optional(),
  max_scan_bytes: FIELD_SCHEMAS.max_scan_bytes.optional(),
  redact_snippets: FIELD_SCHEMAS.redact_snippets.optional(),
  log: z
    .object({
      max_bytes: FIELD_SCHEMAS['log.max_bytes'].optional(),
      max_files: FIELD_SCHEMAS['log.max_files'].optional(),
    })
    .optional(),
  dedup_window_ms: FIELD_SCHEMAS.dedup_window_ms.optional(),
  upstream_proxy: FIELD_SCHEMAS.upstream_proxy.optional(),
  upstream_ca: FIELD_SCHEMAS.upstream_ca.optional(),
  secret_env_files: FIELD_SCHEMAS.secret_env_files.optional(),
  nanoclaw_root: FIELD_SCHEMAS.nanoclaw_root.optional(),
});
export type ConfigFile = z.input<typeof ConfigFileSchema>;

/** Keys the file may hold at top level and inside `log`; anything else gets a warning. */
export const FILE_TOP_KEYS = new Set(Object.keys(ConfigFileSchema.shape));
export const FILE_LOG_KEYS = new Set(['max_bytes', 'max_files']);

/**
 * The configuration after defaults, file, environment and flags are merged. Paths are
 * absolute. `allow_clients` already contains the loopback ranges, so whoever enforces it
 * needs no extra rule.
 */
export const ResolvedConfigSchema = z.object({
  platform: z.enum(PLATFORMS),
  mode: z.literal('detect'),
  home: z.string(),
  /** the config file that was read, or null when none was */
  config_file: z.string().nullable(),
  host: z.string(),
  port: z.number().int().min(0).max(65535),
  https_inspection: z.boolean(),
  allow_clients: z.array(z.string()),
  max_scan_bytes: z.number().int().min(LIMITS.max_scan_bytes.min).max(LIMITS.max_scan_bytes.max),
  redact_snippets: z.literal(true),
  log: z.object({
    dir: z.string(),
    max_bytes: z.number().int(),
    max_files: z.number().int(),
  }),
  dedup_window_ms: z.number().int(),
  /** may hold credentials: print it through redactConfig() */
  upstream_proxy: z.string().nullable(),
  upstream_ca: z.array(z.string()),
  /** paths only; the values are read by the monitor into memory and never written anywhere */
  secret_env_files: z.array(z.string()),
  nanoclaw_root: z.string().nullable(),
});
export type ResolvedConfig = z.infer<typeof ResolvedConfigSchema>;

/** The config as safe to print: the upstream proxy's password (if any) is masked. */
export function redactConfig(config: ResolvedConfig): ResolvedConfig {
  if (!config.upstream_proxy) return config;
  try {
    const url = new URL(config.upstream_proxy);
    if (!url.username && !url.password) return config;
    // a user name alone can be a token (http://TOKEN@proxy), so both parts are masked
    if (url.username) url.username = '***';
    if (url.password) url.password = '***';
    return { ...config, upstream_proxy: url.toString() };
  } catch {
    return { ...config, upstream_proxy: null };
  }
}
