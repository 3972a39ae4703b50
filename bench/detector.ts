// Detector throughput (MB/s per core on benign JSON, HTML and code, both directions) and the
// worst single 1 MiB input, hostile ones included. The machine is shared: each number is
// given as the median of RUNS scans and as the best one (what one core does when it is not
// interrupted); compare like with like from run to run.
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

const RUNS = 9;

/** median and best of RUNS timings, after one warm-up, as MB/s */
function throughput(scanner: Scanner, dir: Direction, text: string): { median: number; best: number } {
  for (let i = 0; i < 3; i++) scanOnce(scanner, dir, text); // warm-up: let the JIT settle
  const ms = Array.from({ length: RUNS }, () => scanOnce(scanner, dir, text)).sort((a, b) => a - b);
  const rate = (t: number): number => Number((text.length / MIB / (t / 1000)).toFixed(1));
  return { median: rate(ms[Math.floor(RUNS / 2)] as number), best: rate(ms[0] as number) };
}

export function benchDetector(scanner = new Scanner({ patterns: [...PATTERNS] })): Record<string, number | string> {
  const corpora: Record<string, string> = { json: benignJson(MIB), html: benignHtml(MIB), code: benignCode(MIB) };
  const out: Record<string, number | string> = { patterns: PATTERNS.length, runs_per_number: RUNS };
  for (const [name, text] of Object.entries(corpora)) {
    for (const dir of ['outbound', 'inbound'] as const) {
      const t = throughput(scanner, dir, text);
      out[`throughput_${name}_${dir}_MBps`] = t.median;
      out[`throughput_${name}_${dir}_best_MBps`] = t.best;
    }
  }
  // issue 6: the same throughput with 50 known secrets loaded
  const withKnown = new Scanner({
    patterns: [...PATTERNS],
    knownSecrets: Array.from({ length: 50 }, (_, i) => ({ name: `SECRET_${i}`, value: fakeToken(`bench-known-${i}`, 20 + (i % 30)) })),
  });
  for (const [name, text] of Object.entries(corpora)) {
    const t = throughput(withKnown, 'outbound', text);
    out[`throughput_${name}_outbound_50_known_secrets_MBps`] = t.median;
    out[`throughput_${name}_outbound_50_known_secrets_best_MBps`] = t.best;
  }
  let worst = 0;
  let worstName = '';
  for (const p of PATTERNS) {
    for (const h of hostileInputsFor(p)) {
      for (const dir of ['outbound', 'inbound'] as const) {
        // best of two: one input's time, not a neighbour's burst of CPU
        const ms = Math.min(scanOnce(scanner, dir, h.text), scanOnce(scanner, dir, h.text));
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
