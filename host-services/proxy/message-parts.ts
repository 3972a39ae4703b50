// Turn an HTTP message head into ScanParts: the path, one part per query parameter
// (`query:<name>`, value decoded), one per header (`header:<lower-case name>`). Proxy credentials are
// left out on purpose: they are the agent's name for the proxy, not data leaving the host.
import type { ScanPart } from '../../lib/scan/types.ts';

export type RawHeaders = Array<[string, string]>;

const MAX_QUERY_PARAMS = 256;
const MAX_HEADERS = 512;
const NOT_SCANNED = new Set(['proxy-authorization', 'proxy-connection']);

export interface UrlPieces {
  /** path without the query (safe to show in findings) */
  path: string;
  query: Array<[string, string]>;
}

/** Path and query of an absolute or origin-form URL; tolerant of garbage. */
export function splitUrl(url: string): UrlPieces {
  try {
    const u = new URL(url, 'http://placeholder.invalid');
    const query: Array<[string, string]> = [];
    for (const [k, v] of u.searchParams) {
      if (query.length >= MAX_QUERY_PARAMS) break;
      query.push([k, v]);
    }
    return { path: u.pathname, query };
  } catch {
    const q = url.indexOf('?');
    return { path: q === -1 ? url : url.slice(0, q), query: [] };
  }
}

function bound(text: string, maxBytes: number): ScanPart['text'] {
  return text.length > maxBytes ? text.slice(0, maxBytes) : text;
}

export function urlParts(pieces: UrlPieces, maxBytes: number): ScanPart[] {
  const parts: ScanPart[] = [{ location: 'path', text: bound(pieces.path, maxBytes) }];
  for (const [name, value] of pieces.query) {
    parts.push({ location: `query:${name}`, text: bound(value, maxBytes), ...(value.length > maxBytes ? { truncated: true } : {}) });
  }
  return parts;
}

export function headerParts(rawHeaders: RawHeaders, maxBytes: number): ScanPart[] {
  const parts: ScanPart[] = [];
  for (const [name, value] of rawHeaders) {
    if (parts.length >= MAX_HEADERS) break;
    const lower = name.toLowerCase();
    if (NOT_SCANNED.has(lower) || lower.startsWith(':')) continue; // HTTP/2 pseudo-headers repeat the URL
    parts.push({ location: `header:${lower}`, text: bound(value, maxBytes), ...(value.length > maxBytes ? { truncated: true } : {}) });
  }
  return parts;
}

/** `host:port`, IPv6 bracketed. */
export function formatDest(hostname: string, port: number | string): string {
  return hostname.includes(':') && !hostname.startsWith('[') ? `[${hostname}]:${port}` : `${hostname}:${port}`;
}
