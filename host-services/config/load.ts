// Resolves the guardian's configuration: defaults < config file < environment < flags.
//
// loadConfig never throws for bad content. Every problem from every source is collected,
// each under the path of the place to fix it (`max_scan_bytes`, `allow_clients[1]`,
// `env:OPENCLAW_TRAFFIC_GUARDIAN_MAX_SCAN_BYTES`, `flag:--port`), because an operator fixing
// one problem per run is slow and `check-config` promises all of them at once. A rejected
// value falls back to the next source down, so later checks still see a usable config.
//
// Order of resolution, and why:
//   1. platform from --platform, else from which *_TRAFFIC_GUARDIAN_* variables are set: it picks
//      the environment prefix and the default home, so it must come before both.
//   2. home from --home / <P>_HOME / the platform's default.
//   3. config file from --config / <P>_CONFIG / <home>/config.json (if present).
//   4. file values, then environment values, then flag values, each validated on its own.
//   5. checks that need the merged result: files exist, LOG_DIR inside the home, home not
//      visible to NanoClaw containers.
import { X509Certificate } from 'node:crypto';
import { accessSync, constants, existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { GuardianError, type FieldProblem } from '../../lib/errors.ts';
import type { Platform } from '../../lib/finding.ts';
import { defaultHome, homeLayout, type HomeLayout } from '../../lib/home-layout.ts';
import {
  DEFAULTS,
  FIELD_SCHEMAS,
  FILE_LOG_KEYS,
  FILE_TOP_KEYS,
  LOOPBACK_CLIENTS,
  nearestName,
  showValue,
  type FieldPath,
  type FieldValues,
  type ResolvedConfig,
} from './schema.ts';

// ---- inputs ------------------------------------------------------------------------------

/**
 * Raw flag values as the CLI parsed them (strings, unconverted): the loader converts and
 * validates them so a bad flag is reported with every other problem, as `flag:--name`.
 */
export interface ConfigFlags {
  home?: string;
  config?: string;
  platform?: string;
  mode?: string;
  host?: string;
  port?: string;
  https_inspection?: boolean;
  allow_clients?: string[];
  max_scan_bytes?: string;
  upstream_proxy?: string;
  upstream_ca?: string[];
  secret_env_files?: string[];
  nanoclaw_root?: string;
}

/** The command-line spelling of each flag, used in problem paths (`flag:--allow-client[0]`). */
export const CONFIG_FLAG_NAMES: Record<keyof ConfigFlags, string> = {
  home: '--home',
  config: '--config',
  platform: '--platform',
  mode: '--mode',
  host: '--host',
  port: '--port',
  https_inspection: '--https-inspection',
  allow_clients: '--allow-client',
  max_scan_bytes: '--max-scan-bytes',
  upstream_proxy: '--upstream-proxy',
  upstream_ca: '--upstream-ca',
  secret_env_files: '--secret-env-file',
  nanoclaw_root: '--nanoclaw-root',
};

export const ENV_KEYS = ['HOME', 'CONFIG', 'MODE', 'PROXY_URL', 'CA_BUNDLE', 'LOG_DIR', 'MAX_SCAN_BYTES', 'REDACT_SNIPPETS'] as const;
export type EnvKey = (typeof ENV_KEYS)[number];

export function envPrefix(platform: Platform): string {
  return platform === 'nanoclaw' ? 'NANOCLAW_TRAFFIC_GUARDIAN_' : 'OPENCLAW_TRAFFIC_GUARDIAN_';
}

export function envName(platform: Platform, key: EnvKey): string {
  return envPrefix(platform) + key;
}

export interface LoadConfigOptions {
  flags?: ConfigFlags;
  /** defaults to process.env */
  env?: NodeJS.ProcessEnv;
  /** base for relative flag and environment paths; defaults to process.cwd() */
  cwd?: string;
  /** the user's home directory, for default homes and `~/`; defaults to os.homedir() */
  userHome?: string;
}

export interface LoadedConfig {
  /** best effort even when invalid: rejected values are replaced by the next source down */
  config: ResolvedConfig;
  layout: HomeLayout;
  errors: FieldProblem[];
  warnings: FieldProblem[];
}

// ---- small helpers -----------------------------------------------------------------------

/** A value together with the path under which a problem with it is reported. */
interface Sourced<T> {
  value: T;
  path: string;
}

/** What one source (file, environment or flags) set, each value with its problem path. */
type SourceValues = { [K in FieldPath]?: Sourced<FieldValues[K]> };

/** `['allow_clients', 1]` -> `allow_clients[1]`, `['log', 'max_bytes']` -> `log.max_bytes`. */
function joinPath(base: string, sub: readonly PropertyKey[]): string {
  let out = base;
  for (const part of sub) out += typeof part === 'number' ? `[${part}]` : `.${String(part)}`;
  return out;
}

function nonEmpty(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

function expandTilde(p: string, userHome: string): string {
  if (p === '~') return userHome;
  if (p.startsWith('~/')) return join(userHome, p.slice(2));
  return p;
}

/** Realpath of the longest existing prefix plus the rest, so symlinks cannot hide where a path really is. */
function realish(p: string): string {
  let cur = resolve(p);
  const rest: string[] = [];
  for (;;) {
    try {
      return join(realpathSync(cur), ...rest.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return resolve(p);
      rest.push(basename(cur));
      cur = parent;
    }
  }
}

/** true if `child` is `parent` or below it */
function isWithin(child: string, parent: string): boolean {
  const rel = relative(parent, child);
  return rel === '' || (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel));
}

function parseWholeNumber(raw: string): number | null {
  const s = raw.trim();
  return /^\d+$/.test(s) ? Number(s) : null;
}

function parseBoolean(raw: string): boolean | null {
  const s = raw.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  return null;
}

// ---- the loader --------------------------------------------------------------------------

class Collector {
  readonly errors: FieldProblem[] = [];
  readonly warnings: FieldProblem[] = [];

  error(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  warn(path: string, message: string): void {
    this.warnings.push({ path, message });
  }

  /** Validates one value against its field schema; problems are reported under `path`. */
  check<K extends FieldPath>(field: K, raw: unknown, path: string): Sourced<FieldValues[K]> | undefined {
    const schema = FIELD_SCHEMAS[field] as unknown as z.ZodType<FieldValues[K]>;
    const result = schema.safeParse(raw);
    if (result.success) return { value: result.data, path };
    for (const issue of result.error.issues) this.error(joinPath(path, issue.path), issue.message);
    return undefined;
  }
}

export function loadConfig(opts: LoadConfigOptions = {}): LoadedConfig {
  const env = opts.env ?? process.env;
  const cwd = opts.cwd ?? process.cwd();
  const userHome = opts.userHome ?? homedir();
  const flags = opts.flags ?? {};
  const out = new Collector();
  const flagPath = (k: keyof ConfigFlags) => `flag:${CONFIG_FLAG_NAMES[k]}`;
  const pathArg = (p: string, base: string) => resolve(base, expandTilde(p, userHome));

  // 1. platform -------------------------------------------------------------------------
  let platform: Platform | undefined;
  if (flags.platform !== undefined) platform = out.check('platform', flags.platform, flagPath('platform'))?.value;
  if (platform === undefined) platform = platformFromEnv(env, out);
  // until the file is read, an undecided platform means openclaw (the contract's default)
  const early: Platform = platform ?? 'openclaw';
  const envVar = (key: EnvKey) => envName(early, key);
  const envPath = (key: EnvKey) => `env:${envVar(key)}`;
  const envValue = (key: EnvKey) => (nonEmpty(env[envVar(key)]) ? env[envVar(key)] : undefined);
  warnUnknownEnv(env, early, out);

  // 2. home ------------------------------------------------------------------------------
  let home: string;
  let homePath: string;
  if (flags.home !== undefined && flags.home !== '') {
    home = pathArg(flags.home, cwd);
    homePath = flagPath('home');
  } else if (envValue('HOME') !== undefined) {
    home = pathArg(envValue('HOME') as string, cwd);
    homePath = envPath('HOME');
  } else {
    home = defaultHome(early, userHome);
    homePath = 'home';
  }
  if (existsSync(home) && !statSync(home).isDirectory()) {
    out.error(homePath, `home ${home} exists but is not a directory: choose a directory for the guardian's state`);
  }

  // 3. config file -----------------------------------------------------------------------
  let configFile: string | null = null;
  let configSourcePath = 'config';
  if (flags.config !== undefined && flags.config !== '') {
    configFile = pathArg(flags.config, cwd);
    configSourcePath = flagPath('config');
  } else if (envValue('CONFIG') !== undefined) {
    configFile = pathArg(envValue('CONFIG') as string, cwd);
    configSourcePath = envPath('CONFIG');
  } else if (existsSync(homeLayout(home).configFile)) {
    configFile = homeLayout(home).configFile;
  }
  let fileObject: Record<string, unknown> = {};
  if (configFile !== null) {
    const read = readConfigFile(configFile, configSourcePath, out);
    if (read === null) configFile = existsSync(configFile) ? configFile : null;
    else fileObject = read;
  }
  // relative paths in a file are relative to the file, as in most tools' config files
  const fileBase = configFile ? dirname(configFile) : cwd;

  // 4. each source on its own -------------------------------------------------------------
  const fromFile = fileValues(fileObject, out);
  const fromEnv = envValues(envValue, envPath, out);
  const fromFlags = flagValues(flags, flagPath, out);

  const pick = <K extends FieldPath>(k: K): Sourced<FieldValues[K]> | undefined => fromFlags[k] ?? fromEnv[k] ?? fromFile[k];
  const value = <K extends FieldPath>(k: K, fallback: FieldValues[K]): FieldValues[K] => pick(k)?.value ?? fallback;

  const finalPlatform: Platform = platform ?? fromFile.platform?.value ?? 'openclaw';

  // allow_clients: the highest source replaces lower ones (narrowing must be possible);
  // loopback is added back afterwards, whatever was configured
  const clients = [...value('allow_clients', [...DEFAULTS.allow_clients])];
  for (const lo of LOOPBACK_CLIENTS) if (!clients.includes(lo)) clients.push(lo);

  // CA files and secret env files accumulate across sources: both only ever add (trust for
  // corporate proxies, values to watch for), and silently dropping a file's entry because a
  // flag named another would lose detection without anyone noticing
  const caFiles: Sourced<string>[] = [
    ...listEntries(fromFile.upstream_ca, fileBase, pathArg),
    ...(fromEnv.upstream_ca ? [{ value: pathArg(fromEnv.upstream_ca.value[0] as string, cwd), path: fromEnv.upstream_ca.path }] : []),
    ...listEntries(fromFlags.upstream_ca, cwd, pathArg),
  ];
  const secretFiles: Sourced<string>[] = [
    ...listEntries(fromFile.secret_env_files, fileBase, pathArg),
    ...listEntries(fromFlags.secret_env_files, cwd, pathArg),
  ];
  const rootSrc = fromFlags.nanoclaw_root
    ? { value: pathArg(fromFlags.nanoclaw_root.value, cwd), path: fromFlags.nanoclaw_root.path }
    : fromFile.nanoclaw_root
      ? { value: pathArg(fromFile.nanoclaw_root.value, fileBase), path: fromFile.nanoclaw_root.path }
      : undefined;

  // 5. checks on the merged result ---------------------------------------------------------
  for (const ca of caFiles) checkCaFile(ca, out);
  for (const f of secretFiles) checkReadableFile(f, 'secret env file', out);
  if (rootSrc) checkNanoclawRoot(rootSrc, out);
  // Without --nanoclaw-root the guardian still recognises a NanoClaw checkout above the home,
  // so a home inside an unnamed project's groups/, data/ or store/ is refused all the same.
  const rootForHome = rootSrc?.value ?? nanoclawRootAbove(realish(home));
  if (rootForHome) checkHomeNotContainerVisible(home, homePath, rootForHome, out);
  const logDir = resolveLogDir(home, envValue('LOG_DIR'), envPath('LOG_DIR'), out);

  const config: ResolvedConfig = {
    platform: finalPlatform,
    mode: 'detect',
    home,
    config_file: configFile,
    host: value('host', DEFAULTS.host),
    port: value('port', DEFAULTS.port),
    https_inspection: value('https_inspection', DEFAULTS.https_inspection),
    allow_clients: clients,
    max_scan_bytes: value('max_scan_bytes', DEFAULTS.max_scan_bytes),
    redact_snippets: true,
    log: {
      dir: logDir ?? homeLayout(home).logDir,
      max_bytes: value('log.max_bytes', DEFAULTS.log.max_bytes),
      max_files: value('log.max_files', DEFAULTS.log.max_files),
    },
    dedup_window_ms: value('dedup_window_ms', DEFAULTS.dedup_window_ms),
    upstream_proxy: pick('upstream_proxy')?.value ?? null,
    upstream_ca: dedupe(caFiles.map((c) => c.value)),
    secret_env_files: dedupe(secretFiles.map((f) => f.value)),
    nanoclaw_root: rootSrc?.value ?? null,
  };
  return { config, layout: homeLayout(home, logDir), errors: out.errors, warnings: out.warnings };
}

/**
 * For commands that need a usable config (start, demo, ...): the loaded config, or a
 * GuardianError CONFIG_INVALID carrying every problem.
 */
export function assertValidConfig(loaded: LoadedConfig): { config: ResolvedConfig; layout: HomeLayout } {
  if (loaded.errors.length === 0) return { config: loaded.config, layout: loaded.layout };
  const n = loaded.errors.length;
  throw new GuardianError('CONFIG_INVALID', `configuration is invalid (${n} problem${n === 1 ? '' : 's'})`, {
    fix: 'correct each field listed above; `clawsec-traffic-guardian check-config` shows the same list',
    problems: loaded.errors,
  });
}

// ---- sources -----------------------------------------------------------------------------

function platformFromEnv(env: NodeJS.ProcessEnv, out: Collector): Platform | undefined {
  const present = (p: Platform) => ENV_KEYS.some((k) => nonEmpty(env[envName(p, k)]));
  const nano = present('nanoclaw');
  const open = present('openclaw');
  if (nano && open) {
    out.warn(
      'platform',
      'both OPENCLAW_TRAFFIC_GUARDIAN_* and NANOCLAW_TRAFFIC_GUARDIAN_* variables are set; using openclaw and its variables. Pass --platform nanoclaw to use the NanoClaw ones',
    );
    return 'openclaw';
  }
  if (nano) return 'nanoclaw';
  if (open) return 'openclaw';
  return undefined;
}

function warnUnknownEnv(env: NodeJS.ProcessEnv, platform: Platform, out: Collector): void {
  const prefix = envPrefix(platform);
  const known = ENV_KEYS.map((k) => prefix + k);
  for (const name of Object.keys(env)) {
    if (!name.startsWith(prefix) || (known as string[]).includes(name)) continue;
    const suffix = name.slice(prefix.length);
    // there is no HOST/PORT variable: the listener is set as one URL
    const near = ['HOST', 'PORT', 'LISTEN'].includes(suffix) ? 'PROXY_URL' : nearestName(suffix, ENV_KEYS);
    const hint = near === 'PROXY_URL' && suffix !== 'PROXY_URL' ? `${prefix}PROXY_URL=http://127.0.0.1:18787` : near ? prefix + near : null;
    out.warn(
      `env:${name}`,
      `unknown variable, ignored${hint ? ` (did you mean ${hint}?)` : ''}; the variables are ${known.join(', ')}`,
    );
  }
}

function readConfigFile(file: string, sourcePath: string, out: Collector): Record<string, unknown> | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      out.error(sourcePath, `config file ${file} does not exist: create it or point ${sourcePath.replace(/^(flag|env):/, '')} at an existing file`);
    } else if (code === 'EISDIR') {
      out.error(sourcePath, `config file ${file} is a directory: point it at a JSON file`);
    } else {
      out.error('config', `cannot read config file ${file} (${code ?? 'error'}): check its permissions`);
    }
    return null;
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    out.error('config', `config file ${file} is not valid JSON: ${jsonErrorWhere(text, err)}; fix the syntax (comments and trailing commas are not allowed)`);
    return null;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    out.error('config', `config file ${file} must hold a JSON object like {"mode": "detect"} (got ${Array.isArray(parsed) ? 'an array' : showValue(parsed)})`);
    return null;
  }
  return parsed as Record<string, unknown>;
}

