// `npm run bench`: prints one JSON object of numbers comparable run to run. Speed targets
// live here, not in tests (machines are shared and noisy). Sections can be chosen:
// `npm run bench -- detector` or `npm run bench -- proxy`.
import { benchDetector } from './detector.ts';

const wanted = new Set(process.argv.slice(2));
const all = wanted.size === 0;
const results: Record<string, unknown> = {
  node: process.version,
  date: new Date().toISOString(),
};

if (all || wanted.has('detector')) {
  process.stderr.write('bench: detector throughput and hostile inputs...\n');
  results.detector = benchDetector();
}
if (all || wanted.has('proxy')) {
  try {
    const { benchProxy } = await import('./proxy.ts');
    const { realDetector } = await import('./real-inspect.ts');
    process.stderr.write('bench: proxy latency, throughput, SSE, memory (with the real detector)...\n');
    const detector = realDetector();
    try {
      results.proxy = await benchProxy(detector.inspect, { childInspectModule: new URL('./real-inspect.ts', import.meta.url).pathname });
    } finally {
      detector.cleanup();
    }
  } catch (err) {
    results.proxy = { error: (err as Error).message };
  }
}
console.log(JSON.stringify(results, null, 2));
