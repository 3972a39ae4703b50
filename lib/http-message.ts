// Turns an HTTP/1.1 message into the parts the scanner looks at: URL path, each query
// parameter, each header, and the decoded body. `scan --http` uses this offline; the proxy
// builds the same parts from live traffic, so both see a message the same way.
import { brotliDecompressSync, gunzipSync, inflateRawSync, inflateSync } from 'node:zlib';
import * as zlib from 'node:zlib';
import type { ScanPart } from './scan/types.ts';

export interface ParsedHttpMessage {
  kind: 'request' | 'response';
  method?: string;
  target?: string;
  status?: number;
  headers: Array<[string, string]>;
  body: Buffer;
}

/** Headers never scanned as traffic: proxy credentials carry only the agent's name for attribution. */
const SKIPPED_HEADERS = new Set(['proxy-authorization', 'proxy-connection']);

export function parseHttpMessage(raw: Buffer): ParsedHttpMessage {
  let sep = raw.indexOf('\r\n\r\n');
  let sepLen = 4;
  if (sep < 0) {
    sep = raw.indexOf('\n\n');
    sepLen = 2;
  }
  const head = (sep < 0 ? raw : raw.subarray(0, sep)).toString('latin1');
  const body = sep < 0 ? Buffer.alloc(0) : raw.subarray(sep + sepLen);
  const lines = head.split(/\r?\n/);
  const start = (lines.shift() ?? '').trim();
  const headers: Array<[string, string]> = [];
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    headers.push([line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim()]);
  }
  const resp = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(start);
  if (resp) return { kind: 'response', status: Number(resp[1]), headers, body };
  const req = /^([A-Z]{3,10})\s+(\S+)(?:\s+HTTP\/\d(?:\.\d)?)?$/.exec(start);
  if (!req) throw new Error('not an HTTP/1.x message: the first line is neither "METHOD target HTTP/1.1" nor "HTTP/1.1 STATUS"');
  return { kind: 'request', method: req[1], target: req[2], headers, body };
}

export function headerValue(headers: Array<[string, string]>, name: string): string | undefined {
  return headers.find(([k]) => k === name)?.[1];
}

