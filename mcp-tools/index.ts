// Public surface of the traffic tools. Everything here is container-safe: zod, the MCP SDK,
// node builtins and ../lib/finding.ts only.
export { registerTrafficTools, TRAFFIC_TOOLS, type TrafficToolsContext } from './register.ts';
export { createIpcBackend, newRequestId, CONTAINER_IPC_DIR, IPC_TIMEOUT_MS_DEFAULT, IPC_POLL_MS_DEFAULT, type IpcBackendOptions } from './ipc-backend.ts';
export { ToolFailure, isToolFailure, type TrafficBackend } from './backend.ts';
export * from './schemas.ts';
