// The traffic tools' vocabulary, shared by every way in: the MCP tools (container or host),
// the NanoClaw IPC task files and the results the host writes back. One definition, so a tool's
// input schema and the IPC task that carries the same arguments cannot drift apart.
//
// This file (like all of mcp-tools/) may be copied into a NanoClaw container: it imports only
// zod and ../lib/finding.ts, never host code.
import { z } from 'zod';
import { FindingSchema, SEVERITIES, THREAT_TYPES } from '../lib/finding.ts';

export const TRAFFIC_TOOL_NAMES = ['clawsec_traffic_status', 'clawsec_traffic_findings', 'clawsec_traffic_check_config'] as const;
export type TrafficToolName = (typeof TRAFFIC_TOOL_NAMES)[number];

/** IPC task types are the tool names (contract: NanoClaw IPC). */
export const TRAFFIC_TASK_TYPES = TRAFFIC_TOOL_NAMES;
export type TrafficTaskType = TrafficToolName;

export function isTrafficTaskType(type: unknown): type is TrafficTaskType {
  return typeof type === 'string' && (TRAFFIC_TASK_TYPES as readonly string[]).includes(type);
}

/** The contract's requestId pattern. `..` is refused on top of it (never a path step). */
export const REQUEST_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function isValidRequestId(id: unknown): id is string {
  return typeof id === 'string' && REQUEST_ID_PATTERN.test(id) && !id.includes('..');
}

/** A NanoClaw group folder name (NanoClaw's own rule: src/group-folder.ts). */
export const GROUP_FOLDER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Agent names come from the proxy URL's user part (`http://main@127.0.0.1:18787`). */
export const AGENT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

const ISO_TIME = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

export const FINDINGS_LIMIT_DEFAULT = 20;
export const FINDINGS_LIMIT_MAX = 200;

// ---- tool inputs (= IPC task arguments) ---------------------------------------------------

export const StatusArgsSchema = z.strictObject({});

export const FindingsArgsSchema = z.strictObject({
  limit: z
    .number()
    .int()
    .min(1)
    .max(FINDINGS_LIMIT_MAX)
    .optional()
    .describe(`the newest N findings, 1..${FINDINGS_LIMIT_MAX} (default ${FINDINGS_LIMIT_DEFAULT})`),
  since: z
    .string()
    .regex(ISO_TIME, 'must be an ISO-8601 time, e.g. 2026-04-26T00:00:00Z')
    .refine((v) => !Number.isNaN(Date.parse(v)), 'must be a real ISO-8601 time, e.g. 2026-04-26T00:00:00Z')
    .optional()
    .describe('only findings at or after this ISO-8601 time'),
  threat_type: z.enum(THREAT_TYPES).optional().describe('EXFIL (outbound secrets) or INJECTION (inbound commands)'),
  min_severity: z.enum(SEVERITIES).optional().describe('low, medium, high or critical'),
  agent: z
    .string()
    .regex(AGENT_NAME_PATTERN, 'must be an agent name like "main"')
    .optional()
    .describe("only this agent's findings (a NanoClaw group other than main always sees only its own)"),
});
export type FindingsArgs = z.infer<typeof FindingsArgsSchema>;

export const CheckConfigArgsSchema = z.strictObject({});

// ---- tool outputs (= IPC result data) -----------------------------------------------------

/**
 * The contract's status object without host paths. Loose: fields a newer monitor adds pass
 * through; the ones listed are checked when present.
 */
export const StatusOutputSchema = z.looseObject({
  schema_version: z.string(),
  running: z.boolean(),
  pid: z.number().int().nullable().optional(),
  platform: z.string().optional(),
  mode: z.string().optional(),
  proxy_url: z.string().nullable().optional(),
  listen: z.looseObject({ host: z.string(), port: z.number().int() }).nullable().optional(),
  https_inspection: z.boolean().optional(),
  ca_fingerprint_sha256: z.string().nullable().optional(),
  max_scan_bytes: z.number().int().optional(),
  findings_total: z.number().int().optional(),
  findings_by_type: z.record(z.string(), z.number()).optional(),
  last_findings: z.array(FindingSchema).optional(),
  started_at: z.string().nullable().optional(),
});
export type StatusOutput = z.infer<typeof StatusOutputSchema>;

