// The one door from the proxy to the detector. Every ScanRequest goes through `deliver`, which
// counts what is scanned and turns a detector exception (or rejected promise) into a counted fault:
// a detector bug must never break traffic or stop the monitor.
import type { Platform } from '../../lib/finding.ts';
import type { ScanRequest } from '../../lib/scan/types.ts';
import type { CaptureBudget } from './body-capture.ts';
import type { Counters } from './faults.ts';

export type Inspect = (req: ScanRequest) => void;

export interface Sink {
  platform: Platform;
  maxScanBytes: number;
  budget: CaptureBudget;
  counters: Counters;
  deliver(req: ScanRequest): void;
}

export function createSink(opts: { platform: Platform; maxScanBytes: number; budget: CaptureBudget; counters: Counters; inspect: Inspect }): Sink {
  const { counters, inspect } = opts;
  return {
    platform: opts.platform,
    maxScanBytes: opts.maxScanBytes,
    budget: opts.budget,
    counters,
    deliver(req) {
      for (const p of req.parts) counters.stats.bytes_scanned += p.text.length;
      try {
        const result: unknown = inspect(req);
        if (result && typeof (result as Promise<unknown>).then === 'function') {
          (result as Promise<unknown>).then(undefined, (err: unknown) => counters.fault('detector_errors', errorCode(err)));
        }
      } catch (err) {
        counters.fault('detector_errors', errorCode(err));
      }
    },
  };
}

/** An error's code or class name, never its message (messages can quote traffic). */
export function errorCode(err: unknown): string | undefined {
  if (err && typeof err === 'object') {
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    const name = (err as { name?: unknown }).name;
    if (typeof name === 'string') return name;
  }
  return undefined;
}
