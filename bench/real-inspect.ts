// The real detector (scanner -> dedup -> findings log) as the proxy bench's `inspect`, on a
// temporary home, so the guardian-vs-bare ratio includes detection, not only forwarding.
// Used in-process by bench/run.ts and loaded by the proxy bench's memory child.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { homeLayout } from '../lib/home-layout.ts';
import { createDetectorSink, type DetectorSink } from '../host-services/detector-sink.ts';
import type { ScanRequest } from '../lib/scan/types.ts';

export interface RealDetector {
  sink: DetectorSink;
  inspect: (req: ScanRequest) => void;
  cleanup: () => void;
}

export function realDetector(): RealDetector {
  const home = mkdtempSync(join(tmpdir(), 'ctg-bench-home-'));
  const sink = createDetectorSink({
    layout: homeLayout(home),
    config: { max_scan_bytes: 1024 * 1024, dedup_window_ms: 60_000, log: { dir: join(home, 'logs'), max_bytes: 10 * 1024 * 1024, max_files: 2 } },
    platform: 'openclaw',
  });
  return {
    sink,
    inspect: (req) => sink.inspect(req),
    cleanup: () => {
      sink.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

// for the memory child (a module path, not a function, crosses the process boundary)
let child: RealDetector | undefined;
export default function inspect(req: ScanRequest): void {
  if (!child) {
    child = realDetector();
    process.once('exit', () => child?.cleanup());
  }
  child.inspect(req);
}