export const FindingsOutputSchema = z.object({
  findings: z.array(FindingSchema),
  /** matching findings before the limit */
  total: z.number().int().min(0),
  truncated: z.boolean(),
  /** the agent the answer was restricted to (a non-main NanoClaw group: always its own) */
  agent_scope: z.string().nullable().optional(),
});
export type FindingsOutput = z.infer<typeof FindingsOutputSchema>;

const ProblemSchema = z.object({ path: z.string(), message: z.string() });

export const CheckConfigOutputSchema = z.object({
  valid: z.boolean(),
  errors: z.array(ProblemSchema),
  warnings: z.array(ProblemSchema),
});
export type CheckConfigOutput = z.infer<typeof CheckConfigOutputSchema>;

export interface TrafficToolIO {
  clawsec_traffic_status: { args: z.infer<typeof StatusArgsSchema>; output: StatusOutput };
  clawsec_traffic_findings: { args: FindingsArgs; output: FindingsOutput };
  clawsec_traffic_check_config: { args: z.infer<typeof CheckConfigArgsSchema>; output: CheckConfigOutput };
}

export const ARGS_SCHEMAS = {
  clawsec_traffic_status: StatusArgsSchema,
  clawsec_traffic_findings: FindingsArgsSchema,
  clawsec_traffic_check_config: CheckConfigArgsSchema,
} as const;

export const OUTPUT_SCHEMAS = {
  clawsec_traffic_status: StatusOutputSchema,
  clawsec_traffic_findings: FindingsOutputSchema,
  clawsec_traffic_check_config: CheckConfigOutputSchema,
} as const;

// ---- IPC task files ---------------------------------------------------------------------

/** Task files larger than this are rejected unread. */
export const MAX_TASK_BYTES = 64 * 1024;

const envelope = {
  requestId: z.string().regex(REQUEST_ID_PATTERN, 'must match ^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$').refine((v) => !v.includes('..'), 'must not contain ".."'),
  timestamp: z.string().max(64).optional(),
};

/**
 * `{type, requestId, ...tool arguments, timestamp}`, one member per task type. Envelope keys
 * other than these are ignored (never trusted: identity comes from the group folder).
 */
export const TrafficTaskSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('clawsec_traffic_status'), ...envelope }),
  z.object({ type: z.literal('clawsec_traffic_findings'), ...envelope, ...FindingsArgsSchema.shape }),
  z.object({ type: z.literal('clawsec_traffic_check_config'), ...envelope }),
]);
export type TrafficTask = z.infer<typeof TrafficTaskSchema>;

/** The envelope keys of a task: everything else in a task file is a tool argument. */
export const TASK_ENVELOPE_KEYS = ['type', 'requestId', 'timestamp'] as const;

// ---- IPC results ------------------------------------------------------------------------

export const ResultErrorSchema = z.object({ code: z.string().min(1).max(64), message: z.string().max(4096) });
export type ResultError = z.infer<typeof ResultErrorSchema>;

export const TrafficResultSchema = z.discriminatedUnion('success', [
  z.object({ success: z.literal(true), requestId: z.string(), data: z.unknown() }),
  z.object({ success: z.literal(false), requestId: z.string(), error: ResultErrorSchema }),
]);
export type TrafficResult = z.infer<typeof TrafficResultSchema>;

/** Folder names under NanoClaw's per-group IPC dir (`data/ipc/<group>/` = `/workspace/ipc/`). */
export const TASKS_SUBDIR = 'clawsec_tasks';
export const RESULTS_SUBDIR = 'clawsec_results';
