// Observes HTTP exchanges without touching the forwarding path:
//   request  the request mockttp accepted (preprocess hook): URL, headers, destination, client,
//            and, when it has a body, the body stream the passthrough pipes upstream, read
//            alongside the pipe
//   response the raw response mockttp writes to the client (handed over by the same hook): its
//            head and each chunk are noted as mockttp writes them, after the write
//   abort    (mockttp event) whatever was captured is scanned, the abort is counted
// Each body goes into a bounded decoding capture. When a message ends it is queued, and the queue
// is scanned in one setImmediate: never inside mockttp's write, and one timer per batch rather
// than several events, promises and closures per message.
//
// Not used, on purpose: `request`/`response` events and beforeRequest/beforeResponse (they buffer
// whole bodies and hold SSE back until the end), `request-body-data` (with a small maxBodySize,
// mockttp 4.6 then forwards an empty request body whenever the first chunk arrives before the
// passthrough asks for the stream: the upload hangs), and `response-initiated` /
// `response-body-data` (per response: a copy of the head, a 20 ms batching timer and two
// setImmediates, which cost more than the scan of a small message).
import type { Readable } from 'node:stream';
import type { ScanPart, ScanRequest } from '../../lib/scan/types.ts';
import type { Protocol } from '../../lib/finding.ts';
import { BodyCapture, type CapturedBody } from './body-capture.ts';
import { normaliseAddress } from './client-filter.ts';
import { formatDest, headerParts, urlParts, type RawHeaders } from './message-parts.ts';
import { isEventStream, reassembleSse } from './sse-reassembly.ts';
import type { Sink } from './inspect-sink.ts';
import type { RawResponse, StartedRequest } from './mockttp-internals.ts';

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

interface ResponseHead {
  rawHeaders: RawHeaders;
  contentType: string | undefined;
}

type WriteFn = (this: RawResponse, ...args: unknown[]) => unknown;

interface Exchange {
  id: string;
  tap: HttpTap;
  meta: Meta;
  url: string;
  rawHeaders: RawHeaders;
  /** mockttp's live tag list for this exchange (upstream failures are appended to it) */
  tags: string[];
  upstreamFaultCounted: boolean;
  /** undefined when the request has no body */
  req: BodyCapture | undefined;
  reqDone: boolean;
  res: BodyCapture | undefined;
  resHead: ResponseHead | undefined;
  /** the inbound ScanRequest was emitted (at the end, at the bound, or at an abort) */
  resDone: boolean;
  /** the response stream itself ended */
  resEnded: boolean;
  /** mockttp answered 502 itself: its error page is not upstream content */
  upstreamFailed: boolean;
  aborted: boolean;
  touched: number;
  /** response body bytes written so far (counted until mockttp's copy is drained) */
  written: number;
  drained: boolean;
  /** the response's own methods, called by the shared wrappers below */
  writeHead: WriteFn | undefined;
  write: WriteFn | undefined;
  end: WriteFn | undefined;
}

/** an exchange with no event for this long is forgotten (its captures freed) */
const IDLE_EXCHANGE_MS = 30 * 60 * 1000;
const UPSTREAM_ERROR_TAG = 'passthrough-error:';

const EXCHANGE = Symbol('clawsec.exchange');
type TappedResponse = RawResponse & { [EXCHANGE]?: Exchange; getRawHeaders?: () => RawHeaders };

// One set of response wrappers for every exchange (no closures per request). Each calls the
// response's own method first, then notes what was written; the noting never throws.

/** set while a response's end() runs: an end() that calls write() itself (HTTP/2) is noted once */
let ending: TappedResponse | undefined;

function tappedWriteHead(this: TappedResponse, ...args: unknown[]): unknown {
  const ex = this[EXCHANGE]!;
  const result = ex.writeHead!.apply(this, args);
  ex.tap.responseHead(ex, this);
  return result;
}

