// `stop`: SIGTERM to the recorded monitor, wait for its clean shutdown (it flushes findings and
// removes its own pid/state), SIGKILL after a timeout, then make sure the run files are gone.
// Idempotent: nothing running (or only stale files, which are cleaned) is success.
// Only a process that passes the identity check is ever signalled: a PID that now belongs to
// another process is never touched.
import { GuardianError } from '../../lib/errors.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';
import { checkIdentity } from './process-identity.ts';
import { removeRunFiles } from './run-files.ts';
import { delay } from './start-lock.ts';
import { inspectMonitor, type StaleInfo } from './status.ts';

export const DEFAULT_STOP_TIMEOUT_MS = 15_000;
const KILL_WAIT_MS = 5_000;

export interface StopResult {
  /** a live monitor was found and stopped */
  stopped: boolean;
  pid: number | null;
  proxy_url: string | null;
  /** SIGTERM was not enough within the timeout: SIGKILL was sent (findings in open windows lost) */
  forced: boolean;
  /** stale run files were found and removed instead */
  stale: StaleInfo | null;
}

export async function stopMonitor(layout: HomeLayout, opts: { timeoutMs?: number } = {}): Promise<StopResult> {
  const found = inspectMonitor(layout);
  if (!found.running) return { stopped: false, pid: null, proxy_url: null, forced: false, stale: found.stale };
  const { state } = found;
  const id = state.process;
  const gone = () => !checkIdentity(id).alive;

  if (!signal(state.pid, 'SIGTERM')) {
    removeRunFiles(layout, state.pid);
    return { stopped: true, pid: state.pid, proxy_url: state.proxy_url, forced: false, stale: null };
  }
  const until = Date.now() + (opts.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS);
  while (!gone() && Date.now() < until) await delay(100);

  let forced = false;
  if (!gone()) {
    forced = true;
    signal(state.pid, 'SIGKILL');
    const killUntil = Date.now() + KILL_WAIT_MS;
    while (!gone() && Date.now() < killUntil) await delay(100);
    if (!gone()) {
      throw new GuardianError('INTERNAL', `the monitor (pid ${state.pid}) did not exit after SIGKILL`, {
        fix: `check the process with \`ps -p ${state.pid}\`; its run files are in ${layout.runDir}`,
      });
    }
  }
  removeRunFiles(layout, state.pid);
  return { stopped: true, pid: state.pid, proxy_url: state.proxy_url, forced, stale: null };
}

/** false when the process is already gone; throws when it belongs to someone else. */
function signal(pid: number, sig: NodeJS.Signals): boolean {
  try {
    process.kill(pid, sig);
    return true;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') return false;
    throw new GuardianError('INTERNAL', `cannot signal the monitor (pid ${pid}): ${code ?? 'error'}`, {
      fix: 'run stop as the user that started the monitor',
      cause: err,
    });
  }
}