/**
 * Where JSON.parse gave up, as line, column and position. Node 20 puts only "at position N"
 * in the message, newer V8 sometimes adds "(line L column C)" and sometimes gives no position
 * at all ("Unexpected token 'x', ... is not valid JSON"); in that last case the position is
 * found as the shortest prefix that fails for a reason other than ending early.
 */
function jsonErrorWhere(text: string, err: unknown): string {
  const message = (err instanceof Error ? err.message : String(err))
    .replace(/\s*\(line \d+ column \d+\)/, '')
    .replace(/\s*in JSON at position \d+$/, '')
    .replace(/,\s*".*" is not valid JSON$/s, '');
  const m = /at position (\d+)/.exec(err instanceof Error ? err.message : '');
  const pos = m ? Number(m[1]) : firstBadOffset(text);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  return `${message} at line ${line}, column ${column} (position ${pos})`;
}

function firstBadOffset(text: string): number {
  const failsEarly = (n: number): boolean => {
    try {
      JSON.parse(text.slice(0, n));
      return false;
    } catch (e) {
      return !/end of JSON input|Unterminated/i.test(e instanceof Error ? e.message : '');
    }
  };
  if (!failsEarly(text.length)) return text.length;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (failsEarly(mid + 1)) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

function fileValues(obj: Record<string, unknown>, out: Collector): SourceValues {
  const vals: SourceValues = {};
  const set = <K extends FieldPath>(k: K, raw: unknown) => {
    const v = out.check(k, raw, k);
    if (v) vals[k] = v as SourceValues[K];
  };
  for (const [key, raw] of Object.entries(obj)) {
    if (key === 'log') {
      if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
        out.error('log', `must be an object like {"max_bytes": 10485760, "max_files": 5} (got ${showValue(raw)})`);
        continue;
      }
      for (const [sub, subRaw] of Object.entries(raw as Record<string, unknown>)) {
        if (FILE_LOG_KEYS.has(sub)) set(`log.${sub}` as FieldPath, subRaw);
        else warnUnknownKey(`log.${sub}`, sub, FILE_LOG_KEYS, out);
      }
    } else if (FILE_TOP_KEYS.has(key)) {
      set(key as FieldPath, raw);
    } else {
      warnUnknownKey(key, key, FILE_TOP_KEYS, out);
    }
  }
  return vals;
}

