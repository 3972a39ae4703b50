// The CLI's vocabulary: what a command is (CommandSpec), what it receives (CommandContext),
// how its argv is parsed (node:util parseArgs tokens, checked here so every usage error
// names the flag and a fix), and how its --help text is laid out.
//
// Parsing is done in non-strict mode and then checked token by token: parseArgs' own strict
// errors are generic ("Unknown option") and cannot suggest the flag the user meant.
import { parseArgs } from 'node:util';
import { GuardianError } from '../../lib/errors.ts';
import { PLATFORMS, type Platform } from '../../lib/finding.ts';
import { nearestName } from '../config/schema.ts';

export const BIN = 'clawsec-traffic-guardian';

// ---- flags -------------------------------------------------------------------------------

/** A flag as node:util parseArgs knows it, plus what --help shows and what values are allowed. */
export interface FlagSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** one line for --help */
  description: string;
  /** placeholder shown in --help, e.g. `PORT` (string flags) */
  valueName?: string;
  /** allowed values; anything else is a usage error (exit 2) naming the flag */
  choices?: readonly string[];
  /**
   * boolean flags only: `--no-<name>` sets it to false, so a flag can turn off what a config
   * file turned on (node:util parseArgs has no negation before Node 22)
   */
  negatable?: boolean;
}

export type FlagSpecs = Record<string, FlagSpec>;

type FlagValue<S extends FlagSpec> = S['type'] extends 'boolean'
  ? S['multiple'] extends true
    ? boolean[]
    : boolean
  : S['multiple'] extends true
    ? string[]
    : string;

/** Parsed values, keyed by flag name (`--max-scan-bytes` -> `'max-scan-bytes'`); absent flags are undefined. */
export type FlagValues<F extends FlagSpecs> = { [K in keyof F]?: FlagValue<F[K]> };

/** Flags every command takes; parsed by the framework and handed over as `ctx.global`. */
export const GLOBAL_FLAGS = {
  home: { type: 'string', valueName: 'DIR', description: 'guardian home (all state lives here)' },
  config: { type: 'string', valueName: 'FILE', description: 'config file (default: <home>/config.json if present)' },
  platform: {
    type: 'string',
    valueName: 'NAME',
    choices: PLATFORMS,
    description: 'openclaw or nanoclaw (picks the default home and the environment variable prefix)',
  },
  json: { type: 'boolean', description: 'machine output on stdout' },
  help: { type: 'boolean', short: 'h', description: 'show this help' },
} as const satisfies FlagSpecs;

export interface GlobalOptions {
  home?: string;
  config?: string;
  platform?: Platform;
  json: boolean;
}

// ---- commands ----------------------------------------------------------------------------

export interface Writer {
  write(text: string): unknown;
}

