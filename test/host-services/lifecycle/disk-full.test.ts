// A monitor whose findings log cannot be written keeps forwarding traffic, keeps running, and
// shows the fault in `status` (text and --json); every finding it could not log is counted.
// Two real causes, no mocks:
//   - a file size limit (`ulimit -f`, RLIMIT_FSIZE): the log is cut at the limit (EFBIG);
//     runs anywhere with a POSIX sh
//   - a full disk (ENOSPC): the home is a tiny tmpfs mounted in a private mount namespace
//     (`unshare -rm`), so the state file cannot be replaced either; skipped where user
//     namespaces are not available
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { spawnSync } from 'node:child_process';
import { closeSync, mkdirSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, unlinkSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeKey, proxiedPost, Sandbox, sampleState, waitFor, BIN, type Run } from './helpers.ts';
import { killIfRunning, pidAlive, runProcess, spawnCollecting, type CollectingChild } from '../../support/processes.ts';
import { currentIdentity } from '../../../host-services/lifecycle/process-identity.ts';
import { ensureRunDir, readState, writeState } from '../../../host-services/lifecycle/run-files.ts';

const stateWriterChild = new URL('../../fixtures/state-writer-child.ts', import.meta.url).pathname;
const REPO = new URL('../../../', import.meta.url).pathname;

const SLOW = { timeout: 240_000 };

