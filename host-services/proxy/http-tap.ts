// Observes HTTP exchanges without touching the forwarding path:
//   request  the request mockttp accepted (preprocess hook): URL, headers, destination, client,
//            and the body stream the passthrough pipes upstream, read alongside the pipe
//   response-initiated / response-body-data (mockttp events, joined by request id)
//   abort    whatever was captured is scanned, the abort is counted
// Each body goes into a bounded decoding capture; when a message ends it becomes one ScanRequest.
//
// Not used, on purpose: `request`/`response` events and beforeRequest/beforeResponse (they buffer
// whole bodies and hold SSE back until the end), and `request-body-data` (with a small
// maxBodySize, mockttp 4.6 then forwards an empty request body whenever the first chunk arrives
// before the passthrough asks for the stream: the upload hangs).
import type { Readable } from 'node:stream';
import type { ScanPart, ScanRequest } from '../../lib/scan/types.ts';
import type { Protocol } from '../../lib/finding.ts';
import { BodyCapture, type CapturedBody } from './body-capture.ts';
import { normaliseAddress } from './client-filter.ts';
import { formatDest, headerParts, urlParts, type RawHeaders } from './message-parts.ts';
import { isEventStream, reassembleSse } from './sse-reassembly.ts';
import type { Sink } from './inspect-sink.ts';
import type { StartedRequest } from './mockttp-internals.ts';

export interface ResponseHead {
  id: string;
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  rawHeaders: RawHeaders;
  tags: string[];
}
export interface BodyChunk {
  id: string;
  content: Uint8Array;
  isEnded: boolean;
}
export interface Aborted {
  id: string;
  tags: string[];
  error?: { code?: string };
}

interface Meta {
  protocol: Protocol;
  method: string;
  path: string;
  source: string;
  dest: string;
  agent?: string;
}

interface Exchange {
  id: string;
  meta: Meta;
  url: string;
  rawHeaders: RawHeaders;
  /** mockttp's live tag list for this exchange (upstream failures are appended to it) */
  tags: string[];
  upstreamFaultCounted: boolean;
  req: BodyCapture;
  reqDone: boolean;
  res?: BodyCapture;
  resHead?: ResponseHead;
  /** the inbound ScanRequest was emitted (at the end, at the bound, or at an abort) */
  resDone: boolean;
  /** the response stream itself ended */
  resEnded: boolean;
  /** mockttp answered 502 itself: its error page is not upstream content */
  upstreamFailed: boolean;
  aborted: boolean;
  touched: number;
}

/** an exchange with no event for this long is forgotten (its captures freed) */
const IDLE_EXCHANGE_MS = 30 * 60 * 1000;
const UPSTREAM_ERROR_TAG = 'passthrough-error:';