function warnUnknownKey(path: string, key: string, known: Set<string>, out: Collector): void {
  const near = nearestName(key, known);
  out.warn(path, `unknown key "${key}" is ignored${near ? `; did you mean "${near}"?` : `; known keys: ${[...known].join(', ')}`}`);
}

function envValues(
  envValue: (k: EnvKey) => string | undefined,
  envPath: (k: EnvKey) => string,
  out: Collector,
): SourceValues {
  const vals: SourceValues = {};
  const mode = envValue('MODE');
  if (mode !== undefined) vals.mode = out.check('mode', mode.trim(), envPath('MODE'));

  const listen = envValue('PROXY_URL');
  if (listen !== undefined) {
    const parsed = parseListenUrl(listen);
    if ('problem' in parsed) out.error(envPath('PROXY_URL'), parsed.problem);
    else {
      vals.host = out.check('host', parsed.host, envPath('PROXY_URL'));
      vals.port = out.check('port', parsed.port, envPath('PROXY_URL'));
    }
  }

  const ca = envValue('CA_BUNDLE');
  if (ca !== undefined) vals.upstream_ca = { value: [ca], path: envPath('CA_BUNDLE') };

  const msb = envValue('MAX_SCAN_BYTES');
  if (msb !== undefined) {
    const n = parseWholeNumber(msb);
    if (n === null) out.error(envPath('MAX_SCAN_BYTES'), `must be a whole number of bytes from 1024 to 16777216 (16 MiB is the hard maximum), e.g. 1048576 (got ${showValue(msb)})`);
    else vals.max_scan_bytes = out.check('max_scan_bytes', n, envPath('MAX_SCAN_BYTES'));
  }

  const redact = envValue('REDACT_SNIPPETS');
  if (redact !== undefined) {
    const b = parseBoolean(redact);
    if (b === null) out.error(envPath('REDACT_SNIPPETS'), `must be true (got ${showValue(redact)}); snippets are always redacted, so unset it or set it to true`);
    else vals.redact_snippets = out.check('redact_snippets', b, envPath('REDACT_SNIPPETS'));
  }
  return vals;
}

