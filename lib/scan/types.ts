import type { Direction, Finding, Platform, Protocol, Severity } from '../finding.ts';

/** One piece of a message, scanned on its own so context (which header, which host) is known. */
export interface ScanPart {
  /** `path`, `query:<name>`, `header:<lower-case name>`, `body`, `websocket` or `input` */
  location: string;
  text: string;
  /** encodings already undone before the scanner saw this text, e.g. ['gzip'] */
  encodings?: string[];
  /** the text was cut at the scan bound */
  truncated?: boolean;
}

export interface ScanRequest {
  direction: Direction;
  protocol: Protocol;
  platform: Platform;
  source: string;
  /** upstream `host:port` */
  dest: string;
  parts: ScanPart[];
  agent?: string;
  method?: string;
  /** URL path for context in findings (never the query: it may hold the secret) */
  path?: string;
  /** clock for tests */
  now?: Date;
}

/** A finding before dedup: snippet already redacted. `secretDigestInput` never leaves memory. */
export interface DetectedFinding {
  finding: Finding;
  /** raw matched secret text, held only in memory for keyed fingerprinting, never serialized */
  secret: string;
}

export interface ScanLimits {
  /** bytes scanned per part (the caller bounds bodies; this is the scanner's own cap) */
  maxScanBytes: number;
  /** nested decode depth (base64 inside percent inside JSON ...) */
  maxDecodeDepth: number;
  /** decoded segments examined per part */
  maxSegments: number;
  /** total decoded bytes per part across all views */
  maxDecodedBytes: number;
}

export type { Severity };
