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

// Each header name's part location (or null: never scanned), as the shared function decides it,
// remembered per name as sent: a message's parts are then one object per header, without the
// lower-cased copies and intermediate arrays (this runs twice per proxied request).
const MAX_REMEMBERED_NAMES = 1024;
const headerLocations = new Map<string, string | null>();

function headerLocation(name: string): string | null {
  let location = headerLocations.get(name);
  if (location === undefined) {
    location = sharedHeaderParts([[name.toLowerCase(), '']])[0]?.location ?? null;
    if (headerLocations.size >= MAX_REMEMBERED_NAMES) headerLocations.clear(); // odd names cannot grow it
    headerLocations.set(name, location);
  }
  return location;
}

export function headerParts(rawHeaders: RawHeaders, maxBytes: number): ScanPart[] {
  const parts: ScanPart[] = [];
  let seen = 0;
  for (const [name, value] of rawHeaders) {
    if (name.startsWith(':')) continue; // HTTP/2 pseudo-headers repeat the URL and the host
    if (++seen > MAX_HEADERS) break;
    const location = headerLocation(name);
    if (location === null) continue;
    parts.push(value.length > maxBytes ? { location, text: value.slice(0, maxBytes), truncated: true } : { location, text: value });
  }
  return parts;
}

/** `host:port`, IPv6 bracketed. */
export function formatDest(hostname: string, port: number | string): string {
  return hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}
