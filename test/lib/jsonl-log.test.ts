import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { FindingsLog, logOptionProblems, rotatedLogPath } from '../../lib/log/jsonl-writer.ts';
import { findingsLogFiles, readFindings, summarizeFindings } from '../../lib/log/jsonl-reader.ts';
import { FINDING_BASE_FIELDS, orderFinding, type Finding } from '../../lib/finding.ts';
import { GuardianError } from '../../lib/errors.ts';
import { sampleFinding } from '../support/findings.ts';

const run = promisify(execFile);
const childScript = new URL('../fixtures/log-writer-child.ts', import.meta.url).pathname;
const T0 = Date.parse('2026-04-26T00:00:00.000Z');
const KiB = 1024;

function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'ctg-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

function mk(seq: number, over: Partial<Finding> = {}): Finding {
  return {
    // extras first on purpose: the writer must put base fields first
    rule_id: 'ai_api_key/anthropic',
    ...sampleFinding({ snippet: `seq=${seq} x-api-key: sk-ant-[REDACTED]`, timestamp: new Date(T0 + seq * 1000).toISOString() }),
    ...over,
  };
}

const seqOf = (f: Finding): number => Number(/seq=(\d+)/.exec(f.snippet)?.[1]);
const rawLines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

test('writer: dir 0700, file 0600, one JSON line per finding with base fields first', (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'logs', 'findings.jsonl');
  const log = new FindingsLog(logPath);
  t.after(() => log.close());
  assert.deepEqual(log.append(mk(1)), { ok: true, rotated: false });
  assert.deepEqual(log.append(mk(2)), { ok: true, rotated: false });
  assert.equal(statSync(join(dir, 'logs')).mode & 0o777, 0o700);
  assert.equal(statSync(logPath).mode & 0o777, 0o600);
  const lines = rawLines(logPath);
  assert.equal(lines.length, 2);
  const keys = Object.keys(JSON.parse(lines[0]!));
  assert.deepEqual(keys.slice(0, FINDING_BASE_FIELDS.length), [...FINDING_BASE_FIELDS]);
  assert.equal(keys.at(-1), 'rule_id');
  assert.equal(log.stats().written, 2);
  assert.equal(log.lastError, null);
});

test('writer: a pre-existing looser log file is tightened to 0600 and appended to', (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'findings.jsonl');
  writeFileSync(logPath, JSON.stringify(mk(0)) + '\n', { mode: 0o644 });
  chmodSync(logPath, 0o644);
  const log = new FindingsLog(logPath);
  t.after(() => log.close());
  assert.equal(log.append(mk(1)).ok, true);
  assert.equal(statSync(logPath).mode & 0o777, 0o600);
  assert.equal(rawLines(logPath).length, 2);
});

test('writer: an invalid finding is rejected without throwing and without echoing its content', (t) => {
  const dir = tempDir(t);
  const log = new FindingsLog(join(dir, 'findings.jsonl'));
  t.after(() => log.close());
  const bad = { ...mk(1), severity: 'sk-leaky-value' } as unknown as Finding;
  const r = log.append(bad);
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.fault.kind === 'invalid');
  assert.match(log.lastError!.message, /severity/);
  assert.ok(!log.lastError!.message.includes('sk-leaky-value'));
  assert.equal(log.stats().invalidFindings, 1);
  assert.equal(existsSync(join(dir, 'findings.jsonl')), false, 'nothing written');
});

test('writer: size and retention bounds are validated (64 KiB..1 GiB, 1..100)', () => {
  assert.throws(() => new FindingsLog('/nonexistent/f.jsonl', { maxBytes: 1000 }), (e: unknown) => e instanceof GuardianError && e.code === 'CONFIG_INVALID' && e.problems[0]?.path === 'log_max_bytes');
  assert.throws(() => new FindingsLog('/nonexistent/f.jsonl', { maxFiles: 0 }), GuardianError);
  assert.throws(() => new FindingsLog('/nonexistent/f.jsonl', { maxFiles: 101 }), GuardianError);
  assert.throws(() => new FindingsLog('/nonexistent/f.jsonl', { maxBytes: 2 * 1024 ** 3 }), GuardianError);
  assert.deepEqual(logOptionProblems({ maxBytes: 64 * KiB, maxFiles: 100 }), []);
  assert.deepEqual(logOptionProblems({ maxBytes: 1.5, maxFiles: 'x' }).map((p) => p.path), ['log_max_bytes', 'log_max_files']);
});

