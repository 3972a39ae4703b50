// NanoClaw integration, host side. Two ways in:
//   - startIpcWatcher({nanoclawRoot, layout, config, ...}): zero-patch, used by
//     `start --nanoclaw-root DIR`; watches data/ipc/<group>/clawsec_tasks/.
//   - handleTrafficIpc(task, sourceGroup, isMain, deps): for NanoClaw v1's processTaskIpc to
//     delegate to; returns false for task types it does not own.
// And one more consumer: createLocalBackend(context) answers the MCP tools on the host (`mcp`).
export { handleTrafficIpc, answerTask, isOwnedTask, OWNED_TYPE_PREFIX, type TrafficIpcDeps, type TaskOutcome } from './handle.ts';
export { startIpcWatcher, WATCH_POLL_MS_DEFAULT, RESULT_TTL_MS_DEFAULT, MAIN_GROUPS_DEFAULT, type IpcWatcher, type IpcWatcherOptions, type IpcWatcherStats } from './watcher.ts';
export { createHostContext, type TrafficHostContext, type TrafficHostContextOptions, type ConfigCheck } from './context.ts';
export { createLocalBackend } from './local-backend.ts';
export { writeResult, resultPathFor, collectStale } from './results.ts';
export { processTaskFile, recoverRequestId } from './task-file.ts';
export type { Caller } from './handlers/index.ts';

import { join } from 'node:path';
import type { HomeLayout } from '../../lib/home-layout.ts';
import type { ResolvedConfig } from '../config/schema.ts';
import { createHostContext as makeContext } from './context.ts';
import type { TrafficIpcDeps } from './handle.ts';

/** Deps for handleTrafficIpc from a NanoClaw root and the guardian's resolved config. */
export function createTrafficIpcDeps(opts: { nanoclawRoot: string; layout: HomeLayout; config: ResolvedConfig; log?: (line: string) => void }): TrafficIpcDeps {
  return {
    ipcBaseDir: join(opts.nanoclawRoot, 'data', 'ipc'),
    context: makeContext({
      layout: opts.layout,
      config: opts.config,
      hidePaths: [{ path: opts.nanoclawRoot, label: '<nanoclaw-root>' }],
    }),
    ...(opts.log ? { log: opts.log } : {}),
  };
}
