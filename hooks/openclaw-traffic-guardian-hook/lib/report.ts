// One event in, at most one message out. Reads the monitor state and the new tail of the
// findings log, applies the rate limit, pushes the message and remembers what it reported.
import { eventKey, messagesOf, type HookEventKey } from './event.ts';
import { readNewFindings } from './findings-tail.ts';
import { formatReport, isSevere, type HiddenPath } from './format.ts';
import { isDirectory } from './fsread.ts';
import { emptyState, loadState, saveState, type HookState } from './hook-state.ts';
import { resolvePaths } from './home.ts';
import { readMonitor, type MonitorView } from './monitor.ts';

/** At most one message per event kind in this window, unless something important changed. */
export const RATE_LIMIT_MS = 60_000;

export interface HandleOptions {
  env?: Record<string, string | undefined>;
  now?: () => number;
  userHome?: string | null;
}

export type HandleOutcome = 'ignored' | 'no-messages' | 'rate-limited' | 'reported';

// Where the state cannot be stored (no home yet, a read-only home) the rate limit lives in
// memory for as long as the gateway keeps this module loaded.
// Keyed by home, so pointing the hook at another home never inherits the first one's limits.
let memory: { home: string | null; state: HookState; saveFailed: boolean } | null = null;

const NO_MONITOR: MonitorView = {
  stateFound: false,
  running: false,
  stale: false,
  proxyUrl: null,
  httpsInspection: null,
  caFingerprint: null,
  findingsLog: null,
};

export function handleEvent(event: unknown, opts: HandleOptions = {}): HandleOutcome {
  const key: HookEventKey | null = eventKey(event);
  if (key === null) return 'ignored';
  const messages = messagesOf(event);
  if (messages === null) return 'no-messages';
  const now = (opts.now ?? Date.now)();

  const paths = opts.userHome === undefined ? resolvePaths(opts.env ?? process.env) : resolvePaths(opts.env ?? process.env, opts.userHome);
  const homeExists = paths !== null && isDirectory(paths.home);
  const home = paths?.home ?? null;
  const remembered = memory !== null && memory.home === home ? memory : null;
  const state = homeExists && paths && !remembered?.saveFailed ? loadState(paths.hookState).state : (remembered?.state ?? emptyState());
  const monitor = homeExists && paths ? readMonitor(paths.monitorState) : NO_MONITOR;
  const logPath = monitor.findingsLog ?? paths?.findingsLog ?? null;
  const tail = homeExists && logPath !== null
    ? readNewFindings(logPath, state.cursor, state.last_timestamp)
    : { findings: [], cursor: state.cursor, skippedLines: 0, truncated: false };

  const last = state.last_report_ms[key];
  const recent = last !== undefined && now >= last && now - last < RATE_LIMIT_MS;
  const runningChanged = state.last_running !== null && state.last_running !== monitor.running;
  if (recent && !runningChanged && !tail.findings.some(isSevere)) return 'rate-limited';

  const hidePaths: HiddenPath[] = [];
  if (paths) {
    hidePaths.push({ path: paths.home, as: '<guardian-home>' }, { path: paths.logDir, as: '<guardian-logs>' });
    if (paths.userHome) hidePaths.push({ path: paths.userHome, as: '~' });
  }
  if (logPath) hidePaths.push({ path: logPath, as: '<findings-log>' });
  messages.push(formatReport({ noHome: !homeExists, monitor, findings: tail.findings, truncated: tail.truncated, skippedLines: tail.skippedLines, hidePaths }));

  let lastTs = state.last_timestamp;
  for (const f of tail.findings) if (lastTs === null || f.timestamp > lastTs) lastTs = f.timestamp;
  const next: HookState = {
    ...state,
    cursor: tail.cursor,
    last_timestamp: lastTs,
    last_report_ms: { ...state.last_report_ms, [key]: now },
    last_running: monitor.running,
  };
  const saved = homeExists && paths !== null && saveState(paths.hookState, next);
  memory = { home, state: next, saveFailed: !saved };
  return 'reported';
}