/** `unshare -rm` + a tmpfs mount works here (Linux with unprivileged user namespaces, or root). */
function privateTmpfsWorks(): string | false {
  if (process.platform !== 'linux') return 'needs Linux mount namespaces';
  for (const tool of ['unshare', 'nsenter']) {
    if (spawnSync(tool, ['--version'], { stdio: 'ignore' }).status !== 0) return `${tool} is missing`;
  }
  const dir = mkdtempSync(join(tmpdir(), 'ctg-ns-probe-'));
  try {
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs "$1"', 'sh', dir], { stdio: 'ignore', timeout: 10_000 });
    return r.status === 0 ? false : 'unprivileged user namespaces (unshare -rm) are not available';
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface Monitor {
  child: CollectingChild;
  status: Record<string, any>;
}

/** Spawns `cmd args`, tracked by the sandbox (SIGKILL at cleanup if still running). */
function spawnTracked(sb: Sandbox, cmd: string, args: string[], env: NodeJS.ProcessEnv): CollectingChild {
  const child = spawnCollecting(cmd, args, { env, cwd: sb.root });
  sb.onCleanup(() => killIfRunning(child));
  return child;
}

/** A foreground monitor (`start --foreground --json`): waits for its one status line. */
async function foregroundMonitor(sb: Sandbox, cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<Monitor> {
  const child = spawnTracked(sb, cmd, args, env);
  await waitFor('the monitor status line', () => {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`monitor exited early (${child.exitCode ?? child.signalCode}): ${child.out.stderr}`);
    return child.out.stdout.endsWith('\n');
  });
  const status = JSON.parse(child.out.stdout) as Record<string, any>;
  assert.equal(status.running, true);
  assert.equal(status.pid, child.pid, 'exec chain: the spawned pid is the monitor');
  return { child, status };
}

function runTo(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<Run> {
  return runProcess(cmd, args, { env, cwd });
}

/**
 * Sends `n` requests, each with a different key (no dedup), all must be forwarded: returns
 * how many the upstream saw.
 */
async function leakMany(port: number, up: { port: number; hits: number }, seed: string, n: number): Promise<void> {
  const before = up.hits;
  for (let i = 0; i < n; i++) {
    const r = await proxiedPost(port, up.port, `/upload/${i}`, JSON.stringify({ leak: fakeKey(`${seed}-${i}`) }));
    assert.equal(r.status, 200, `request ${i} was forwarded`);
    assert.equal(r.body, 'ok');
  }
  assert.equal(up.hits - before, n, 'every request reached the upstream');
}

/** Checks a status that shows log write failures, in --json and in text. */
function assertLogFault(json: Record<string, any>, text: string, code: string, pid: number): void {
  assert.equal(json.running, true);
  assert.equal(json.pid, pid);
  assert.ok(json.faults.log_write_failures >= 1, JSON.stringify(json.faults));
  assert.equal(json.faults.last_error?.kind, 'log_write');
  assert.equal(json.faults.last_error?.code, code);
  // no finding lost without a counter: every one the scanner produced was logged or counted
  assert.equal(json.stats.findings_deduplicated, 0);
  assert.equal(json.stats.findings_logged + json.faults.log_write_failures, json.stats.findings_detected, JSON.stringify(json.stats));
  assert.match(text, /^monitor: running/m);
  assert.match(text, /^faults: .*log write failures \d+/m);
  assert.match(text, new RegExp(`^  last: log_write \\(${code}\\) at `, 'm'));
}

test('a file size limit on the findings log (EFBIG): traffic keeps flowing, the monitor keeps running, status shows log write failures', SLOW, async (t) => {
  const sb = new Sandbox(t, 'ctg-fsize-');
  const up = await sb.upstream();
  // its own TMPDIR: tsx's compile cache must not be written under the limit
  const childTmp = join(sb.root, 'tmp');
  mkdirSync(childTmp);
  // 16 blocks (8 or 16 KiB, by the sh): room for the run files, not for many findings
  const m = await foregroundMonitor(
    sb,
    'sh',
    ['-c', 'ulimit -f 16 && exec "$@"', 'sh', process.execPath, BIN, 'start', '--foreground', '--json', '--port', '0', '--home', sb.home],
    sb.env({ TMPDIR: childTmp }),
  );
  const pid = m.status.pid as number;
  sb.trackMonitor(pid);

  await leakMany(m.status.listen.port, up, 'fsize', 60);
  const json = await waitFor('log write failures in status --json', async () => {
    const r = await sb.cli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Record<string, any>;
    return s.faults?.log_write_failures >= 1 && s.stats?.findings_detected >= 60 ? s : null;
  }, 30_000);
  const text = await sb.cli(['status']);
  assert.equal(text.code, 0, text.stderr);
  assertLogFault(json, text.stdout, 'EFBIG', pid);
  assert.ok(json.findings_total >= 1, 'what was written before the limit is still reported');
  assert.ok(pidAlive(pid), 'the monitor is still running');

  // still forwarding after the faults
  await leakMany(m.status.listen.port, up, 'fsize-after', 3);
  m.child.kill('SIGTERM');
  const [code] = (await once(m.child, 'exit')) as [number | null];
  assert.equal(code, 0, m.child.out.stderr);
  assert.equal(m.child.out.stdout.trim().split('\n').length, 1, 'nothing but the status line on stdout');
});

test('state.json is never replaced by a partial write (file size limit): the previous state stays readable', SLOW, async (t) => {
  const sb = new Sandbox(t, 'ctg-state-fsize-');
  const childTmp = join(sb.root, 'tmp');
  mkdirSync(childTmp);
  ensureRunDir(sb.layout);
  const before = sampleState(sb, { pid: process.pid, process: currentIdentity(), faults: { log_write_failures: 0 }, stats: { requests: 0 } });
  writeState(sb.layout, before);
  // another process, limited to 1 block (512 or 1024 bytes): the state (a few KiB) cannot fit
  const r = await runTo(
    'sh',
    ['-c', 'ulimit -f 1 && exec "$@"', 'sh', process.execPath, '--import', 'tsx', stateWriterChild, sb.home, '2026-01-01T00:00:00.000Z'],
    sb.env({ TMPDIR: childTmp }),
    REPO, // where `--import tsx` resolves
  );
  assert.equal(r.signal, null, r.stderr);
  assert.equal(r.stdout.trim(), 'EFBIG', `the write must fail whole: ${r.stdout}${r.stderr}`);
  const after = readState(sb.layout);
  assert.equal(after.kind, 'ok', 'the previous state is still in place and readable');
  assert.equal(after.kind === 'ok' && after.state.updated_at, before.updated_at);
  assert.deepEqual(readdirSync(sb.layout.runDir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left behind');
});

const noPrivateTmpfs = privateTmpfsWorks();

test('a full disk under the home (ENOSPC): traffic keeps flowing, the monitor keeps running, status shows the fault; freeing space recovers', { ...SLOW, skip: noPrivateTmpfs }, async (t) => {
  const sb = new Sandbox(t, 'ctg-enospc-');
  const up = await sb.upstream();
  const childTmp = join(sb.root, 'tmp');
  mkdirSync(childTmp);
  const disk = join(sb.root, 'disk'); // a 1 MiB tmpfs here, seen only by the monitor's mount namespace
  mkdirSync(disk);
  const home = join(disk, 'guardian');
  const env = sb.env({ TMPDIR: childTmp });
  const m = await foregroundMonitor(
    sb,
    'unshare',
    ['-rm', 'sh', '-c', 'mount -t tmpfs -o size=1m,mode=0700 tmpfs "$1" && shift && exec "$@"', 'sh', disk, process.execPath, BIN, 'start', '--foreground', '--json', '--port', '0', '--home', home],
    env,
  );
  const pid = m.status.pid as number;
  // the monitor's view of its files (its mount namespace), and the CLI run inside it
  const inside = (p: string): string => `/proc/${pid}/root${p}`;
  const cli = (args: string[]): Promise<Run> =>
    runTo('nsenter', ['--target', String(pid), '--user', '--mount', '--preserve-credentials', '--', process.execPath, BIN, ...args, '--home', home], env, sb.root);
  const logLines = (): string[] => readFileSync(inside(join(home, 'logs', 'findings.jsonl')), 'utf8').split('\n').filter(Boolean);
  const statusJson = async (): Promise<Record<string, any>> => {
    const r = await cli(['status', '--json']);
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, any>;
  };

  await leakMany(m.status.listen.port, up, 'enospc-first', 1);
  await waitFor('the first finding logged', () => logLines().length === 1);

  // fill the disk to the last byte
  const filler = inside(join(disk, 'filler'));
  const fd = openSync(filler, 'w', 0o600);
  const chunk = Buffer.alloc(64 * 1024, 0x78);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    assert.equal((err as NodeJS.ErrnoException).code, 'ENOSPC');
  } finally {
    closeSync(fd);
  }

  await leakMany(m.status.listen.port, up, 'enospc-full', 40);
  const json = await waitFor('log write failures in status --json', async () => {
    const s = await statusJson();
    return s.faults?.log_write_failures >= 1 && s.stats?.findings_detected >= 41 ? s : null;
  }, 30_000);
  const text = await cli(['status']);
  assert.equal(text.code, 0, text.stderr);
  assertLogFault(json, text.stdout, 'ENOSPC', pid);
  assert.ok(pidAlive(pid), 'the monitor is still running');
  const failed = json.faults.log_write_failures as number;

  // space comes back: the next finding is logged, whole, and status moves on
  unlinkSync(filler);
  const linesBefore = logLines().length;
  await leakMany(m.status.listen.port, up, 'enospc-after', 1);
  await waitFor('a finding logged after space came back', () => logLines().length === linesBefore + 1);
  for (const line of logLines().slice(-1)) assert.equal((JSON.parse(line) as { pattern: string }).pattern, 'ai_api_key');
  const healed = await waitFor('status after recovery', async () => {
    const s = await statusJson();
    return s.stats?.findings_detected >= 42 ? s : null;
  }, 30_000);
  assert.equal(healed.faults.log_write_failures, failed, 'no new failures once there is space');
  assert.equal(healed.stats.findings_logged + failed, healed.stats.findings_detected);

  m.child.kill('SIGTERM');
  const [code] = (await once(m.child, 'exit')) as [number | null];
  assert.equal(code, 0, m.child.out.stderr);
});