function tappedWrite(this: TappedResponse, ...args: unknown[]): unknown {
  const ex = this[EXCHANGE]!;
  const result = ex.write!.apply(this, args);
  if (ending !== this) ex.tap.responseChunk(ex, this, args[0], args[1]);
  return result;
}

function tappedEnd(this: TappedResponse, ...args: unknown[]): unknown {
  const ex = this[EXCHANGE]!;
  const outer = ending;
  ending = this;
  let result: unknown;
  try {
    result = ex.end!.apply(this, args);
  } finally {
    ending = outer;
  }
  ex.tap.responseEnd(ex, this, typeof args[0] === 'function' ? undefined : args[0], args[1]);
  return result;
}

/**
 * mockttp copies every response chunk into a stream of its own that only a body-data listener
 * would read (`trackResponse`); unread, it holds the whole body until the response ends (20
 * parallel 10 MiB downloads: 200 MB). Past this many bytes the stream is set flowing through its
 * own body reader, bounded to nothing by maxBodySize 0; below it, the few bytes are not worth it.
 */
const UNDRAINED_BYTES = 64 * 1024;

function drainTracking(ex: Exchange, res: TappedResponse): void {
  ex.drained = true;
  const body = (res as { body?: { asBuffer?: () => Promise<unknown> } }).body;
  if (typeof body?.asBuffer === 'function') body.asBuffer().catch(() => {});
}

/** text handed to the detector in one turn of the event loop (small messages all go in one) */
const SCAN_SLICE_CHARS = 256 * 1024;

const REQUEST = 0;
const RESPONSE = 1;

export class HttpTap {
  private readonly exchanges = new Map<string, Exchange>();
  private readonly sweeper: NodeJS.Timeout;
  /** exchanges with a half to scan, flat: exchange, REQUEST|RESPONSE, exchange, ... */
  private queue: Array<Exchange | number> = [];
  private drainScheduled = false;
  private stopped = false;
  private readonly drain = (): void => this.scanQueued();

  constructor(private readonly sink: Sink) {
    this.sweeper = setInterval(() => this.sweep(), 60_000);
    this.sweeper.unref();
  }

  /** mockttp accepted a request; runs synchronously inside its request handling, so: cheap. */
  requestStarted(req: StartedRequest, agent: string | undefined, response: RawResponse | undefined): void {
    const ex: Exchange = {
      id: req.id,
      tap: this,
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
      req: undefined,
      reqDone: false,
      res: undefined,
      resHead: undefined,
      resDone: false,
      resEnded: false,
      upstreamFailed: false,
      aborted: false,
      touched: Date.now(),
      written: 0,
      drained: false,
      writeHead: undefined,
      write: undefined,
      end: undefined,
    };
    this.exchanges.set(req.id, ex);
    if (response) this.tapResponse(ex, response as TappedResponse);
    else {
      // The response goes unobserved (and still goes through): the exchange ends with its request.
      ex.resDone = ex.resEnded = true;
      this.sink.counters.fault('internal_errors');
    }
    if (hasBody(req)) {
      // A body past the bound is scanned at once, not when (if ever) the stream ends.
      ex.req = this.capture(req.headers['content-encoding'], () => this.enqueue(ex, REQUEST));
      this.tapBody(ex, req.body);
    } else {
      // Nothing more will come: the head is the whole request.
      this.enqueue(ex, REQUEST);
    }
  }

  /** the response head was written (called by the wrapper, after the write) */
  responseHead(ex: Exchange, res: TappedResponse): void {
    try {
      if (ex.resHead) return;
      ex.touched = Date.now();
      const rawHeaders = typeof res.getRawHeaders === 'function' ? res.getRawHeaders() : headersToRaw(res.getHeaders());
      ex.resHead = { rawHeaders, contentType: headerValue(rawHeaders, 'content-type') };
      // A failure tag before the head means the head is mockttp's own 502.
      if (this.noteUpstreamFailure(ex)) ex.upstreamFailed = true;
      // Past the bound (an endless event stream, a big download) the response is scanned right away.
      ex.res = this.capture(headerValue(rawHeaders, 'content-encoding'), () => this.enqueue(ex, RESPONSE));
    } catch {
      this.sink.counters.fault('internal_errors');
    }
  }

