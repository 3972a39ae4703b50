// Process helpers shared by the test suites that run the bin or start monitors (lifecycle, safety,
// setup, CLI, hook): is a PID alive, and is it the monitor of a given home (Linux reads /proc;
// elsewhere kill(pid, 0)); run a program to the end or keep one running with its output collected;
// poll until something holds; kill what a test left running; run its cleanups.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';

/** The process runs (a zombie does not: in containers whose init never reaps, exited monitors linger as zombies). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: the process's command line has `marker` as one argument (a monitor's --home); elsewhere: it lives. */
export function commandLineHas(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker);
  } catch {
    return !existsSync('/proc/self/cmdline') && pidAlive(pid);
  }
}

/** How a process that ran to the end ended, and what it wrote. */
export interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** written to stdin, which is then closed; without it stdin is ignored */
  input?: string | Buffer;
  /** SIGKILL after this long; default 60 s */
  timeoutMs?: number;
  /** called with the child as soon as it is spawned (to track it for cleanup) */
  onSpawn?: (child: ChildProcess) => void;
}

/** Runs `file args` to the end with its stdout and stderr collected as text. */
export function runProcess(file: string, args: string[], opts: RunOptions): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: opts.env, cwd: opts.cwd, stdio: [opts.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    opts.onSpawn?.(child);
    let stdout = '';
    let stderr = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    if (opts.input !== undefined) child.stdin!.end(opts.input);
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** A child whose output so far is in `out`. */
export type CollectingChild = ChildProcess & { out: { stdout: string; stderr: string } };

/** Spawns a long-running `file args` (a foreground monitor) and keeps collecting its output. */
export function spawnCollecting(file: string, args: string[], opts: { env: NodeJS.ProcessEnv; cwd: string }): CollectingChild {
  const child = spawn(file, args, { env: opts.env, cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  const out = { stdout: '', stderr: '' };
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out.stdout += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (out.stderr += d));
  return Object.assign(child, { out });
}

/** SIGKILL, unless the child already ended. */
export function killIfRunning(child: ChildProcess): void {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

/** Polls `fn` every 100 ms until it returns something truthy (returned); throws after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | null | undefined | false | Promise<T | null | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The PID a run file names (`state.json`'s `pid`, or a PID file's number), or null. */
export function pidInRunFile(path: string): number | null {
  try {
    const text = readFileSync(path, 'utf8');
    const n = path.endsWith('.json') ? (JSON.parse(text) as { pid?: unknown }).pid : Number.parseInt(text, 10);
    return typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;
  } catch {
    return null;
  }
}

/** SIGKILLs each PID that still runs as a monitor of `home` (its command line names it): never a reused PID, never this process. */
export function killMonitorsOf(home: string, pids: Iterable<number>): void {
  for (const pid of pids) {
    if (pid !== process.pid && commandLineHas(pid, home)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

/** Runs and empties a list of cleanups, newest first; one that fails does not stop the others. */
export async function runCleanups(fns: Array<() => unknown>): Promise<void> {
  for (const fn of fns.splice(0).reverse()) {
    try {
      await fn();
    } catch {
      // keep cleaning
    }
  }
}
