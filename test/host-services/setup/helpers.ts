// Shared by the setup tests: a sandboxed user home, the real bin, shells that may be installed,
// and a snapshot of every file under a directory (to prove what a command wrote).
import { spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { runProcess, type Run } from '../../support/processes.ts';

export const BIN = new URL('../../../bin/clawsec-traffic-guardian.mjs', import.meta.url).pathname;

export type { Run };

/** The path of an installed program, or null. */
export function which(name: string): string | null {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 && r.stdout.trim() ? r.stdout.trim() : null;
}

export function sandbox(t: { after: (fn: () => void) => void }, guardianDir = 'guardian') {
  const root = mkdtempSync(join(tmpdir(), 'ctg-setup-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, guardianDir);
  mkdirSync(home, { recursive: true });
  const baseEnv = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: root, NO_COLOR: '1' });
  return {
    root,
    home,
    baseEnv,
    writeConfig: (obj: unknown) => writeFileSync(join(home, 'config.json'), JSON.stringify(obj)),
    run: (args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<Run> => runBin(args, { ...baseEnv(), ...extraEnv }, root),
  };
}

export function runBin(args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 60_000): Promise<Run> {
  return runProgram(process.execPath, [BIN, ...args], env, cwd, timeoutMs);
}

export function runProgram(file: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 60_000): Promise<Run> {
  return runProcess(file, args, { env, cwd, timeoutMs });
}

/** relative path -> mode + content hash, for every entry under `dir` (symlinks not followed). */
export function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string, rel: string) => {
    for (const name of readdirSync(d)) {
      const full = join(d, name);
      const r = rel ? `${rel}/${name}` : name;
      const st = lstatSync(full);
      if (st.isDirectory()) {
        out.set(`${r}/`, `dir ${(st.mode & 0o777).toString(8)}`);
        walk(full, r);
      } else {
        const hash = st.isFile() ? createHash('sha256').update(readFileSync(full)).digest('hex').slice(0, 16) : 'special';
        out.set(r, `${(st.mode & 0o777).toString(8)} ${hash}`);
      }
    }
  };
  walk(dir, '');
  return out;
}

/** Entries added or changed between two snapshots. */
export function changed(before: Map<string, string>, after: Map<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of after) if (before.get(k) !== v) out.push(k);
  for (const k of before.keys()) if (!after.has(k)) out.push(`-${k}`);
  return out.sort();
}

/** NUL-separated `env -0` output -> object. */
export function parseEnv0(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const entry of text.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) vars[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return vars;
}
