// Message heads -> ScanParts, through the same functions `scan --http` uses (lib/http-message.ts),
// so the offline scan and the monitor see a message identically: the raw path, one part per query
// parameter (`query:<name>`, value as sent), one per header (`header:<lower-case name>`), proxy
// credentials left out. This file only adapts mockttp's shapes (original-case raw headers,
// HTTP/2 pseudo-headers, absolute-form URLs) and bounds the text.
import { headerParts as sharedHeaderParts, targetParts } from '../../lib/http-message.ts';
import type { ScanPart } from '../../lib/scan/types.ts';

export type RawHeaders = Array<[string, string]>;

const MAX_QUERY_PARAMS = 256;
const MAX_HEADERS = 512;

function bounded(parts: ScanPart[], maxBytes: number): ScanPart[] {
  return parts.map((p) => (p.text.length > maxBytes ? { ...p, text: p.text.slice(0, maxBytes), truncated: true } : p));
}

/** `path` first, then the query parameters; tolerant of any target (absolute or origin form). */
export function urlParts(url: string, maxBytes: number): ScanPart[] {
  const parts = targetParts(url);
  return bounded(parts.slice(0, 1 + MAX_QUERY_PARAMS), maxBytes);
}

/** The URL path for findings: never the query (it may hold the secret). */
export function urlPath(url: string): string {
  return targetParts(url)[0]?.text ?? '/';
}

export function headerParts(rawHeaders: RawHeaders, maxBytes: number): ScanPart[] {
  const lower: RawHeaders = [];
  for (const [name, value] of rawHeaders) {
    if (name.startsWith(':')) continue; // HTTP/2 pseudo-headers repeat the URL and the host
    lower.push([name.toLowerCase(), value]);
    if (lower.length >= MAX_HEADERS) break;
  }
  return bounded(sharedHeaderParts(lower), maxBytes);
}

/** `host:port`, IPv6 bracketed. */
export function formatDest(hostname: string, port: number | string): string {
  return hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}