/** `http://127.0.0.1:18787` -> host and port of the guardian's own listener. */
function parseListenUrl(raw: string): { host: string; port: number } | { problem: string } {
  const example = 'use a URL like http://127.0.0.1:18787';
  const m = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/]*@)?(\[[^\]]*\]|[^:/?#]*)(?::(\d*))?\/?$/i.exec(raw.trim());
  if (!m) return { problem: `is not a listener URL: ${example}` };
  if (m[1]?.toLowerCase() !== 'http') {
    return { problem: `must start with http:// (the listener speaks plain HTTP proxy; HTTPS goes through CONNECT): ${example}` };
  }
  const host = m[2] ?? '';
  if (host === '') return { problem: `has no host: ${example}` };
  if (m[3] === undefined || m[3] === '') return { problem: `has no port: ${example}` };
  return { host, port: Number(m[3]) };
}

function flagValues(flags: ConfigFlags, flagPath: (k: keyof ConfigFlags) => string, out: Collector): SourceValues {
  const vals: SourceValues = {};
  if (flags.mode !== undefined) vals.mode = out.check('mode', flags.mode, flagPath('mode'));
  if (flags.host !== undefined) vals.host = out.check('host', flags.host, flagPath('host'));
  if (flags.port !== undefined) {
    const n = parseWholeNumber(flags.port);
    if (n === null) out.error(flagPath('port'), `must be a whole number from 0 to 65535 (0 = any free port), e.g. --port 18787 (got ${showValue(flags.port)})`);
    else vals.port = out.check('port', n, flagPath('port'));
  }
  if (flags.https_inspection !== undefined) vals.https_inspection = { value: flags.https_inspection, path: flagPath('https_inspection') };
  // repeatable flags are checked as one list, so a bad value is reported as `flag:--allow-client[1]`
  if (flags.allow_clients !== undefined && flags.allow_clients.length > 0) {
    vals.allow_clients = out.check('allow_clients', flags.allow_clients, flagPath('allow_clients'));
  }
  if (flags.max_scan_bytes !== undefined) {
    const n = parseWholeNumber(flags.max_scan_bytes);
    if (n === null) out.error(flagPath('max_scan_bytes'), `must be a whole number of bytes from 1024 to 16777216 (16 MiB is the hard maximum), e.g. --max-scan-bytes 1048576 (got ${showValue(flags.max_scan_bytes)})`);
    else vals.max_scan_bytes = out.check('max_scan_bytes', n, flagPath('max_scan_bytes'));
  }
  if (flags.upstream_proxy !== undefined) vals.upstream_proxy = out.check('upstream_proxy', flags.upstream_proxy, flagPath('upstream_proxy'));
  if (flags.upstream_ca !== undefined && flags.upstream_ca.length > 0) {
    vals.upstream_ca = out.check('upstream_ca', flags.upstream_ca, flagPath('upstream_ca'));
  }
  if (flags.secret_env_files !== undefined && flags.secret_env_files.length > 0) {
    vals.secret_env_files = out.check('secret_env_files', flags.secret_env_files, flagPath('secret_env_files'));
  }
  if (flags.nanoclaw_root !== undefined) vals.nanoclaw_root = out.check('nanoclaw_root', flags.nanoclaw_root, flagPath('nanoclaw_root'));
  return vals;
}