  /** a body chunk was written to the client */
  responseChunk(ex: Exchange, res: TappedResponse, chunk: unknown, encoding: unknown): void {
    try {
      if (chunk === undefined || chunk === null) return;
      const data =
        typeof chunk === 'string' ? Buffer.from(chunk, typeof encoding === 'string' && Buffer.isEncoding(encoding) ? encoding : 'utf8') : chunk instanceof Uint8Array ? chunk : undefined;
      if (!data) return;
      if (!ex.drained) {
        ex.written += data.length;
        if (ex.written > UNDRAINED_BYTES) drainTracking(ex, res);
      }
      if (ex.resDone || !ex.res) return;
      ex.touched = Date.now();
      // After an upstream failure mockttp writes its own error text: not upstream content.
      if (ex.tags.length && this.noteUpstreamFailure(ex)) return;
      ex.res.push(data);
    } catch {
      this.sink.counters.fault('internal_errors');
    }
  }

  /** the response ended (end() returned) */
  responseEnd(ex: Exchange, res: TappedResponse, chunk: unknown, encoding: unknown): void {
    if (ex.resEnded) return;
    this.responseChunk(ex, res, chunk, encoding);
    try {
      ex.resEnded = true;
      if (!ex.resDone) this.enqueue(ex, RESPONSE);
      else {
        // Scanned early at the bound: still count an upstream cut that came later.
        this.noteUpstreamFailure(ex);
        this.cleanup(ex);
      }
    } catch {
      this.sink.counters.fault('internal_errors');
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
    if (!ex.reqDone) this.enqueue(ex, REQUEST);
    if (ex.res && !ex.resDone) this.enqueue(ex, RESPONSE);
    this.cleanup(ex);
  }

  /** Exchanges still open (tests, diagnostics). */
  get pending(): number {
    return this.exchanges.size;
  }

  stop(): void {
    // Messages that already ended are scanned now, before the detector is closed after us.
    this.scanQueued(true);
    this.stopped = true;
    clearInterval(this.sweeper);
    for (const ex of this.exchanges.values()) this.drop(ex);
  }

  /**
   * Observe the response as mockttp writes it. Installed before mockttp wraps the same methods
   * (its wrappers call these), so what is noted is exactly what goes to the client.
   */
  private tapResponse(ex: Exchange, res: TappedResponse): void {
    ex.writeHead = res.writeHead as unknown as WriteFn;
    ex.write = res.write as unknown as WriteFn;
    ex.end = res.end as unknown as WriteFn;
    res[EXCHANGE] = ex;
    (res as { writeHead: unknown }).writeHead = tappedWriteHead;
    (res as { write: unknown }).write = tappedWrite;
    (res as { end: unknown }).end = tappedEnd;
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
              ex.req!.push(c);
            } catch {
              this.sink.counters.fault('internal_errors');
            }
          }),
        );
        const end = (): void => {
          if (!ex.reqDone) this.enqueue(ex, REQUEST);
        };
        stream.once('end', end);
        stream.once('close', end); // destroyed mid-body: scan what came
      }
      return stream;
    };
  }

  private enqueue(ex: Exchange, half: number): void {
    if (this.stopped) return;
    this.queue.push(ex, half);
    if (!this.drainScheduled) {
      this.drainScheduled = true;
      setImmediate(this.drain);
    }
  }

  /** Scan every queued half; a bug in one is a counted fault and the rest are still scanned. */
  private scanQueued(all = false): void {
    this.drainScheduled = false;
    const queue = this.queue;
    this.queue = [];
    const stats = this.sink.counters.stats;
    const before = stats.bytes_scanned;
    let i = 0;
    for (; i < queue.length; i += 2) {
      if (!all && stats.bytes_scanned - before >= SCAN_SLICE_CHARS) {
        // The rest waits a turn of the event loop: traffic (and the GC, which frees the big
        // texts) runs between large scans instead of after all of them.
        this.queue = queue.slice(i).concat(this.queue);
        this.drainScheduled = true;
        setImmediate(this.drain);
        return;
      }
      const ex = queue[i] as Exchange;
      try {
        if (queue[i + 1] === REQUEST) {
          if (!ex.reqDone) this.finishRequest(ex);
        } else if (!ex.resDone) this.finishResponse(ex);
      } catch {
        this.sink.counters.fault('internal_errors');
      }
    }
  }

  /** Scans that wait on a decoder: a bug in one is a counted fault, never an unhandled rejection. */
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

  private capture(contentEncoding: string | string[] | undefined, onFull: () => void): BodyCapture {
    return new BodyCapture({ contentEncoding, maxBytes: this.sink.maxScanBytes, budget: this.sink.budget, onFull });
  }

  private finishRequest(ex: Exchange): void {
    ex.reqDone = true;
    const max = this.sink.maxScanBytes;
    // Before the body is awaited: the response scan needs meta.path.
    const parts: ScanPart[] = urlParts(ex.url, max);
    ex.meta.path = parts[0]?.text ?? '/';
    for (const p of headerParts(ex.rawHeaders, max)) parts.push(p);
    const capture = ex.req;
    const now = capture?.finishNow();
    if (capture && !now) {
      this.settle(capture.finish().then((body) => this.deliverRequest(ex, parts, body)));
      return;
    }
    this.deliverRequest(ex, parts, now);
  }

  private deliverRequest(ex: Exchange, parts: ScanPart[], body: CapturedBody | undefined): void {
    this.cleanup(ex);
    this.sink.counters.stats.requests++;
    const bodyPart = body && toBodyPart(body);
    if (bodyPart) parts.push(bodyPart);
    this.sink.deliver(this.scanRequest('outbound', ex.meta, parts));
  }

  private finishResponse(ex: Exchange): void {
    ex.resDone = true;
    // The exchange is over for the proxy even if the request stream never reported its end
    // (upstream failed before reading it, the server answered early).
    if (!ex.reqDone) this.finishRequest(ex);
    // An upstream cut mid-body: counted; the part that arrived is still scanned below.
    this.noteUpstreamFailure(ex);
    const capture = ex.res!;
    const now = capture.finishNow();
    if (!now) {
      this.settle(capture.finish().then((body) => this.deliverResponse(ex, body)));
      return;
    }
    this.deliverResponse(ex, now);
  }

  private deliverResponse(ex: Exchange, body: CapturedBody): void {
    this.cleanup(ex);
    if (ex.upstreamFailed) return;
    this.sink.counters.stats.responses++;
    const head = ex.resHead!;
    const parts: ScanPart[] = headerParts(head.rawHeaders, this.sink.maxScanBytes);
    const bodyPart = toBodyPart(body);
    if (bodyPart) {
      if (isEventStream(head.contentType)) {
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
    ex.req?.dispose();
    ex.res?.dispose();
    this.exchanges.delete(ex.id);
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_EXCHANGE_MS;
    for (const ex of this.exchanges.values()) if (ex.touched < cutoff) this.drop(ex);
  }
}

/**
 * Whether the request has a body to tap. HTTP/1.x frames a request body only with Content-Length
 * or Transfer-Encoding; HTTP/2 may send one without either, so it is always tapped.
 */
function hasBody(req: StartedRequest): boolean {
  if (req.httpVersionMajor !== 1) return true;
  const h = req.headers;
  if (h['transfer-encoding'] !== undefined) return true;
  const length = h['content-length'];
  return length !== undefined && length !== '0';
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

function headersToRaw(headers: Record<string, number | string | string[] | undefined>): RawHeaders {
  const out: RawHeaders = [];
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    if (Array.isArray(v)) for (const x of v) out.push([k, x]);
    else out.push([k, String(v)]);
  }
  return out;
}
