// Fault and traffic counters of one monitor. A fault is counted and the traffic goes on: nothing
// here ever throws into mockttp. `last_error` names the kind and an error code only, never a URL,
// header or body (faults end up in `status`, which must not echo traffic).

export const FAULT_KINDS = [
  'upstream_errors',
  'client_aborts',
  'detector_errors',
  'dropped_clients',
  'malformed_requests',
  'tls_client_errors',
  'capture_overflows',
  'internal_errors',
  'suppressed_messages',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export type MonitorFaults = Record<FaultKind, number> & {
  last_error?: { kind: FaultKind; code?: string; at: string };
};

export interface MonitorStats {
  requests: number;
  responses: number;
  ws_messages: number;
  /** CONNECT tunnels passed through without inspection */
  tunnels: number;
  /** characters handed to `inspect` across all parts */
  bytes_scanned: number;
}

const SAFE_CODE = /^[A-Za-z0-9_.:-]{1,64}$/;

export class Counters {
  private readonly f: Record<FaultKind, number>;
  private last: MonitorFaults['last_error'];
  readonly stats: MonitorStats = { requests: 0, responses: 0, ws_messages: 0, tunnels: 0, bytes_scanned: 0 };

  constructor() {
    this.f = Object.fromEntries(FAULT_KINDS.map((k) => [k, 0])) as Record<FaultKind, number>;
  }

  fault(kind: FaultKind, code?: string): void {
    this.f[kind]++;
    // A swallowed console line is a symptom of another fault, already recorded as itself.
    if (kind === 'suppressed_messages') return;
    // Codes are error identifiers (ECONNREFUSED, cert-rejected); anything else is dropped.
    const safe = code !== undefined && SAFE_CODE.test(code) ? code : undefined;
    this.last = { kind, ...(safe ? { code: safe } : {}), at: new Date().toISOString() };
  }

  faults(extra: Partial<Record<FaultKind, number>> = {}): MonitorFaults {
    const out = { ...this.f } as MonitorFaults;
    for (const [k, v] of Object.entries(extra)) out[k as FaultKind] += v ?? 0;
    if (this.last) out.last_error = { ...this.last };
    return out;
  }
}