/** One entry per list item, reported as `upstream_ca[1]` or `flag:--upstream-ca[1]`. */
function listEntries(
  src: Sourced<string[]> | undefined,
  base: string,
  pathArg: (p: string, base: string) => string,
): Sourced<string>[] {
  if (!src) return [];
  return src.value.map((v, i) => ({ value: pathArg(v, base), path: `${src.path}[${i}]` }));
}

function dedupe(xs: string[]): string[] {
  return [...new Set(xs)];
}

// ---- checks that touch the disk ------------------------------------------------------------

function checkReadableFile(f: Sourced<string>, what: string, out: Collector): boolean {
  let st;
  try {
    st = statSync(f.value);
  } catch {
    out.error(f.path, `${what} ${f.value} does not exist: fix the path or remove the entry`);
    return false;
  }
  if (!st.isFile()) {
    out.error(f.path, `${what} ${f.value} is not a regular file: point it at a file`);
    return false;
  }
  try {
    accessSync(f.value, constants.R_OK);
  } catch {
    out.error(f.path, `${what} ${f.value} is not readable by this user: fix its permissions`);
    return false;
  }
  return true;
}

function checkCaFile(ca: Sourced<string>, out: Collector): void {
  if (!checkReadableFile(ca, 'CA file', out)) return;
  const text = readFileSync(ca.value, 'latin1');
  const block = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/.exec(text);
  if (!block) {
    out.error(
      ca.path,
      `CA file ${ca.value} holds no PEM certificate (-----BEGIN CERTIFICATE-----): use a PEM file; convert DER with \`openssl x509 -inform der -in FILE -out FILE.pem\``,
    );
    return;
  }
  try {
    new X509Certificate(block[0]);
  } catch {
    out.error(ca.path, `CA file ${ca.value} has a PEM certificate block that does not parse: replace it with the CA's PEM certificate`);
  }
}

