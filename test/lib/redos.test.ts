// Every pattern's regex on hostile 1 MiB inputs must stay linear. A catastrophic pattern
// takes seconds to forever on these inputs, so a generous ceiling separates linear from
// super-linear without being a speed target (speed targets live in `npm run bench`).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PATTERNS } from '../../lib/patterns/registry.ts';
import { compilePatterns } from '../../lib/scan/compile.ts';
import { hostileInputsFor } from './hostile-inputs.ts';

const CEILING_MS = 1500;

for (const c of compilePatterns([...PATTERNS])) {
  test(`regex ${c.record.id} stays linear on hostile 1 MiB inputs`, () => {
    for (const { name, text } of hostileInputsFor(c.record)) {
      const re = new RegExp(c.regex.source, c.regex.flags);
      const t0 = performance.now();
      let n = 0;
      for (let m = re.exec(text); m !== null && n < 100_000; m = re.exec(text)) {
        n++;
        if (m[0].length === 0) re.lastIndex++;
      }
      const ms = performance.now() - t0;
      assert.ok(ms < CEILING_MS, `${c.record.id} took ${ms.toFixed(0)} ms on "${name}"`);
    }
  });
}