test('writer: rotation keeps at most maxFiles rotated files, drops only the oldest, never splits a line', async (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'findings.jsonl');
  const maxBytes = 64 * KiB;
  const log = new FindingsLog(logPath, { maxBytes, maxFiles: 2 });
  t.after(() => log.close());
  const pad = 'z'.repeat(900);
  const N = 400; // ~1.2 KiB per line: about 7 rotations
  for (let i = 0; i < N; i++) assert.equal(log.append(mk(i, { rule_id: pad })).ok, true);
  assert.ok(log.stats().rotations >= 5, `rotated ${log.stats().rotations} times`);
  assert.deepEqual(readdirSync(dir).sort(), ['findings.jsonl', 'findings.jsonl.1', 'findings.jsonl.2']);
  assert.deepEqual(findingsLogFiles(logPath), [rotatedLogPath(logPath, 2), rotatedLogPath(logPath, 1), logPath]);

  for (const file of findingsLogFiles(logPath)) {
    assert.ok(statSync(file).size <= maxBytes, `${file} within maxBytes`);
    for (const line of rawLines(file)) JSON.parse(line); // every line whole
  }
  const { findings, total, skippedLines } = await readFindings(logPath);
  assert.equal(skippedLines, 0);
  assert.equal(total, findings.length);
  const seqs = findings.map(seqOf);
  assert.equal(seqs.at(-1), N - 1, 'newest line kept');
  assert.ok(seqs[0]! > 0, 'oldest lines dropped by retention');
  seqs.forEach((s, i) => assert.equal(s, seqs[0]! + i, 'kept lines are contiguous and in order'));
});

test('writer: 4 processes x 500 lines with rotation: every line whole, none lost', async (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'logs', 'findings.jsonl');
  const maxBytes = 64 * KiB;
  const CHILDREN = 4;
  const PER_CHILD = 500;
  const startAt = Date.now() + 2000; // every child has loaded tsx and is waiting
  const results = await Promise.all(
    Array.from({ length: CHILDREN }, (_, id) =>
      run(process.execPath, ['--import', 'tsx', childScript, logPath, String(id), String(PER_CHILD), String(maxBytes), '100', String(startAt)], {
        timeout: 60_000,
      }),
    ),
  );
  const rotations = results.reduce((n, r) => n + (JSON.parse(r.stdout) as { rotations: number }).rotations, 0);

  const files = findingsLogFiles(logPath);
  assert.ok(files.length >= 10, `expected many rotated files, got ${files.length}`);
  assert.equal(rotations, files.length - 1, 'every rotation accounted for');
  assert.equal(existsSync(logPath + '.lock'), false, 'lock released');
  const seen = new Set<string>();
  let longest = 0;
  for (const file of files) {
    assert.equal(statSync(file).mode & 0o777, 0o600);
    for (const line of rawLines(file)) {
      longest = Math.max(longest, Buffer.byteLength(line) + 1);
      const f = JSON.parse(line) as Finding; // throws on a torn or interleaved line
      const key = /child=(\d+) seq=(\d+)/.exec(f.snippet)!.slice(1).join(':');
      assert.ok(!seen.has(key), `duplicate ${key}`);
      seen.add(key);
    }
  }
  assert.equal(seen.size, CHILDREN * PER_CHILD, 'every line arrived exactly once');
  for (const file of files) {
    const size = statSync(file).size;
    // a writer that checked just before another rotated may finish its line in the rotated file
    assert.ok(size <= maxBytes + CHILDREN * longest, `${file} near maxBytes`);
    // a rotated file was full: two writers racing to rotate must not rotate a fresh file again
    if (file !== logPath) assert.ok(size + longest > maxBytes, `${file} rotated while only ${size} bytes`);
  }

  const read = await readFindings(logPath);
  assert.equal(read.total, CHILDREN * PER_CHILD);
  assert.equal(read.skippedLines, 0);
});

test('writer: a failing path (parent is a regular file: ENOTDIR) never throws, is counted, and recovers', (t) => {
  const dir = tempDir(t);
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, 'x');
  const logPath = join(blocker, 'logs', 'findings.jsonl');
  const log = new FindingsLog(logPath);
  t.after(() => log.close());
  const r1 = log.append(mk(1));
  assert.equal(r1.ok, false);
  assert.ok(!r1.ok && r1.fault.kind === 'write' && r1.fault.errno === 'ENOTDIR');
  assert.equal(log.append(mk(2)).ok, false);
  assert.equal(log.failedWrites, 2);
  assert.equal(log.lastError?.errno, 'ENOTDIR');
  assert.match(log.lastError!.message, /not-a-dir/);
  assert.ok(!log.lastError!.message.includes('sk-ant'), 'no finding content in the fault');
  assert.match(log.lastError!.at, /^\d{4}-\d{2}-\d{2}T/);

  rmSync(blocker); // the operator fixes the disk: the next append works again
  assert.equal(log.append(mk(3)).ok, true);
  assert.equal(rawLines(logPath).length, 1);
  assert.equal(log.stats().written, 1);
});

