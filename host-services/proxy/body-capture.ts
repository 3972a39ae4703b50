// A bounded, decoded prefix of one message body, built from mockttp's raw `*-body-data` chunks.
//
// Why not mockttp's CompletedBody: it buffers the whole body in memory and silently turns into an
// empty body past `maxBodySize`. Here each chunk is fed, as it arrives, through a streaming decoder
// (gzip, deflate, br, zstd where this Node has it) and only the first `maxBytes` decoded bytes are
// kept; after that input is ignored and the part is marked truncated. Decoders use sync-flush
// finishing so a cut-off stream still yields what it decoded. A shared budget caps the bytes all
// in-flight captures may hold together, so a crowd of slow uploads cannot grow memory without bound.
import { Transform, type TransformCallback } from 'node:stream';
import * as zlib from 'node:zlib';

export interface CaptureBudget {
  /** bytes all live captures may hold together */
  readonly limit: number;
  used: number;
  /** captures cut short because the budget was exhausted */
  exhausted: number;
}

export function createCaptureBudget(limit: number): CaptureBudget {
  return { limit, used: 0, exhausted: 0 };
}

export interface CapturedBody {
  text: string;
  /** decoded bytes kept */
  bytes: number;
  /** cut at the scan bound (or the shared budget) */
  truncated: boolean;
  /** content-codings undone, outermost last as in the header, e.g. ['gzip'] */
  encodings: string[];
  /** a decoder failed; text is what decoded before the failure, or the raw head */
  decodeFailed: boolean;
}

type Decoder = Transform;

const RAW_HEAD_BYTES = 64 * 1024;

const zlibOpts = { finishFlush: zlib.constants.Z_SYNC_FLUSH };
const brotliOpts = { finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH };

/** zstd arrived in Node 22.15 / 23.8; on older runtimes a zstd body is scanned undecoded. */
const createZstd = (zlib as unknown as { createZstdDecompress?: () => Decoder }).createZstdDecompress;

/** `deflate` is zlib-wrapped by the RFC but raw in the wild: decide on the first bytes. */
class AutoInflate extends Transform {
  private inner: zlib.Inflate | zlib.InflateRaw | undefined;

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (!this.inner) {
      const b0 = chunk[0] ?? 0;
      const b1 = chunk[1];
      const wrapped = (b0 & 0x0f) === 8 && (b1 === undefined ? b0 === 0x78 : ((b0 << 8) | b1) % 31 === 0);
      this.inner = wrapped ? zlib.createInflate(zlibOpts) : zlib.createInflateRaw(zlibOpts);
      this.inner.on('data', (d: Buffer) => this.push(d));
      this.inner.on('error', (e) => this.destroy(e));
    }
    this.inner.write(chunk, () => cb());
  }

  override _flush(cb: TransformCallback): void {
    const inner = this.inner;
    if (!inner) return cb();
    inner.once('end', () => cb());
    inner.end();
  }

  override _destroy(err: Error | null, cb: (error: Error | null) => void): void {
    this.inner?.destroy();
    cb(err);
  }
}

function decoderFor(coding: string): Decoder | undefined {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return zlib.createGunzip(zlibOpts);
    case 'deflate':
      return new AutoInflate();
    case 'br':
      return zlib.createBrotliDecompress(brotliOpts);
    case 'zstd':
      return createZstd ? createZstd() : undefined;
    default:
      return undefined;
  }
}

/** Codings from a Content-Encoding header in the order they were applied. */
export function parseContentEncoding(header: string | string[] | undefined): string[] {
  const text = Array.isArray(header) ? header.join(',') : header ?? '';
  return text
    .split(',')
    .map((c) => c.trim().toLowerCase())
    .filter((c) => c !== '' && c !== 'identity');
}

export class BodyCapture {
  private readonly maxBytes: number;
  private readonly budget: CaptureBudget;
  private readonly chain: Decoder[] = [];
  private readonly encodings: string[] = [];
  private readonly out: Buffer[] = [];
  private outBytes = 0;
  private reserved = 0;
  private rawFed = 0;
  private readonly rawLimit: number;
  private rawHead: Buffer[] | undefined = [];
  private rawHeadBytes = 0;
  private truncated = false;
  private decodeFailed = false;
  private stopped = false;
  private settled: Promise<void> | undefined;
  private readonly onFull: (() => void) | undefined;