/** Everything a command may touch of the outside world; tests pass their own. */
export interface CliIO {
  stdout: Writer;
  stderr: Writer;
  stdin: NodeJS.ReadableStream;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

export interface CommandContext<F extends FlagSpecs = FlagSpecs> {
  /** the command's own flags (global flags are in `global`) */
  values: FlagValues<F>;
  positionals: string[];
  global: GlobalOptions;
  io: CliIO;
  /** writes one line to stdout */
  print(line?: string): void;
  /** writes a value as one line of JSON to stdout */
  printJson(value: unknown): void;
}

export interface CommandSpec<F extends FlagSpecs = FlagSpecs> {
  name: string;
  /** one line, shown in the command list */
  summary: string;
  /** after `clawsec-traffic-guardian <name>`, e.g. `[flags] FILE|-` */
  usage: string;
  /** full command lines shown under "Examples" */
  examples: string[];
  flags: F;
  /** positional arguments (none when absent); more than listed is a usage error */
  args?: Array<{ name: string; description: string; optional?: boolean }>;
  /**
   * Exit code: 0 ok, 1 operation failed. Throw GuardianError for failures (code USAGE
   * exits 2); the framework prints it to stderr.
   */
  run(ctx: CommandContext<F>): Promise<number>;
}

/** Keeps the flag types of a command literal, so `ctx.values` is typed. */
export function defineCommand<const F extends FlagSpecs>(spec: CommandSpec<F>): CommandSpec<F> {
  return spec;
}

/** A usage error: exit 2, printed as `error: <message>` / `fix: <fix>`. */
export function usageError(message: string, fix: string): GuardianError {
  return new GuardianError('USAGE', message, { fix });
}

// ---- parsing -----------------------------------------------------------------------------

/** Splits `[global flags] <command> [rest]`: global flags may come before the command. */
export function splitCommand(argv: string[]): { command: string | undefined; rest: string[] } {
  let i = 0;
  while (i < argv.length) {
    const a = argv[i] as string;
    if (a === '--' || !a.startsWith('-') || a === '-') break;
    const name = a.replace(/^--?/, '').split('=')[0] as string;
    const spec = (GLOBAL_FLAGS as FlagSpecs)[name];
    i += spec?.type === 'string' && !a.includes('=') ? 2 : 1;
  }
  if (i >= argv.length || argv[i] === '--') return { command: undefined, rest: argv };
  return { command: argv[i], rest: [...argv.slice(0, i), ...argv.slice(i + 1)] };
}

export interface ParsedArgs {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  global: GlobalOptions & { help: boolean };
}

/**
 * Parses argv against `flags` plus the global flags. Throws a USAGE GuardianError naming the
 * flag for: unknown flags, a missing value, a value on a boolean flag, a value outside
 * `choices`, a repeated single-value flag, or positionals the command does not take.
 */
export function parseCommandArgs(
  commandLabel: string,
  flags: FlagSpecs,
  argv: string[],
  args: CommandSpec['args'] = [],
): ParsedArgs {
  const all: FlagSpecs = { ...GLOBAL_FLAGS, ...flags };
  const helpHint = `run \`${commandLabel} --help\` to see its flags`;
  const options = Object.fromEntries(
    Object.entries(all).map(([name, f]) => [name, { type: f.type, multiple: f.multiple ?? false, ...(f.short ? { short: f.short } : {}) }]),
  );
  const { tokens } = parseArgs({ args: argv, options, strict: false, allowPositionals: true, tokens: true });

  const values: ParsedArgs['values'] = {};
  const positionals: string[] = [];
  for (const t of tokens) {
    if (t.kind === 'positional') {
      positionals.push(t.value);
      continue;
    }
    if (t.kind !== 'option') continue; // `--`: what follows arrives as positionals
    let name = t.name;
    let negated = false;
    if (!all[name] && name.startsWith('no-') && all[name.slice(3)]?.negatable) {
      name = name.slice(3);
      negated = true;
    }
    const spec = all[name];
    if (!spec) {
      const near = nearestName(t.name, Object.keys(all));
      throw usageError(`unknown flag ${t.rawName} for ${commandLabel}`, near ? `did you mean --${near}? (${helpHint})` : helpHint);
    }
    const flag = `--${name}`;
    let v: string | boolean;
    if (spec.type === 'boolean') {
      if (t.value !== undefined) throw usageError(`flag ${t.rawName} takes no value (got "${t.value}")`, `write just ${t.rawName}`);
      v = !negated;
    } else {
      const example = `${flag} ${spec.valueName ?? 'VALUE'}`;
      // parseArgs takes the next word as the value even when it is another flag
      if (t.value === undefined || (!t.inlineValue && t.value.startsWith('--'))) {
        throw usageError(`flag ${flag} needs a value`, `write ${example}`);
      }
      if (spec.choices && !spec.choices.includes(t.value)) {
        throw usageError(`flag ${flag} must be one of ${spec.choices.join(', ')} (got "${t.value}")`, `write e.g. ${flag} ${spec.choices[0]}`);
      }
      v = t.value;
    }
    if (spec.multiple) {
      ((values[name] ??= []) as Array<string | boolean>).push(v);
    } else {
      if (values[name] !== undefined) throw usageError(`flag ${flag} was given more than once`, `give ${flag} once`);
      values[name] = v;
    }
  }

  if (!values.help) {
    if (positionals.length > args.length) {
      const extra = positionals[args.length] as string;
      throw usageError(
        `unexpected argument "${extra.length > 40 ? `${extra.slice(0, 37)}...` : extra}" for ${commandLabel}`,
        args.length ? `it takes ${args.map((a) => a.name).join(' ')}; ${helpHint}` : `it takes no arguments; ${helpHint}`,
      );
    }
    const missing = args.slice(positionals.length).find((a) => !a.optional);
    if (missing) throw usageError(`${commandLabel} needs ${missing.name} (${missing.description})`, helpHint);
  }

  const global = {
    home: values.home as string | undefined,
    config: values.config as string | undefined,
    platform: values.platform as Platform | undefined,
    json: values.json === true,
    help: values.help === true,
  };
  for (const g of Object.keys(GLOBAL_FLAGS)) delete values[g];
  return { values, positionals, global };
}

// ---- help --------------------------------------------------------------------------------

function flagLines(flags: FlagSpecs): string[] {
  const rows = Object.entries(flags).map(([name, f]) => {
    const short = f.short ? `-${f.short}, ` : '';
    const value = f.type === 'string' ? ` ${f.choices ? f.choices.join('|') : (f.valueName ?? 'VALUE')}` : '';
    const left = `${short}--${f.negatable ? '[no-]' : ''}${name}${value}`;
    return [left, `${f.description}${f.multiple ? ' (repeatable)' : ''}`] as const;
  });
  const width = Math.min(34, Math.max(0, ...rows.map(([l]) => l.length)));
  return rows.map(([l, r]) => (l.length > width ? `  ${l}\n  ${' '.repeat(width)}  ${r}` : `  ${l.padEnd(width)}  ${r}`));
}

export function formatCommandHelp(spec: CommandSpec<FlagSpecs>): string {
  const lines = [`${BIN} ${spec.name}: ${spec.summary}`, '', 'Usage:', `  ${BIN} ${spec.name} ${spec.usage}`.trimEnd()];
  if (spec.args?.length) {
    lines.push('', 'Arguments:');
    for (const a of spec.args) lines.push(`  ${a.name}  ${a.description}${a.optional ? ' (optional)' : ''}`);
  }
  if (Object.keys(spec.flags).length) lines.push('', 'Flags:', ...flagLines(spec.flags));
  lines.push('', 'Global flags:', ...flagLines(GLOBAL_FLAGS));
  lines.push('', spec.examples.length > 1 ? 'Examples:' : 'Example:', ...spec.examples.map((e) => `  ${e}`));
  lines.push('', 'Exit codes: 0 ok, 1 the operation failed, 2 usage error.');
  return `${lines.join('\n')}\n`;
}

export function formatTopHelp(commands: ReadonlyArray<CommandSpec<FlagSpecs>>, version: string): string {
  const width = Math.max(0, ...commands.map((c) => c.name.length));
  const lines = [
    `${BIN} ${version}: host-side HTTP/HTTPS traffic monitor for AI agents (detect and log only)`,
    '',
    'Usage:',
    `  ${BIN} <command> [flags]`,
    `  ${BIN} <command> --help`,
    `  ${BIN} --version`,
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Global flags (every command):',
    ...flagLines(GLOBAL_FLAGS),
    '',
    'Exit codes: 0 ok, 1 the operation failed, 2 usage error.',
  ];
  return `${lines.join('\n')}\n`;
}