test('writer: a directory at the log path (EISDIR) is reported, not thrown', (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'findings.jsonl');
  mkdirSync(logPath);
  const log = new FindingsLog(logPath);
  const r = log.append(mk(1));
  assert.equal(r.ok, false);
  assert.ok(!r.ok && r.fault.kind === 'write' && typeof r.fault.errno === 'string');
  assert.equal(log.failedWrites, 1);
});

test('writer: a file size limit (RLIMIT_FSIZE: short write, then EFBIG) never kills or throws, counts every lost line, and a later writer does not glue onto the fragment', async (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'logs', 'findings.jsonl');
  const COUNT = 200; // ~100 KiB of lines against a limit of 8 or 16 KiB (sh counts 512- or 1024-byte blocks)
  // The writer runs in a child with a real file size limit: the kernel cuts the write that
  // crosses it short and answers later ones with EFBIG (SIGXFSZ is ignored by Node). Its own
  // TMPDIR: tsx's compile cache written under the limit would be cut short too.
  const childTmp = join(dir, 'tmp');
  mkdirSync(childTmp);
  let stdout = '';
  let code = 0;
  try {
    ({ stdout } = await run('sh', ['-c', 'ulimit -f 16 && exec "$@"', 'sh', process.execPath, '--import', 'tsx', childScript, logPath, '0', String(COUNT), String(1024 * KiB), '5', '0'], {
      timeout: 60_000,
      env: { ...process.env, TMPDIR: childTmp },
    }));
  } catch (err) {
    const e = err as { code?: number; signal?: string; stdout?: string; stderr?: string };
    assert.equal(e.signal ?? null, null, `the writer was killed (${e.signal}): ${e.stderr}`);
    code = e.code ?? -1;
    stdout = e.stdout ?? '';
  }
  assert.equal(code, 1, 'the child reports failed appends by its exit code, it did not crash');
  type Fault = { kind: string; errno?: string } | null;
  const stats = JSON.parse(stdout) as { written: number; failedWrites: number; lastError: Fault; firstError: Fault };
  assert.ok(stats.written > 0, 'lines before the limit were written');
  assert.ok(stats.failedWrites > 0, 'lines past the limit failed');
  assert.equal(stats.written + stats.failedWrites, COUNT, 'every line is either written or counted as failed');
  assert.equal(stats.lastError?.kind, 'write');
  // the first failure is the line the limit cut short: it too names the real cause, not EIO
  assert.equal(stats.firstError?.errno, 'EFBIG');
  assert.equal(stats.lastError?.errno, 'EFBIG');

  const raw = readFileSync(logPath, 'utf8');
  assert.ok(raw.length <= 16 * KiB);
  assert.ok(!raw.endsWith('\n'), 'the limit cut a line: a fragment is left at the end');
  const before = await readFindings(logPath);
  assert.equal(before.total, stats.written, 'every line counted as written is whole and readable');
  assert.equal(before.skippedLines, 1, 'only the fragment is unreadable');

  // space is back (a process without the limit): its first line starts on a fresh line
  const log = new FindingsLog(logPath);
  t.after(() => log.close());
  assert.equal(log.append(mk(999)).ok, true);
  const lastRaw = readFileSync(logPath, 'utf8').split('\n').filter((l) => l !== '').at(-1)!;
  assert.equal(seqOf(JSON.parse(lastRaw) as Finding), 999, 'the new line is a line of its own (jq, grep and tail see it whole)');
  const after = await readFindings(logPath);
  assert.equal(after.total, stats.written + 1, 'the new line is not glued to the fragment');
  assert.equal(seqOf(after.findings.at(-1)!), 999);
  assert.equal(after.skippedLines, 1);
});

test('reader: a torn last line, garbage, schema-invalid and oversized lines are skipped and counted', async (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'findings.jsonl');
  const log = new FindingsLog(logPath);
  log.append(mk(0));
  log.append(mk(1));
  log.close();
  appendFileSync(logPath, 'garbage that is not json\n');
  appendFileSync(logPath, JSON.stringify({ hello: 'world' }) + '\n');
  appendFileSync(logPath, JSON.stringify(mk(2, { snippet: 'seq=2 ' + 'y'.repeat(5000) })) + '\n');
  appendFileSync(logPath, '\n');
  const log2 = new FindingsLog(logPath);
  log2.append(mk(3));
  log2.close();
  const full = JSON.stringify(mk(4));
  appendFileSync(logPath, full.slice(0, full.length - 20)); // torn: the writer died mid-line

  const r = await readFindings(logPath, { maxLineBytes: 4096 });
  assert.deepEqual(r.findings.map(seqOf), [0, 1, 3]);
  assert.equal(r.skippedLines, 4, 'garbage + invalid + oversized + torn tail');
  assert.equal(r.total, 3);
  assert.equal(r.truncated, false);
});

