// What one traffic tool is: its MCP metadata, its schemas and how its answer is summarised in
// one short text block (the structured output carries the data; the text is for the model).
import type { z } from 'zod';
import type { TrafficToolIO, TrafficToolName } from './schemas.ts';

export interface TrafficTool<N extends TrafficToolName = TrafficToolName> {
  name: N;
  title: string;
  description: string;
  inputSchema: z.ZodObject;
  outputSchema: z.ZodObject;
  /** one or two lines, never the findings' snippets in full */
  summarize(output: TrafficToolIO[N]['output']): string;
}

export function defineTrafficTool<N extends TrafficToolName>(tool: TrafficTool<N>): TrafficTool<N> {
  return tool;
}