export class HttpTap {
  private readonly exchanges = new Map<string, Exchange>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly sink: Sink) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** mockttp accepted a request; runs synchronously inside its request handling, so: cheap. */
  requestStarted(req: StartedRequest, agent: string | undefined): void {
    const ex: Exchange = {
      id: req.id,
      meta: {
        protocol: req.protocol === 'https' ? 'https' : 'http',
        method: req.method,
        path: '', // filled from the URL parts when the request is scanned (parsed once)
        source: normaliseAddress(req.remoteIpAddress ?? 'unknown'),
        dest: formatDest(req.destination.hostname, req.destination.port),
        ...(agent ? { agent } : {}),
      },
      url: req.url,
      rawHeaders: req.rawHeaders,
      tags: req.tags,
      upstreamFaultCounted: false,
      req: undefined as unknown as BodyCapture, // set just below (needs `ex`)
      reqDone: false,
      resDone: false,
      resEnded: false,
      upstreamFailed: false,
      aborted: false,
      touched: Date.now(),
    };
    // A body past the bound is scanned at once, not when (if ever) the stream ends.
    ex.req = this.capture(headerValue(req.rawHeaders, 'content-encoding'), () => {
      if (!ex.reqDone) this.settle(this.finishRequest(ex));
    });
    this.exchanges.set(req.id, ex);
    this.tapBody(ex, req.body);
  }

  responseInitiated(head: ResponseHead): void {
    const ex = this.touch(head.id);
    if (!ex) return;
    ex.resHead = head;
    // A failure tag before the head means the head is mockttp's own 502.
    if (this.noteUpstreamFailure(ex)) ex.upstreamFailed = true;
    // Past the bound (an endless event stream, a big download) the response is scanned right away.
    ex.res = this.capture(head.headers['content-encoding'], () => {
      if (!ex.resDone) this.settle(this.finishResponse(ex));
    });
  }

  responseBody(chunk: BodyChunk): void {
    const ex = this.touch(chunk.id);
    if (!ex?.res) return;
    if (!ex.resDone) ex.res.push(chunk.content);
    if (!chunk.isEnded) return;
    ex.resEnded = true;
    if (!ex.resDone) this.settle(this.finishResponse(ex));
    else {
      // Scanned early at the bound: still count an upstream cut that came later.
      this.noteUpstreamFailure(ex);
      this.cleanup(ex);
    }
  }

  aborted(ev: Aborted): void {
    const ex = this.exchanges.get(ev.id);
    const upstream = ev.tags.find((t) => t.startsWith(UPSTREAM_ERROR_TAG));
    if (ex && this.noteUpstreamFailure(ex)) {
      // counted as an upstream fault
    } else if (upstream) {
      this.sink.counters.fault('upstream_errors', upstream.slice(UPSTREAM_ERROR_TAG.length));
    } else {
      this.sink.counters.fault('client_aborts', ev.error?.code);
    }
    if (!ex) return;
    ex.aborted = true;
    // Whatever arrived before the cut may hold the secret: scan it.
    if (!ex.reqDone) this.settle(this.finishRequest(ex));
    if (ex.res && !ex.resDone) this.settle(this.finishResponse(ex));
    this.cleanup(ex);
  }

  /** Exchanges still open (tests, diagnostics). */
  get pending(): number {
    return this.exchanges.size;
  }

  stop(): void {
    clearInterval(this.sweeper);
    for (const ex of this.exchanges.values()) this.drop(ex);
  }

  /**
   * Read the body stream the passthrough pipes upstream, alongside the pipe. The listener is added
   * only once that stream starts flowing ('resume' is emitted just before the first 'data'): an
   * earlier 'data' listener would start the flow before the pipe exists and lose those bytes.
   */
  private tapBody(ex: Exchange, body: StartedRequest['body']): void {
    const original = body.asStream.bind(body);
    let tapped = false;
    body.asStream = (): Readable => {
      const stream = original();
      if (!tapped) {
        tapped = true;
        stream.once('resume', () =>
          stream.on('data', (c: Buffer) => {
            // This listener runs inside the stream that feeds the upstream: it must never throw.
            try {
              ex.touched = Date.now();
              ex.req.push(c);
            } catch {
              this.sink.counters.fault('internal_errors');
            }
          }),
        );
        const end = (): void => {
          if (!ex.reqDone) this.settle(this.finishRequest(ex));
        };
        stream.once('end', end);
        stream.once('close', end); // destroyed mid-body: scan what came
      }
      return stream;
    };
  }

  /** Scans run detached from mockttp's callbacks: a bug in one is a counted fault, never an unhandled rejection. */
  private settle(scan: Promise<void>): void {
    scan.catch(() => this.sink.counters.fault('internal_errors'));
  }

  /** Count the upstream failure mockttp tagged on this exchange (once). True if there is one. */
  private noteUpstreamFailure(ex: Exchange): boolean {
    const tag = ex.tags.find((t) => t.startsWith(UPSTREAM_ERROR_TAG));
    if (!tag) return false;
    if (!ex.upstreamFaultCounted) {
      ex.upstreamFaultCounted = true;
      this.sink.counters.fault('upstream_errors', tag.slice(UPSTREAM_ERROR_TAG.length));
    }
    return true;
  }

  private touch(id: string): Exchange | undefined {
    const ex = this.exchanges.get(id);
    if (ex) ex.touched = Date.now();
    return ex;
  }

  private capture(contentEncoding: string | string[] | undefined, onFull: () => void): BodyCapture {
    return new BodyCapture({ contentEncoding, maxBytes: this.sink.maxScanBytes, budget: this.sink.budget, onFull });
  }

  private async finishRequest(ex: Exchange): Promise<void> {
    ex.reqDone = true;
    const max = this.sink.maxScanBytes;
    // Before any await: the response scan may be waiting for meta.path.
    const parts: ScanPart[] = urlParts(ex.url, max);
    ex.meta.path = parts[0]?.text ?? '/';
    parts.push(...headerParts(ex.rawHeaders, max));
    const body = await ex.req.finish();
    this.cleanup(ex);
    this.sink.counters.stats.requests++;
    const bodyPart = toBodyPart(body);
    if (bodyPart) parts.push(bodyPart);
    this.sink.deliver(this.scanRequest('outbound', ex.meta, parts));
  }

  private async finishResponse(ex: Exchange): Promise<void> {
    ex.resDone = true;
    // The exchange is over for the proxy even if the request stream never reported its end
    // (upstream failed before reading it, the server answered early).
    if (!ex.reqDone) this.settle(this.finishRequest(ex));
    const head = ex.resHead!;
    // An upstream cut mid-body: counted; the part that arrived is still scanned below.
    this.noteUpstreamFailure(ex);
    const body = await ex.res!.finish();
    this.cleanup(ex);
    if (ex.upstreamFailed) return;
    this.sink.counters.stats.responses++;
    const parts: ScanPart[] = headerParts(head.rawHeaders, this.sink.maxScanBytes);
    const bodyPart = toBodyPart(body);
    if (bodyPart) {
      if (isEventStream(head.headers['content-type'])) {
        const sse = reassembleSse(body.text);
        if (sse.style && sse.text.length) {
          parts.push({ ...bodyPart, text: sse.text, encodings: [...(bodyPart.encodings ?? []), 'sse'] });
        }
      }
      parts.push(bodyPart);
    }
    this.sink.deliver(this.scanRequest('inbound', ex.meta, parts));
  }

  private scanRequest(direction: 'outbound' | 'inbound', meta: Meta, parts: ScanPart[]): ScanRequest {
    return {
      direction,
      protocol: meta.protocol,
      platform: this.sink.platform,
      source: meta.source,
      dest: meta.dest,
      parts,
      method: meta.method,
      path: meta.path,
      ...(meta.agent ? { agent: meta.agent } : {}),
    };
  }

  /** Forget the exchange once both halves were scanned and the response stream is over. */
  private cleanup(ex: Exchange): void {
    const resOver = ex.aborted || (ex.resDone && ex.resEnded);
    if (ex.reqDone && resOver) this.exchanges.delete(ex.id);
  }

  private drop(ex: Exchange): void {
    ex.req.dispose();
    ex.res?.dispose();
    this.exchanges.delete(ex.id);
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_EXCHANGE_MS;
    for (const ex of this.exchanges.values()) if (ex.touched < cutoff) this.drop(ex);
  }
}

function toBodyPart(body: CapturedBody): ScanPart | undefined {
  if (body.bytes === 0) return undefined;
  return {
    location: 'body',
    text: body.text,
    ...(body.encodings.length ? { encodings: body.encodings } : {}),
    ...(body.truncated ? { truncated: true } : {}),
  };
}

function headerValue(raw: RawHeaders, name: string): string | undefined {
  let out: string | undefined;
  for (const [k, v] of raw) {
    if (k.length === name.length && k.toLowerCase() === name) out = out === undefined ? v : `${out}, ${v}`;
  }
  return out;
}
