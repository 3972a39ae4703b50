#!/usr/bin/env node
// Runs every test under test/ with node:test + tsx.
// Node 20 does not expand quoted globs and exits 0 when it finds no .ts test, so the file
// list is built here and the run fails when zero tests executed.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { tmpdir } from 'node:os';

const root = new URL('..', import.meta.url).pathname;
const filter = process.argv.slice(2);

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'fixtures') continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) out.push(...walk(full));
    else if (name.endsWith('.test.ts')) out.push(full);
  }
  return out;
}

let files = walk(join(root, 'test')).sort();
if (filter.length) files = files.filter((f) => filter.some((p) => relative(root, f).includes(p)));
if (files.length === 0) {
  console.error('run-tests: no test files found under test/ (expected *.test.ts)');
  process.exit(1);
}

const scratch = mkdtempSync(join(tmpdir(), 'ctg-tests-'));
const tap = join(scratch, 'report.tap');
const result = spawnSync(
  process.execPath,
  [
    '--import', 'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-reporter=spec', '--test-reporter-destination=stdout',
    '--test-reporter=tap', `--test-reporter-destination=${tap}`,
    ...files,
  ],
  { cwd: root, stdio: 'inherit', env: { ...process.env, CLAWSEC_TG_UNDER_TEST: '1', CLAWSEC_TG_TEST_RUN: scratch } },
);

// A test that leaves a monitor running (a bug in that test) must not leave it to CI: any
// guardian process started from the temp dir by this run (it inherited this run's marker in
// its environment; another run's processes are not ours) is stopped here, and the run says so.
function reapLeftovers() {
  const tmp = tmpdir();
  let killed = 0;
  let entries = [];
  try {
    entries = readdirSync('/proc');
  } catch {
    return 0;
  }
  for (const e of entries) {
    const pid = Number(e);
    if (!Number.isInteger(pid) || pid === process.pid) continue;
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
      if (!cmd.some((a) => a.includes('clawsec-traffic-guardian')) || !cmd.some((a) => a.startsWith(tmp + '/'))) continue;
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      if (env.includes(`CLAWSEC_TG_TEST_RUN=${scratch}`)) {
        process.kill(pid, 'SIGKILL');
        killed++;
      }
    } catch {
      // gone, or not ours to read
    }
  }
  return killed;
}
const leftovers = reapLeftovers();
if (leftovers) console.error(`run-tests: stopped ${leftovers} guardian process(es) that tests left running`);

let passed = 0;
let failed = 0;
try {
  const report = readFileSync(tap, 'utf8');
  passed = Number(/^# pass (\d+)/m.exec(report)?.[1] ?? 0);
  failed = Number(/^# fail (\d+)/m.exec(report)?.[1] ?? 0);
} catch {
  // no report: treated as zero tests below
}
rmSync(scratch, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
if (passed + failed === 0) {
  console.error('run-tests: zero tests ran; failing on purpose');
  process.exit(1);
}
process.exit(result.status === 0 && failed === 0 ? 0 : 1);