test('reader: a torn line followed by a complete line on the same line is recovered', async (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'findings.jsonl');
  // as the writer serialises them (schema_version first), which is what recovery keys on
  const line = (f: Finding): string => JSON.stringify(orderFinding(f));
  writeFileSync(logPath, line(mk(0)).slice(0, 60) + line(mk(1)) + '\n' + line(mk(2)) + '\n');
  const r = await readFindings(logPath);
  assert.deepEqual(r.findings.map(seqOf), [1, 2]);
  assert.equal(r.skippedLines, 1);
});

test('reader: rotated files oldest first; since/type/severity/agent filters; limit keeps the newest N', async (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'findings.jsonl');
  const line = (f: Finding): string => JSON.stringify(f) + '\n';
  writeFileSync(rotatedLogPath(logPath, 2), line(mk(0, { severity: 'low' })) + line(mk(1)));
  writeFileSync(rotatedLogPath(logPath, 1), line(mk(2, { direction: 'inbound', threat_type: 'INJECTION', pattern: 'pipe_to_shell', severity: 'critical' })));
  writeFileSync(logPath, line(mk(3, { agent: 'main' })) + line(mk(4, { severity: 'medium', agent: 'main' })) + line(mk(5, { severity: 'critical' })));
  writeFileSync(logPath + '.lock', '123\n'); // not a log file
  writeFileSync(logPath + '.bak', 'x\n');

  const all = await readFindings(logPath);
  assert.deepEqual(all.findings.map(seqOf), [0, 1, 2, 3, 4, 5]);
  assert.equal(all.skippedLines, 0);

  const since = await readFindings(logPath, { since: new Date(T0 + 3000).toISOString() });
  assert.deepEqual(since.findings.map(seqOf), [3, 4, 5]);
  const inj = await readFindings(logPath, { threatType: 'INJECTION' });
  assert.deepEqual(inj.findings.map(seqOf), [2]);
  const high = await readFindings(logPath, { minSeverity: 'high' });
  assert.deepEqual(high.findings.map(seqOf), [1, 2, 3, 5]);
  const agent = await readFindings(logPath, { agent: 'main' });
  assert.deepEqual(agent.findings.map(seqOf), [3, 4]);

  const limited = await readFindings(logPath, { limit: 2 });
  assert.deepEqual(limited.findings.map(seqOf), [4, 5], 'newest 2, oldest first');
  assert.equal(limited.total, 6);
  assert.equal(limited.truncated, true);
  const combined = await readFindings(logPath, { threatType: 'EXFIL', minSeverity: 'medium', limit: 3 });
  assert.deepEqual(combined.findings.map(seqOf), [3, 4, 5]);
  assert.equal(combined.total, 4);
  const exact = await readFindings(logPath, { limit: 6 });
  assert.equal(exact.truncated, false);

  await assert.rejects(readFindings(logPath, { since: 'yesterday-ish' }), (e: unknown) => e instanceof GuardianError && e.code === 'USAGE');
  await assert.rejects(readFindings(logPath, { limit: 0 }), GuardianError);
});

test('reader: a missing log or log dir is an empty result, not an error', async (t) => {
  const dir = tempDir(t);
  const r = await readFindings(join(dir, 'nope', 'findings.jsonl'), { limit: 5 });
  assert.deepEqual(r, { findings: [], total: 0, skippedLines: 0, truncated: false });
  const s = await summarizeFindings(join(dir, 'findings.jsonl'));
  assert.equal(s.total, 0);
  assert.deepEqual(s.last, []);
});

test('summarizeFindings: totals by type and severity, occurrences from count, newest 5 oldest first', async (t) => {
  const dir = tempDir(t);
  const logPath = join(dir, 'findings.jsonl');
  const log = new FindingsLog(logPath);
  t.after(() => log.close());
  for (let i = 0; i < 7; i++) log.append(mk(i, { count: i === 6 ? 4 : 1 }));
  log.append(mk(7, { direction: 'inbound', threat_type: 'INJECTION', pattern: 'reverse_shell', severity: 'critical' }));
  appendFileSync(logPath, '{"torn":');
  const s = await summarizeFindings(logPath);
  assert.equal(s.total, 8);
  assert.equal(s.occurrences, 11);
  assert.deepEqual(s.byType, { EXFIL: 7, INJECTION: 1 });
  assert.deepEqual(s.bySeverity, { low: 0, medium: 0, high: 7, critical: 1 });
  assert.deepEqual(s.last.map(seqOf), [3, 4, 5, 6, 7]);
  assert.equal(s.skippedLines, 1);
});
