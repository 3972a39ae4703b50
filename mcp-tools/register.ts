// registerTrafficTools(server, ctx): puts the three traffic tools on a McpServer the caller
// owns. Explicit registration, no globals: the caller picks the backend (ipc inside a NanoClaw
// container, local on the host) and the server, and may register other tools beside ours.
//
// Every call ends in one of two shapes:
//   ok    -> structuredContent (validated against the tool's output schema) + a short text summary
//   error -> isError with "<tool> failed (<CODE>): <message>"; invalid arguments never reach us
//            (the SDK validates the input schema and answers isError itself)
import type { McpServer, RegisteredTool } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { isToolFailure, type TrafficBackend } from './backend.ts';
import { checkConfigTool } from './check-config.ts';
import { findingsTool } from './findings.ts';
import type { TrafficToolName } from './schemas.ts';
import { statusTool } from './status.ts';
import type { TrafficTool } from './tool.ts';

/** The tools, in tools/list order. */
export const TRAFFIC_TOOLS: ReadonlyArray<TrafficTool<any>> = [statusTool, findingsTool, checkConfigTool];

export interface TrafficToolsContext {
  backend: TrafficBackend;
  /** register only these (default: all three) */
  only?: TrafficToolName[];
}

export function registerTrafficTools(server: McpServer, ctx: TrafficToolsContext): Record<TrafficToolName, RegisteredTool> {
  const registered = {} as Record<TrafficToolName, RegisteredTool>;
  for (const tool of TRAFFIC_TOOLS) {
    if (ctx.only && !ctx.only.includes(tool.name)) continue;
    registered[tool.name as TrafficToolName] = server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.inputSchema,
        outputSchema: tool.outputSchema,
        annotations: { title: tool.title, readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
      },
      async (args: unknown, extra: { signal?: AbortSignal }) => runTool(tool, ctx.backend, args, extra.signal),
    );
  }
  return registered;
}

async function runTool(tool: TrafficTool<any>, backend: TrafficBackend, args: unknown, signal: AbortSignal | undefined): Promise<CallToolResult> {
  let output: unknown;
  try {
    output = await backend.call(tool.name, (args ?? {}) as never, signal ? { signal } : {});
  } catch (err) {
    if (isToolFailure(err)) return failure(tool.name, err.code, err.message);
    // not ours to describe: an unexpected error's text could carry anything
    return failure(tool.name, 'INTERNAL', `the ${backend.kind} backend failed unexpectedly`);
  }
  const parsed = tool.outputSchema.safeParse(output);
  if (!parsed.success) {
    return failure(tool.name, 'INTERNAL', `the ${backend.kind} backend answered with data that does not match the tool's output schema`);
  }
  const data = parsed.data as Record<string, unknown>;
  return { content: [{ type: 'text', text: tool.summarize(data) }], structuredContent: data };
}

function failure(name: string, code: string, message: string): CallToolResult {
  return { isError: true, content: [{ type: 'text', text: `${name} failed (${code}): ${message}` }] };
}
