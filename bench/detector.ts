// Detector throughput (MB/s per core on benign JSON, HTML and code, both directions) and the
// worst single 1 MiB input, hostile ones included.
import { Scanner } from '../lib/scan/scanner.ts';
import { PATTERNS } from '../lib/patterns/registry.ts';
import type { Direction } from '../lib/finding.ts';
import { benignCode, benignHtml, benignJson } from './corpus.ts';
import { hostileInputsFor, MIB } from '../test/lib/hostile-inputs.ts';
import { fakeToken } from '../lib/patterns/fake.ts';

function scanOnce(scanner: Scanner, direction: Direction, text: string): number {
  const t0 = performance.now();
  scanner.scan({ direction, protocol: 'http', platform: 'openclaw', source: '127.0.0.1', dest: 'bench.test:80', parts: [{ location: 'body', text }] });
  return performance.now() - t0;
}

export function benchDetector(scanner = new Scanner({ patterns: [...PATTERNS] })): Record<string, number | string> {
  const corpora: Record<string, string> = { json: benignJson(MIB), html: benignHtml(MIB), code: benignCode(MIB) };
  const out: Record<string, number | string> = { patterns: PATTERNS.length };
  for (const [name, text] of Object.entries(corpora)) {
    for (const dir of ['outbound', 'inbound'] as const) {
      scanOnce(scanner, dir, text); // warm-up
      const runs = 5;
      let total = 0;
      for (let i = 0; i < runs; i++) total += scanOnce(scanner, dir, text);
      const mbPerS = (text.length / (1024 * 1024)) / (total / runs / 1000);
      out[`throughput_${name}_${dir}_MBps`] = Number(mbPerS.toFixed(1));
    }
  }
  // issue 6: the same throughput with 50 known secrets loaded
  const withKnown = new Scanner({
    patterns: [...PATTERNS],
    knownSecrets: Array.from({ length: 50 }, (_, i) => ({ name: `SECRET_${i}`, value: fakeToken(`bench-known-${i}`, 20 + (i % 30)) })),
  });
  for (const [name, text] of Object.entries(corpora)) {
    scanOnce(withKnown, 'outbound', text);
    let total = 0;
    for (let i = 0; i < 5; i++) total += scanOnce(withKnown, 'outbound', text);
    out[`throughput_${name}_outbound_50_known_secrets_MBps`] = Number((text.length / MIB / (total / 5 / 1000)).toFixed(1));
  }
  let worst = 0;
  let worstName = '';
  for (const p of PATTERNS) {
    for (const h of hostileInputsFor(p)) {
      for (const dir of ['outbound', 'inbound'] as const) {
        const ms = scanOnce(scanner, dir, h.text);
        if (ms > worst) {
          worst = ms;
          worstName = `${p.id} / ${h.name} / ${dir}`;
        }
      }
    }
  }
  out.worst_1MiB_ms = Number(worst.toFixed(1));
  out.worst_1MiB_input = worstName;
  return out;
}
