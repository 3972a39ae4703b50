// `scan`: offline detection on a file or stdin, exactly as the monitor would scan it.
// With --http the input is one raw HTTP/1.1 message (request or response): the URL, each
// header and the decoded body are scanned as separate parts, so own-provider context (a key
// in x-api-key to api.anthropic.com is normal) applies offline too. Findings are printed as
// redacted JSON lines; nothing is written to the findings log or anywhere else.
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { GuardianError } from '../../../lib/errors.ts';
import { DIRECTIONS, PLATFORMS, type Direction, type Platform } from '../../../lib/finding.ts';
import { httpMessageToScanRequest } from '../../../lib/http-message.ts';
import { PATTERNS } from '../../../lib/patterns/registry.ts';
import { DEFAULT_MAX_SCAN_BYTES, HARD_MAX_SCAN_BYTES, Scanner } from '../../../lib/scan/scanner.ts';
import type { ScanRequest } from '../../../lib/scan/types.ts';
import { BIN, defineCommand, usageError } from '../args.ts';

/** Reads at most `limit` bytes; the rest of the stream is drained and reported as cut. */
export async function readBounded(stream: Readable | NodeJS.ReadableStream, limit: number): Promise<{ data: Buffer; truncated: boolean; total: number }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    total += buf.length;
    if (kept < limit) {
      const take = buf.subarray(0, limit - kept);
      chunks.push(take);
      kept += take.length;
    }
  }
  return { data: Buffer.concat(chunks), truncated: total > limit, total };
}

const DEST = /^(?:\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):\d{1,5}$/;

export const scanCommand = defineCommand({
  name: 'scan',
  summary: 'offline detection on a file or stdin; prints redacted findings as JSON lines',
  usage: '[--direction outbound|inbound] [--dest HOST:PORT] [--http] FILE|-',
  examples: [
    `${BIN} scan --direction outbound request-body.json`,
    `curl -s https://example.com/install.sh | ${BIN} scan --direction inbound -`,
    `${BIN} scan --http captured-request.http`,
  ],
  args: [{ name: 'FILE', description: 'file to scan, or - for standard input' }],
  flags: {
    direction: { type: 'string', choices: DIRECTIONS, description: 'outbound (EXFIL patterns) or inbound (INJECTION patterns); with --http taken from the message unless given' },
    dest: { type: 'string', valueName: 'HOST:PORT', description: 'destination the traffic was going to (default offline:0; with --http the Host header)' },
    http: { type: 'boolean', description: 'the input is one raw HTTP/1.1 message: URL, each header and the decoded body are scanned' },
    'max-scan-bytes': { type: 'string', valueName: 'N', description: `bytes scanned (default ${DEFAULT_MAX_SCAN_BYTES}, at most ${HARD_MAX_SCAN_BYTES})` },
  },
  async run(ctx) {
    const file = ctx.positionals[0] as string;
    const dest = ctx.values.dest;
    if (dest !== undefined && !DEST.test(dest)) throw usageError(`--dest must be HOST:PORT (got "${dest.slice(0, 60)}")`, 'write e.g. --dest api.example.com:443');
    let maxScanBytes = DEFAULT_MAX_SCAN_BYTES;
    if (ctx.values['max-scan-bytes'] !== undefined) {
      const n = Number(ctx.values['max-scan-bytes']);
      if (!Number.isInteger(n) || n < 1024 || n > HARD_MAX_SCAN_BYTES) {
        throw usageError(`--max-scan-bytes must be a whole number from 1024 to ${HARD_MAX_SCAN_BYTES}`, 'write e.g. --max-scan-bytes 1048576');
      }
      maxScanBytes = n;
    }
    const platform: Platform = ctx.global.platform ?? (PLATFORMS.includes('openclaw') ? 'openclaw' : 'nanoclaw');

    let input;
    try {
      const stream = file === '-' ? ctx.io.stdin : createReadStream(file);
      // an HTTP message's head comes before the bounded body: allow room for it
      input = await readBounded(stream, ctx.values.http ? maxScanBytes + 64 * 1024 : maxScanBytes);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? 'error';
      throw new GuardianError('INPUT_UNREADABLE', `cannot read ${file === '-' ? 'standard input' : file} (${code})`, {
        fix: 'give a readable file path, or - to read standard input',
      });
    }

    const scanner = new Scanner({ patterns: [...PATTERNS], limits: { maxScanBytes } });
    let req: ScanRequest;
    if (ctx.values.http) {
      try {
        req = httpMessageToScanRequest(input.data, {
          platform,
          protocol: 'http',
          source: 'offline',
          maxScanBytes,
          ...(dest ? { dest } : {}),
        });
      } catch (err) {
        throw new GuardianError('INPUT_UNREADABLE', (err as Error).message, { fix: 'give one raw HTTP/1.1 message, e.g. captured with `curl -v` or mitmproxy, or drop --http' });
      }
      if (ctx.values.direction) req.direction = ctx.values.direction as Direction;
      if (input.truncated) for (const p of req.parts) if (p.location === 'body') p.truncated = true;
    } else {
      req = {
        direction: (ctx.values.direction as Direction | undefined) ?? 'outbound',
        protocol: 'http',
        platform,
        source: 'offline',
        dest: dest ?? 'offline:0',
        parts: [{ location: 'input', text: input.data.toString('utf8'), truncated: input.truncated }],
      };
    }
    const findings = scanner.scan(req);
    for (const f of findings) ctx.printJson(f);
    if (!ctx.global.json) {
      ctx.io.stderr.write(
        `scanned ${Math.min(input.total, input.data.length)} of ${input.total} bytes (${req.direction}): ${findings.length} finding${findings.length === 1 ? '' : 's'}${input.truncated ? `; input cut at the scan bound of ${maxScanBytes} bytes` : ''}\n`,
      );
    }
    return 0;
  },
});
