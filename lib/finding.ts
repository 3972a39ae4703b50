import { z } from 'zod';

export const FINDING_SCHEMA_VERSION = 'clawsec-traffic-finding/v1' as const;

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

export const DIRECTIONS = ['outbound', 'inbound'] as const;
export type Direction = (typeof DIRECTIONS)[number];

export const THREAT_TYPES = ['EXFIL', 'INJECTION'] as const;
export type ThreatType = (typeof THREAT_TYPES)[number];

export const PLATFORMS = ['openclaw', 'nanoclaw'] as const;
export type Platform = (typeof PLATFORMS)[number];

export const PROTOCOLS = ['http', 'https', 'websocket'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The contract's minimum detection set; further families extend this list (snake_case ids). */
export const EXFIL_FAMILIES = [
  'ai_api_key',
  'aws_access_key_id',
  'private_key_pem',
  'ssh_key_path',
  'sensitive_unix_path',
  'credential_file_path',
  'whatsapp_session_path',
] as const;
export const INJECTION_FAMILIES = [
  'pipe_to_shell',
  'shell_exec_flag',
  'reverse_shell',
  'destructive_rm',
  'ssh_authorized_key_injection',
] as const;

const ISO_MS_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * Base fields, exactly as in the contract, then optional extras. Unknown keys are kept
 * (passthrough) so a reader never drops fields written by a newer guardian.
 */
export const FindingSchema = z
  .object({
    schema_version: z.literal(FINDING_SCHEMA_VERSION),
    platform: z.enum(PLATFORMS),
    direction: z.enum(DIRECTIONS),
    protocol: z.enum(PROTOCOLS),
    threat_type: z.enum(THREAT_TYPES),
    pattern: z.string().regex(/^[a-z][a-z0-9_]*$/),
    severity: z.enum(SEVERITIES),
    source: z.string(),
    dest: z.string(),
    snippet: z.string(),
    timestamp: z.string().regex(ISO_MS_UTC, 'ISO-8601 UTC with milliseconds'),
    // optional extras
    rule_id: z.string().optional(),
    location: z.string().optional(),
    encodings: z.array(z.string()).optional(),
    fingerprint: z.string().optional(),
    count: z.number().int().positive().optional(),
    agent: z.string().optional(),
    truncated: z.boolean().optional(),
    method: z.string().optional(),
    path: z.string().optional(),
    first_seen: z.string().optional(),
  })
  .passthrough();

export type Finding = z.infer<typeof FindingSchema>;

/** Field order as written to the log: base fields first, extras after. */
export const FINDING_BASE_FIELDS = [
  'schema_version',
  'platform',
  'direction',
  'protocol',
  'threat_type',
  'pattern',
  'severity',
  'source',
  'dest',
  'snippet',
  'timestamp',
] as const;

export function threatTypeFor(direction: Direction): ThreatType {
  return direction === 'outbound' ? 'EXFIL' : 'INJECTION';
}

/** Serialise with base fields first in contract order; undefined extras are dropped. */
export function orderFinding(f: Finding): Finding {
  const out: Record<string, unknown> = {};
  for (const k of FINDING_BASE_FIELDS) out[k] = f[k];
  for (const [k, v] of Object.entries(f)) if (!(k in out) && v !== undefined) out[k] = v;
  return out as Finding;
}
