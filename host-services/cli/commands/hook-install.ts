// `hook-install`: copies the OpenClaw hook folder (hooks/openclaw-traffic-guardian-hook) into
// OpenClaw's managed hooks directory and prints the steps that are OpenClaw's to take. It never
// edits OpenClaw's configuration: enabling the hook (`openclaw hooks enable ...`) and
// restarting the gateway stay with the operator.
//
// Refuses to overwrite a different existing copy unless --force; an identical copy is left as
// it is. The copy is staged next to the target and renamed into place, so OpenClaw never sees
// half a hook folder.
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultHome } from '../../../lib/home-layout.ts';
import { BIN, defineCommand, type CommandContext } from '../args.ts';

export const HOOK_NAME = 'openclaw-traffic-guardian-hook';
export const HOOK_SOURCE_DIR = fileURLToPath(new URL(`../../../hooks/${HOOK_NAME}/`, import.meta.url));
export const ENABLE_COMMAND = `openclaw hooks enable ${HOOK_NAME}`;
export const RESTART_COMMAND = 'openclaw gateway restart';

type Action = 'installed' | 'replaced' | 'unchanged';

/** Regular files of a folder, relative paths with `/`, sorted; symlinks and node_modules skipped. */
export function listHookFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.name === 'node_modules') continue;
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.push(relative(dir, full).split(sep).join('/'));
    }
  };
  walk(dir);
  return out.sort();
}

function sameContents(src: string, dest: string, files: string[]): boolean {
  let destFiles: string[];
  try {
    destFiles = listHookFiles(dest);
  } catch {
    return false;
  }
  if (destFiles.length !== files.length || destFiles.some((f, i) => f !== files[i])) return false;
  return files.every((f) => readFileSync(join(src, f)).equals(readFileSync(join(dest, f))));
}

function expandUser(p: string, cwd: string, userHome: string): string {
  if (p === '~' || p.startsWith('~/')) return join(userHome, p.slice(1));
  return isAbsolute(p) ? p : resolve(cwd, p);
}

/** OpenClaw's managed hooks directory: `$OPENCLAW_STATE_DIR/hooks`, default `~/.openclaw/hooks`. */
export function defaultHooksDir(env: NodeJS.ProcessEnv, userHome: string): string {
  const state = env.OPENCLAW_STATE_DIR?.trim();
  return join(state ? expandUser(state, process.cwd(), userHome) : join(userHome, '.openclaw'), 'hooks');
}

function fail(ctx: CommandContext, code: string, message: string, fix: string): number {
  if (ctx.global.json) ctx.io.stderr.write(`${JSON.stringify({ error: { code, message, fix } })}\n`);
  else ctx.io.stderr.write(`error: ${message}\nfix: ${fix}\n`);
  return 1;
}

function errText(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  return e?.code ? `${e.code}` : err instanceof Error ? err.message : String(err);
}

function removeQuietly(path: string): void {
  try {
    rmSync(path, { recursive: true, force: true });
  } catch {
    // best effort: a leftover dot-folder is harmless and named after this run
  }
}

function copyInto(src: string, stage: string, files: string[]): void {
  mkdirSync(stage, { mode: 0o755 });
  for (const f of files) {
    const target = join(stage, ...f.split('/'));
    mkdirSync(join(target, '..'), { recursive: true, mode: 0o755 });
    writeFileSync(target, readFileSync(join(src, f)), { mode: 0o644, flag: 'wx' });
    chmodSync(target, 0o644);
  }
}