/** Undo chunked transfer coding, tolerating a truncated last chunk. */
export function dechunk(body: Buffer): Buffer {
  const out: Buffer[] = [];
  let pos = 0;
  while (pos < body.length) {
    const eol = body.indexOf('\r\n', pos);
    if (eol < 0) break;
    const size = parseInt(body.subarray(pos, eol).toString('latin1').split(';')[0] ?? '', 16);
    if (!Number.isFinite(size) || size <= 0) break;
    out.push(body.subarray(eol + 2, Math.min(body.length, eol + 2 + size)));
    pos = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}

/**
 * Decodes a content-coding with an output bound. Returns the decoded bytes (possibly a
 * prefix, for a truncated or oversized stream) or undefined when the coding is unknown or
 * the data is not of that coding. Never throws.
 */
export function decodeContent(body: Buffer, coding: string, maxOutput: number): Buffer | undefined {
  const opts = { maxOutputLength: maxOutput, finishFlush: zlib.constants.Z_SYNC_FLUSH };
  try {
    switch (coding.trim().toLowerCase()) {
      case 'gzip':
      case 'x-gzip':
        return gunzipSync(body, opts);
      case 'deflate':
        try {
          return inflateSync(body, opts);
        } catch {
          return inflateRawSync(body, opts);
        }
      case 'br':
        return brotliDecompressSync(body, { maxOutputLength: maxOutput, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
      case 'zstd': {
        const z = (zlib as unknown as { zstdDecompressSync?: (b: Buffer, o: object) => Buffer }).zstdDecompressSync;
        return z ? z(body, { maxOutputLength: maxOutput }) : undefined;
      }
      case 'identity':
      case '':
        return body;
      default:
        return undefined;
    }
  } catch (err) {
    // RangeError: output over the bound. Keep the bounded prefix by streaming decode instead.
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') return decodeContent(body.subarray(0, Math.floor(body.length / 2)), coding, maxOutput);
    return undefined;
  }
}

export interface BodyForScan {
  text: string;
  encodings: string[];
  truncated: boolean;
}

/** Body bytes → text for the scanner: de-chunked, decompressed (all codings in order), bounded. */
export function bodyForScan(headers: Array<[string, string]>, body: Buffer, maxBytes: number): BodyForScan {
  let data = body;
  const encodings: string[] = [];
  if ((headerValue(headers, 'transfer-encoding') ?? '').toLowerCase().includes('chunked')) data = dechunk(data);
  const codings = (headerValue(headers, 'content-encoding') ?? '').split(',').map((c) => c.trim().toLowerCase()).filter((c) => c && c !== 'identity');
  for (const c of codings.reverse()) {
    const decoded = decodeContent(data, c, maxBytes + 1);
    if (decoded === undefined) break; // scan what we have rather than nothing
    data = decoded;
    encodings.push(c);
  }
  const truncated = data.length > maxBytes;
  return { text: (truncated ? data.subarray(0, maxBytes) : data).toString('utf8'), encodings, truncated };
}

/** Splits a request target into the path part and one part per query parameter. */
export function targetParts(target: string): ScanPart[] {
  let pathAndQuery = target;
  // absolute-form (proxy requests): drop scheme and authority
  const abs = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(target);
  if (abs) pathAndQuery = target.slice(abs[0].length) || '/';
  const hash = pathAndQuery.indexOf('#');
  if (hash >= 0) pathAndQuery = pathAndQuery.slice(0, hash);
  const q = pathAndQuery.indexOf('?');
  const parts: ScanPart[] = [{ location: 'path', text: q < 0 ? pathAndQuery : pathAndQuery.slice(0, q) }];
  if (q >= 0) {
    for (const pair of pathAndQuery.slice(q + 1).split('&')) {
      if (!pair) continue;
      const eq = pair.indexOf('=');
      const rawName = eq < 0 ? pair : pair.slice(0, eq);
      let name = rawName;
      try {
        name = decodeURIComponent(rawName.replace(/\+/g, ' '));
      } catch {
        // keep the raw name
      }
      parts.push({ location: `query:${name.toLowerCase().slice(0, 64)}`, text: eq < 0 ? rawName : pair.slice(eq + 1) });
    }
  }
  return parts;
}

export function headerParts(headers: Array<[string, string]>): ScanPart[] {
  return headers.filter(([k]) => !SKIPPED_HEADERS.has(k)).map(([k, v]) => ({ location: `header:${k}`, text: v }));
}

export interface HttpScanContext {
  platform: import('./finding.ts').Platform;
  protocol: import('./finding.ts').Protocol;
  source: string;
  /** overrides the Host header; required for responses */
  dest?: string;
  maxScanBytes: number;
}

/** One raw HTTP/1.1 message → one ScanRequest, the way the monitor scans it. */
export function httpMessageToScanRequest(raw: Buffer, ctx: HttpScanContext): import('./scan/types.ts').ScanRequest {
  const msg = parseHttpMessage(raw);
  const body = bodyForScan(msg.headers, msg.body, ctx.maxScanBytes);
  const parts: ScanPart[] = [];
  let path: string | undefined;
  if (msg.kind === 'request' && msg.target) {
    const tparts = targetParts(msg.target);
    path = tparts[0]?.text;
    parts.push(...tparts);
  }
  parts.push(...headerParts(msg.headers));
  if (body.text.length) parts.push({ location: 'body', text: body.text, encodings: body.encodings, truncated: body.truncated });
  const host = headerValue(msg.headers, 'host');
  const dest = ctx.dest ?? (host ? (host.includes(':') && !host.startsWith('[') ? host : `${host}:${ctx.protocol === 'http' ? 80 : 443}`) : 'offline:0');
  return {
    direction: msg.kind === 'request' ? 'outbound' : 'inbound',
    protocol: ctx.protocol,
    platform: ctx.platform,
    source: ctx.source,
    dest,
    parts,
    ...(msg.method ? { method: msg.method } : {}),
    ...(path ? { path } : {}),
  };
}
