// Entry point of the CLI: finds the command, parses its flags, runs it, maps the outcome to
// an exit code (0 ok, 1 failed, 2 usage) and prints errors to stderr. stdout carries only
// what a command prints, so `--json` output stays parseable.
//
// Adding a command (one file, one import, one registry entry):
//   1. Create host-services/cli/commands/<name>.ts exporting
//        export const <name>Command = defineCommand({ name, summary, usage, examples, flags, run })
//      (`defineCommand` from ../args.ts). `flags` are node:util parseArgs options plus a
//      description; the global flags (--home, --config, --platform, --json, --help) are added
//      for you and arrive as `ctx.global`. A command that resolves the config spreads
//      CONFIG_FLAGS from ../config-flags.ts into its flags and calls loadConfigForCommand(ctx).
//      Print with ctx.print / ctx.printJson; fail by throwing GuardianError (usageError() for
//      exit 2) or by returning 1.
//   2. Add `import { <name>Command } from './commands/<name>.ts';` below.
//   3. Add `<name>Command` to COMMANDS (the order is the order in --help).
// --help, unknown-flag errors and the command list then come for free.
import { readFileSync } from 'node:fs';
import { describeError, GuardianError, isGuardianError } from '../../lib/errors.ts';
import {
  BIN,
  formatCommandHelp,
  formatTopHelp,
  parseCommandArgs,
  splitCommand,
  usageError,
  type CliIO,
  type CommandContext,
  type CommandSpec,
  type FlagSpecs,
} from './args.ts';
import { nearestName } from '../config/schema.ts';
import { checkConfigCommand } from './commands/check-config.ts';
import { scanCommand } from './commands/scan.ts';
import { hookInstallCommand } from './commands/hook-install.ts';
import { envCommand } from './commands/env.ts';
import { trustInstructionsCommand } from './commands/trust-instructions.ts';
import { demoCommand } from './commands/demo.ts';
import { startCommand } from './commands/start.ts';
import { stopCommand } from './commands/stop.ts';
import { statusCommand } from './commands/status.ts';
import { threatsCommand } from './commands/threats.ts';
import { mcpCommand } from './commands/mcp.ts';

/**
 * Every command, in --help order. Register only commands that work: no stubs.
 * `any` erases each command's own flag types (a typed run(ctx) cannot be stored in a shared
 * list otherwise); dispatch() parses argv against that same command's flags, so the values it
 * hands over do have the types the command declared.
 */
export const COMMANDS: ReadonlyArray<CommandSpec<any>> = [
  startCommand,
  stopCommand,
  statusCommand,
  threatsCommand,
  checkConfigCommand,
  scanCommand,
  envCommand,
  trustInstructionsCommand,
  demoCommand,
  mcpCommand,
  hookInstallCommand,
];

const TOP_FLAGS: FlagSpecs = { version: { type: 'boolean', description: 'print the version' } };

export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

export async function main(argv: string[], ioOverrides: Partial<CliIO> = {}): Promise<number> {
  const io: CliIO = {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
    cwd: process.cwd(),
    ...ioOverrides,
  };
  // `... | head` closes stdout early: that is the reader's choice, not a crash with a stack trace
  if (io.stdout === process.stdout) process.stdout.on('error', ignoreEpipe);
  // decided before parsing, so even a usage error is reported as JSON when JSON was asked for
  const wantsJson = argv.includes('--json');
  try {
    return await dispatch(argv, io);
  } catch (err) {
    reportError(err, io, wantsJson);
    return isGuardianError(err) && err.code === 'USAGE' ? 2 : 1;
  }
}

async function dispatch(argv: string[], io: CliIO): Promise<number> {
  const { command, rest } = splitCommand(argv);

  if (command === undefined) {
    const parsed = parseCommandArgs(BIN, TOP_FLAGS, rest);
    if (parsed.values.version) io.stdout.write(`${packageVersion()}\n`);
    else io.stdout.write(formatTopHelp(COMMANDS, packageVersion()));
    return 0;
  }

  if (command === 'help') {
    const parsed = parseCommandArgs(`${BIN} help`, {}, rest, [{ name: 'COMMAND', description: 'the command to explain', optional: true }]);
    const target = parsed.positionals[0];
    if (target === undefined) {
      io.stdout.write(formatTopHelp(COMMANDS, packageVersion()));
      return 0;
    }
    io.stdout.write(formatCommandHelp(findCommand(target)));
    return 0;
  }

  const spec = findCommand(command);
  const label = `${BIN} ${spec.name}`;
  const parsed = parseCommandArgs(label, spec.flags, rest, spec.args);
  if (parsed.global.help) {
    io.stdout.write(formatCommandHelp(spec));
    return 0;
  }
  const { help: _help, ...global } = parsed.global;
  const ctx: CommandContext = {
    values: parsed.values as CommandContext['values'],
    positionals: parsed.positionals,
    global,
    io,
    print: (line = '') => void io.stdout.write(`${line}\n`),
    printJson: (value) => void io.stdout.write(`${JSON.stringify(value)}\n`),
  };
  return await spec.run(ctx);
}

function ignoreEpipe(err: NodeJS.ErrnoException): void {
  if (err.code !== 'EPIPE') throw err;
}

function findCommand(name: string): CommandSpec<any> {
  const spec = COMMANDS.find((c) => c.name === name);
  if (spec) return spec;
  const near = nearestName(name, COMMANDS.map((c) => c.name));
  throw usageError(
    `unknown command "${name.length > 40 ? `${name.slice(0, 37)}...` : name}"`,
    `${near ? `did you mean \`${BIN} ${near}\`? ` : ''}run \`${BIN} --help\` to list the commands`,
  );
}

/**
 * `error: <message>` and `fix: <fix>` (or one JSON object) on stderr. Only the error's own
 * text is printed, never a stack or anything a command was processing.
 */
function reportError(err: unknown, io: CliIO, json: boolean): void {
  const e = isGuardianError(err)
    ? err
    : new GuardianError('INTERNAL', `unexpected failure: ${describeError(err)}`, {
        fix: 'this is a bug in the guardian; please report it with the command you ran',
      });
  if (json) {
    io.stderr.write(`${JSON.stringify({ error: e.toJSON() })}\n`);
    return;
  }
  const lines = [`error: ${e.message}`, ...e.problems.map((p) => `  ${p.path}: ${p.message}`)];
  if (e.fix) lines.push(`fix: ${e.fix}`);
  io.stderr.write(`${lines.join('\n')}\n`);
}
