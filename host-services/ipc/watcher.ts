// Zero-patch NanoClaw integration: the monitor watches DIR/data/ipc/<group>/clawsec_tasks/
// itself (`start --nanoclaw-root DIR`). NanoClaw v1's own IPC loop reads only messages/ and
// tasks/ and ignores other subfolders, so nothing in NanoClaw changes.
//
// Every ~300 ms the watcher lists the group folders (fs.readdir, no fs.watch: bind mounts and
// Docker Desktop's file sharing do not deliver events reliably) and answers each *.json task
// file (containers write <name>.json.tmp and rename, so a listed .json is complete; *.tmp and
// dot-files are never read). Ticks never overlap; each handles at most MAX_FILES_PER_GROUP files
// per group, a few at a time. Results nobody collected and temp files left by a dead writer are
// removed after `resultTtlMs` (default 10 min).
//
// Authorization: a group's identity is its folder name. Folders named in `mainGroups` (default
// `main`, NanoClaw's main group folder) see every finding; any other group sees the status and
// only findings whose `agent` is its folder name.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { HomeLayout } from '../../lib/home-layout.ts';
import { TASKS_SUBDIR } from '../../mcp-tools/schemas.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { createHostContext, type ConfigCheck, type TrafficHostContext } from './context.ts';
import type { TrafficIpcDeps } from './handle.ts';
import { collectStale, isValidGroupFolder } from './results.ts';
import { inRealDir } from './safe-dir.ts';
import { processTaskFile } from './task-file.ts';

export const WATCH_POLL_MS_DEFAULT = 300;
export const RESULT_TTL_MS_DEFAULT = 10 * 60_000;
export const MAIN_GROUPS_DEFAULT = ['main'];
const MAX_FILES_PER_GROUP = 256;
const CONCURRENCY_DEFAULT = 8;

export interface IpcWatcherOptions {
  /** the NanoClaw project (the folder holding data/ and groups/) */
  nanoclawRoot: string;
  layout: HomeLayout;
  config: ResolvedConfig;
  /** group folders treated as NanoClaw's main group (default ["main"]) */
  mainGroups?: string[];
  pollMs?: number;
  resultTtlMs?: number;
  concurrency?: number;
  /** re-resolves the config for clawsec_traffic_check_config (see createHostContext) */
  checkConfig?: () => ConfigCheck;
  /** one line per rejected task or watcher problem; never holds task content */
  log?: (line: string) => void;
  /** a ready context (tests); built from layout/config otherwise */
  context?: TrafficHostContext;
}

export interface IpcWatcherStats {
  ticks: number;
  answered: number;
  errorResults: number;
  movedToErrors: number;
  staleRemoved: number;
  lastProblem: string | null;
}

export interface IpcWatcher {
  readonly ipcBaseDir: string;
  stats(): IpcWatcherStats;
  /** runs one scan now and waits for it (the timer keeps running) */
  scanNow(): Promise<void>;
  /** stops the timer and waits for a running scan to finish; idempotent */
  stop(): Promise<void>;
}

export function startIpcWatcher(opts: IpcWatcherOptions): IpcWatcher {
  const ipcBaseDir = join(opts.nanoclawRoot, 'data', 'ipc');
  const pollMs = opts.pollMs ?? WATCH_POLL_MS_DEFAULT;
  const ttl = opts.resultTtlMs ?? RESULT_TTL_MS_DEFAULT;
  const gcEveryMs = Math.max(pollMs, Math.min(60_000, Math.floor(ttl / 4)));
  const concurrency = Math.max(1, opts.concurrency ?? CONCURRENCY_DEFAULT);
  const mainGroups = new Set(opts.mainGroups ?? MAIN_GROUPS_DEFAULT);
  const log = opts.log ?? (() => undefined);
  const context =
    opts.context ??
    createHostContext({
      layout: opts.layout,
      config: { ...opts.config, nanoclaw_root: opts.config.nanoclaw_root ?? opts.nanoclawRoot },
      ...(opts.checkConfig ? { checkConfig: opts.checkConfig } : {}),
      hidePaths: [{ path: opts.nanoclawRoot, label: '<nanoclaw-root>' }],
    });
  const deps: TrafficIpcDeps = { ipcBaseDir, context, log };
  const stats: IpcWatcherStats = { ticks: 0, answered: 0, errorResults: 0, movedToErrors: 0, staleRemoved: 0, lastProblem: null };

  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let running: Promise<void> | null = null;
  let lastGc = 0;

  const problem = (text: string) => {
    stats.lastProblem = text;
    log(`ipc: ${text}`);
  };

  const listGroups = (): string[] => {
    try {
      return readdirSync(ipcBaseDir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && isValidGroupFolder(d.name)) // a symlinked group folder is not followed
        .map((d) => d.name);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problem(`cannot list the NanoClaw IPC folder (${code ?? 'error'})`);
      return [];
    }
  };

  const listTasks = (group: string): string[] => {
    const names = inRealDir(join(ipcBaseDir, group, TASKS_SUBDIR), (at) => readdirSync(at('.')));
    if (names === 'missing') return []; // no tasks folder yet: the container creates it on its first call
    if (names === 'moved') {
      problem(`group ${group}: ${TASKS_SUBDIR} is not a real directory (a symlink?); its tasks are ignored`);
      return [];
    }
    return names
      .filter((n) => n.endsWith('.json') && !n.startsWith('.'))
      .sort()
      .slice(0, MAX_FILES_PER_GROUP);
  };

  const scan = async (): Promise<void> => {
    stats.ticks += 1;
    const groups = listGroups();
    const jobs: Array<{ group: string; file: string }> = [];
    for (const group of groups) for (const file of listTasks(group)) jobs.push({ group, file });
    let next = 0;
    const worker = async () => {
      while (next < jobs.length && !stopped) {
        const job = jobs[next++] as { group: string; file: string };
        try {
          const out = await processTaskFile(deps, job.group, mainGroups.has(job.group), job.file);
          if (out.kind === 'answered') {
            stats.answered += 1;
            if (!out.success) stats.errorResults += 1;
          } else if (out.kind === 'moved-to-errors') {
            stats.movedToErrors += 1;
            if (out.answeredRequestId) stats.errorResults += 1;
          }
        } catch {
          problem(`group ${job.group}: a task file could not be processed`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
    const now = Date.now();
    if (now - lastGc >= gcEveryMs) {
      lastGc = now;
      for (const group of groups) {
        try {
          stats.staleRemoved += collectStale(ipcBaseDir, group, ttl, now);
        } catch {
          problem(`group ${group}: stale results could not be collected`);
        }
      }
    }
  };

  const runScan = (): Promise<void> => {
    if (!running) {
      running = scan()
        .catch(() => problem('a scan failed'))
        .finally(() => {
          running = null;
        });
    }
    return running;
  };

  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void runScan().then(schedule);
    }, pollMs);
    timer.unref();
  };
  void runScan().then(schedule);

  return {
    ipcBaseDir,
    stats: () => ({ ...stats }),
    scanNow: async () => {
      if (running) await running; // a scan already under way may have listed before the caller's file appeared
      await runScan();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      if (running) await running;
    },
  };
}