function checkNanoclawRoot(root: Sourced<string>, out: Collector): void {
  let isDir = false;
  try {
    isDir = statSync(root.value).isDirectory();
  } catch {
    // reported below
  }
  if (!isDir) {
    out.error(root.path, `NanoClaw root ${root.value} is not a directory: point it at the NanoClaw project (the folder holding groups/ and data/)`);
    return;
  }
  if (!existsSync(join(root.value, 'groups')) && !existsSync(join(root.value, 'data'))) {
    out.warn(root.path, `${root.value} has neither groups/ nor data/: is it the NanoClaw project folder?`);
  }
}

/**
 * The nearest ancestor of `path` shaped like a NanoClaw project: a `groups/` folder beside
 * `data/ipc/` or `store/`, or a package.json named nanoclaw. Null when there is none.
 */
export function nanoclawRootAbove(path: string): string | null {
  let dir = dirname(resolve(path));
  for (let i = 0; i < 32; i++) {
    const looksLikeNanoclaw =
      (existsSync(join(dir, 'groups')) && (existsSync(join(dir, 'data', 'ipc')) || existsSync(join(dir, 'store')))) ||
      packageNamed(join(dir, 'package.json'), /nanoclaw/i);
    if (looksLikeNanoclaw) return dir;
    const parent = dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
  return null;
}

function packageNamed(file: string, name: RegExp): boolean {
  try {
    const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: unknown };
    return typeof pkg.name === 'string' && name.test(pkg.name);
  } catch {
    return false;
  }
}

