// `start` without --foreground: runs `node bin/clawsec-traffic-guardian.mjs start --foreground
// <same flags>` as a detached child (own session, stdin ignored, stdout and stderr appended to
// run/monitor.out, unref'd) and returns once that child has written its state file and its
// listener accepts a TCP connection. The start lock is taken here and handed to the child
// (START_LOCK_TOKEN_ENV), so a second `start` racing this one cannot spawn a second monitor.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, constants as fsc, openSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ResolvedConfig } from '../config/schema.ts';
import { GuardianError } from '../../lib/errors.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';
import { claimStart, monitorEnv } from './foreground.ts';
import { checkIdentity } from './process-identity.ts';
import { readState, removeRunFiles, START_LOCK_TOKEN_ENV, type MonitorState } from './run-files.ts';
import { delay } from './start-lock.ts';
import { inspectMonitor } from './status.ts';

export const BIN_PATH = fileURLToPath(new URL('../../bin/clawsec-traffic-guardian.mjs', import.meta.url));
export const DEFAULT_START_TIMEOUT_MS = 30_000;

export interface BackgroundOptions {
  layout: HomeLayout;
  config: ResolvedConfig;
  /** flags for the child after `start --foreground` (the same flags this start got) */
  childArgs: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  timeoutMs?: number;
}

/** Resolves true when something accepts a TCP connection at host:port. */
export function canConnect(host: string, port: number, timeoutMs = 2_000): Promise<boolean> {
  const target = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return new Promise((resolve) => {
    const socket = connect({ host: target, port });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.on('error', () => undefined);
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** The last `error:`/`fix:` lines a failed monitor wrote to monitor.out (bounded). */
export function lastErrorLines(monitorOut: string): string[] {
  let text: string;
  try {
    text = readFileSync(monitorOut, 'utf8');
  } catch {
    return [];
  }
  const lines = text.slice(-16_384).split('\n').map((l) => l.trimEnd()).filter(Boolean);
  const at = lines.map((l) => l.startsWith('error:') || l.startsWith('{"error"')).lastIndexOf(true);
  return at === -1 ? lines.slice(-3) : lines.slice(at, at + 6);
}

export async function startBackground(opts: BackgroundOptions): Promise<MonitorState> {
  const { layout, config } = opts;
  const timeoutMs = opts.timeoutMs ?? DEFAULT_START_TIMEOUT_MS;
  const deadline = Date.now() + timeoutMs;
  const lock = await claimStart(layout, { timeoutMs });

  let child: ChildProcess;
  try {
    // truncated per start, so an error tail belongs to this start
    const out = openSync(layout.monitorOut, fsc.O_WRONLY | fsc.O_CREAT | fsc.O_TRUNC | fsc.O_NOFOLLOW, 0o600);
    try {
      const env = monitorEnv(opts.env, config.upstream_proxy);
      env[START_LOCK_TOKEN_ENV] = lock.token;
      child = spawn(process.execPath, [BIN_PATH, 'start', '--foreground', ...opts.childArgs], {
        cwd: opts.cwd,
        env,
        detached: true,
        stdio: ['ignore', out, out],
      });
    } finally {
      closeSync(out);
    }
  } catch (err) {
    lock.release();
    throw new GuardianError('LISTEN_FAILED', `could not start the monitor process (${(err as NodeJS.ErrnoException).code ?? 'error'})`, {
      fix: `check that ${layout.runDir} is writable and node can run ${BIN_PATH}`,
      cause: err,
    });
  }

  let exited: { code: number | null; signal: NodeJS.Signals | null } | null = null;
  child.on('exit', (code, signal) => {
    exited = { code, signal };
  });
  child.on('error', () => {
    exited ??= { code: null, signal: null };
  });
  child.unref();
  const pid = child.pid;

  const fail = (what: string): GuardianError => {
    const tail = lastErrorLines(layout.monitorOut);
    return new GuardianError('LISTEN_FAILED', `${what}${tail.length ? `; it said:\n  ${tail.join('\n  ')}` : ''}`, {
      fix: `see ${layout.monitorOut} for the monitor's output`,
    });
  };

  try {
    for (;;) {
      if (exited !== null || pid === undefined) {
        const e = exited as { code: number | null; signal: NodeJS.Signals | null } | null;
        // lost a race with another start: report the monitor that won
        const winner = inspectMonitor(layout);
        if (winner.running) {
          throw new GuardianError('ALREADY_RUNNING', `a monitor is already running for this home (pid ${winner.state.pid}, ${winner.state.proxy_url})`, {
            fix: 'use it as it is (`clawsec-traffic-guardian status`), or stop it first with `clawsec-traffic-guardian stop`',
          });
        }
        throw fail(`the monitor exited during startup (${e?.signal ? `signal ${e.signal}` : `exit code ${e?.code ?? 'unknown'}`})`);
      }
      const read = readState(layout);
      if (read.kind === 'ok' && read.state.pid === pid && (await canConnect(read.state.listen.host, read.state.listen.port))) {
        return read.state;
      }
      if (Date.now() >= deadline) {
        await terminate(pid);
        removeRunFiles(layout, pid);
        throw fail(`the monitor did not accept connections within ${Math.round(timeoutMs / 1000)} s and was stopped`);
      }
      await delay(100);
    }
  } finally {
    // the child removes the lock once its state is written; after a failure it may not have
    lock.release();
  }
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
async function terminate(pid: number, graceMs = 5_000): Promise<void> {
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const until = Date.now() + graceMs;
  while (Date.now() < until) {
    if (!checkIdentity({ pid, start_time: null, cmdline_marker: null }).alive) return;
    await delay(100);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // gone
  }
}