  /** `onFull` fires once when the bound is reached: nothing more will be kept, scan now. */
  constructor(opts: { contentEncoding?: string | string[]; maxBytes: number; budget: CaptureBudget; onFull?: () => void }) {
    this.maxBytes = opts.maxBytes;
    this.onFull = opts.onFull;
    this.budget = opts.budget;
    // A compressed prefix normally decodes to more than itself; this only bounds CPU on odd input.
    this.rawLimit = opts.maxBytes * 2 + RAW_HEAD_BYTES;
    // Most bodies carry no Content-Encoding: skip the parsing entirely (this runs per message).
    const codings = opts.contentEncoding === undefined ? [] : parseContentEncoding(opts.contentEncoding);
    const decoders = codings.length ? codings.map(decoderFor) : [];
    if (codings.length > 0 && codings.length <= 3 && decoders.every((d) => d !== undefined)) {
      // Applied first = undone last.
      for (let i = decoders.length - 1; i >= 0; i--) this.chain.push(decoders[i]!);
      this.encodings.push(...codings);
      for (let i = 0; i + 1 < this.chain.length; i++) this.chain[i]!.pipe(this.chain[i + 1]!);
      const last = this.chain[this.chain.length - 1]!;
      last.on('data', (d: Buffer) => this.keep(d));
      for (const d of this.chain) d.on('error', () => this.fail());
    } else {
      decoders.forEach((d) => d?.destroy());
      this.rawHead = undefined; // no decoder: the raw bytes are the text
    }
  }

  /** Feed one raw (still encoded) chunk. Never throws; ignores input past the bounds. */
  push(chunk: Uint8Array): void {
    if (this.stopped || chunk.length === 0) return;
    if (this.chain.length === 0) {
      this.keep(chunk);
      return;
    }
    if (this.rawFed >= this.rawLimit) {
      this.truncate();
      return;
    }
    const take = Math.min(chunk.length, this.rawLimit - this.rawFed);
    const piece = Buffer.from(chunk.subarray(0, take)); // copy: do not pin mockttp's batch buffer
    this.rawFed += take;
    if (this.rawHead && this.rawHeadBytes < RAW_HEAD_BYTES) {
      const head = piece.subarray(0, Math.min(piece.length, RAW_HEAD_BYTES - this.rawHeadBytes, this.maxBytes - this.rawHeadBytes));
      if (head.length > 0) {
        this.rawHead.push(head);
        this.rawHeadBytes += head.length;
      }
    }
    this.chain[0]!.write(piece);
  }

  /** The body ended (or was cut off): flush the decoders and return the captured text. */
  async finish(): Promise<CapturedBody> {
    if (!this.settled) this.settled = this.settle();
    await this.settled;
    return this.result();
  }

  /**
   * The same as finish(), without waiting, when there is nothing to flush (no decoder, or the
   * capture already stopped); undefined otherwise (then await finish()).
   */
  finishNow(): CapturedBody | undefined {
    if (this.settled || (this.chain.length > 0 && !this.stopped)) return undefined;
    this.stop();
    this.settled = Promise.resolve();
    return this.result();
  }

  private result(): CapturedBody {
    const useRaw = this.decodeFailed && this.outBytes === 0 && this.rawHead !== undefined && this.rawHeadBytes > 0;
    const bytes = useRaw ? Buffer.concat(this.rawHead!) : Buffer.concat(this.out);
    // The caller owns the text now; a long-lived exchange must not pin the chunks too.
    this.out.length = 0;
    this.rawHead = undefined;
    this.release();
    return {
      text: bytes.toString('utf8'),
      bytes: bytes.length,
      truncated: this.truncated,
      encodings: useRaw ? [] : [...this.encodings],
      decodeFailed: this.decodeFailed,
    };
  }

  /** Drop everything (monitor stopping, or the message vanished). */
  dispose(): void {
    this.stop();
    this.out.length = 0;
    this.rawHead = undefined;
    this.release();
  }

  private settle(): Promise<void> {
    if (this.chain.length === 0 || this.stopped) {
      this.stop();
      return Promise.resolve();
    }
    const last = this.chain[this.chain.length - 1]!;
    return new Promise<void>((resolve) => {
      const done = (): void => resolve();
      last.once('end', done);
      last.once('close', done);
      for (const d of this.chain) d.once('error', done);
      // A decoder that needs more input than it will get still ends: sync-flush finishing.
      this.chain[0]!.end();
    }).then(() => this.stop());
  }

  private keep(data: Uint8Array): void {
    if (this.stopped) return;
    // Decoded output exists: the raw head is no longer needed as a fallback.
    if (this.rawHead && data.length > 0) this.rawHead = undefined;
    const room = this.maxBytes - this.outBytes;
    let take = Math.min(data.length, room);
    const budgetRoom = this.budget.limit - this.budget.used;
    if (take > budgetRoom) {
      take = Math.max(0, budgetRoom);
      this.budget.exhausted++;
      this.truncated = true;
    }
    if (take > 0) {
      this.out.push(Buffer.from(data.subarray(0, take)));
      this.outBytes += take;
      this.reserved += take;
      this.budget.used += take;
    }
    // Exactly maxBytes is not a cut: only data past the bound marks the part truncated.
    if (take < data.length) this.truncate();
  }

  private truncate(): void {
    if (this.stopped) return;
    this.truncated = true;
    this.stop();
    if (this.onFull) queueMicrotask(this.onFull); // never re-enter the caller's push()
  }

  private fail(): void {
    this.decodeFailed = true;
    this.stop();
  }

  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    for (const d of this.chain) d.destroy();
  }

  private release(): void {
    this.budget.used -= this.reserved;
    this.reserved = 0;
  }
}