/**
 * NanoClaw mounts groups/, data/ and store/ into containers: a home there would hand the CA
 * key and the findings log to the agents being watched.
 */
function checkHomeNotContainerVisible(home: string, homePath: string, root: string, out: Collector): void {
  const realHome = realish(home);
  const realRoot = realish(root);
  for (const sub of ['groups', 'data', 'store']) {
    if (isWithin(realHome, join(realRoot, sub))) {
      out.error(
        homePath,
        `home ${home} is inside the NanoClaw project's ${sub}/ folder, which containers can see (the CA key and logs must stay host-only): use a home outside ${root}, e.g. the default ~/.config/nanoclaw/clawsec/traffic-guardian`,
      );
      return;
    }
  }
  if (isWithin(realHome, realRoot)) {
    out.warn(
      homePath,
      `home ${home} is inside the NanoClaw project ${root}; the main group's container may mount the project: prefer a home outside it, e.g. ~/.config/nanoclaw/clawsec/traffic-guardian`,
    );
  }
}

/** LOG_DIR may move the logs, but only within the home (all state lives under it). */
function resolveLogDir(home: string, raw: string | undefined, path: string, out: Collector): string | undefined {
  if (raw === undefined) return undefined;
  // relative to the home: the only place it may point anyway
  const dir = resolve(home, raw);
  const realHome = realish(home);
  const realDir = realish(dir);
  if (!isWithin(realDir, realHome) || realDir === realHome) {
    out.error(
      path,
      `log dir ${dir} is outside the home ${home}; all state lives under the home: use a folder inside it (e.g. ${join(home, 'logs')} or a relative name like "logs") or unset the variable`,
    );
    return undefined;
  }
  return dir;
}
