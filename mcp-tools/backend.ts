// Where the tools get their answers. Two backends share one interface:
//   - ipc   (mcp-tools/ipc-backend.ts): inside a NanoClaw container; writes a task file and
//           waits for the host's result file.
//   - local (host-services/ipc/local-backend.ts): on the host (`clawsec-traffic-guardian mcp`);
//           reads the guardian home directly.
// A backend either returns the tool's structured output or throws a ToolFailure carrying a
// stable code and a message safe to show the model (no traffic, no host paths).
import type { TrafficToolIO, TrafficToolName } from './schemas.ts';

export interface TrafficBackend {
  /** short name for messages, e.g. "ipc" or "local" */
  readonly kind: string;
  call<T extends TrafficToolName>(tool: T, args: TrafficToolIO[T]['args'], opts?: { signal?: AbortSignal }): Promise<TrafficToolIO[T]['output']>;
}

export class ToolFailure extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'ToolFailure';
    this.code = code;
  }
}

export function isToolFailure(err: unknown): err is ToolFailure {
  return err instanceof ToolFailure;
}