export const hookInstallCommand = defineCommand({
  name: 'hook-install',
  summary: "copy the OpenClaw status hook into OpenClaw's hooks directory (never edits OpenClaw's config)",
  usage: '[--hooks-dir DIR] [--force]',
  examples: [`${BIN} hook-install`, `${BIN} hook-install --hooks-dir ~/.openclaw/hooks --force`, `${BIN} hook-install --json`],
  flags: {
    'hooks-dir': { type: 'string', valueName: 'DIR', description: "OpenClaw hooks directory (default: $OPENCLAW_STATE_DIR/hooks or ~/.openclaw/hooks)" },
    force: { type: 'boolean', description: 'replace an existing copy that differs from this version' },
  },
  async run(ctx) {
    const env = ctx.io.env;
    const userHome = env.HOME?.trim() || homedir();
    const hooksDir = ctx.values['hooks-dir'] !== undefined ? expandUser(ctx.values['hooks-dir'], ctx.io.cwd, userHome) : defaultHooksDir(env, userHome);
    const dest = join(hooksDir, HOOK_NAME);

    let files: string[];
    try {
      files = listHookFiles(HOOK_SOURCE_DIR);
    } catch (err) {
      return fail(ctx, 'HOOK_SOURCE_MISSING', `cannot read the hook folder shipped with the guardian (${errText(err)})`, 'reinstall clawsec-traffic-guardian; the hooks/ folder is part of the package');
    }
    if (!files.includes('HOOK.md') || !files.includes('handler.ts')) {
      return fail(ctx, 'HOOK_SOURCE_MISSING', 'the shipped hook folder lacks HOOK.md or handler.ts', 'reinstall clawsec-traffic-guardian');
    }

    let existing: 'none' | 'dir' | 'other' = 'none';
    try {
      existing = lstatSync(dest).isDirectory() ? 'dir' : 'other';
    } catch {
      existing = 'none';
    }

    let action: Action;
    if (existing === 'dir' && sameContents(HOOK_SOURCE_DIR, dest, files)) {
      action = 'unchanged';
    } else {
      if (existing !== 'none' && !ctx.values.force) {
        return fail(
          ctx,
          'HOOK_EXISTS',
          `a different ${existing === 'dir' ? 'copy of the hook' : 'file or link'} already exists at ${dest}`,
          `look at it first; to replace it with this version run \`${BIN} hook-install${ctx.values['hooks-dir'] !== undefined ? ` --hooks-dir ${hooksDir}` : ''} --force\``,
        );
      }
      const tag = `${process.pid}-${Date.now().toString(36)}`;
      const stage = join(hooksDir, `.${HOOK_NAME}.new-${tag}`);
      const old = join(hooksDir, `.${HOOK_NAME}.old-${tag}`);
      try {
        mkdirSync(hooksDir, { recursive: true, mode: 0o755 });
        copyInto(HOOK_SOURCE_DIR, stage, files);
        if (existing !== 'none') renameSync(dest, old);
        try {
          renameSync(stage, dest);
        } catch (err) {
          if (existing !== 'none') renameSync(old, dest); // put the previous copy back
          throw err;
        }
        removeQuietly(old);
      } catch (err) {
        removeQuietly(stage);
        return fail(ctx, 'HOOK_INSTALL_FAILED', `could not install the hook into ${hooksDir} (${errText(err)})`, 'check that the directory is writable, or pass --hooks-dir DIR');
      }
      action = existing === 'none' ? 'installed' : 'replaced';
    }

    const guardianHome = ctx.global.home ?? env.OPENCLAW_TRAFFIC_GUARDIAN_HOME?.trim();
    const customHome = guardianHome !== undefined && guardianHome !== '' && resolve(expandUser(guardianHome, ctx.io.cwd, userHome)) !== defaultHome('openclaw', userHome);
    const customDir = resolve(hooksDir) !== resolve(defaultHooksDir(env, userHome));
    const notes: string[] = [];
    if (customHome) {
      notes.push(`the gateway must run with OPENCLAW_TRAFFIC_GUARDIAN_HOME=${expandUser(guardianHome as string, ctx.io.cwd, userHome)} so the hook reads this guardian home`);
    }
    if (customDir) {
      notes.push(`OpenClaw loads managed hooks from ${defaultHooksDir(env, userHome)}; a hook in another directory loads only if that directory is listed in OpenClaw's hooks.internal.load.extraDirs`);
    }
    const nextSteps = [ENABLE_COMMAND, `${RESTART_COMMAND}   (or restart your gateway process) so the gateway loads the hook`];

    if (ctx.global.json) {
      ctx.printJson({ hook: HOOK_NAME, action, path: dest, hooks_dir: hooksDir, files, next_steps: [ENABLE_COMMAND, RESTART_COMMAND], notes, openclaw_config_changed: false });
      return 0;
    }
    const verb = action === 'unchanged' ? 'is already installed (identical) at' : action === 'replaced' ? 'replaced at' : 'installed at';
    ctx.print(`OpenClaw hook ${HOOK_NAME} ${verb} ${dest} (${files.length} files)`);
    ctx.print('');
    ctx.print("Next steps (this command does not change OpenClaw's configuration):");
    nextSteps.forEach((s, i) => ctx.print(`  ${i + 1}. ${s}`));
    for (const n of notes) ctx.print(`note: ${n}`);
    return 0;
  },
});
