// Stale run files: a dead PID, a PID reused by an unrelated live process, a zombie, an
// unreadable state file. `status` cleans them and says so; `stop` cleans them without ever
// signalling the process that now has the PID; `start` cleans them and starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { readProcStat, checkIdentity, currentIdentity } from '../../../host-services/lifecycle/process-identity.ts';
import type { MonitorState } from '../../../host-services/lifecycle/run-files.ts';
import { pidAlive, Sandbox, sampleState, waitFor } from './helpers.ts';

const SLOW = { timeout: 180_000 };
const linux = readProcStat(process.pid) !== null;

function fakeState(sb: Sandbox, pid: number, over: Partial<MonitorState> = {}): void {
  const state = sampleState(sb, {
    pid,
    process: { pid, start_time: readProcStat(pid)?.startTime ?? '1', cmdline_marker: 'clawsec-traffic-guardian' },
    ...over,
  });
  mkdirSync(sb.layout.runDir, { recursive: true, mode: 0o700 });
  writeFileSync(sb.layout.stateFile, JSON.stringify(state));
  writeFileSync(sb.layout.pidFile, `${pid}\n`);
}

async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' });
  const pid = child.pid as number;
  await once(child, 'exit');
  return pid;
}

test('status: a dead PID is stale; cleaned, reported in text and JSON', SLOW, async (t) => {
  const sb = new Sandbox(t);
  fakeState(sb, await deadPid());
  const pid = sb.state()?.pid as number;
  const r = await sb.cli(['status', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, any>;
  assert.equal(s.running, false);
  assert.equal(s.stale_cleaned, true);
  assert.deepEqual(s.stale, { pid, reason: 'dead' });
  for (const k of ['pid', 'proxy_url', 'listen', 'started_at']) assert.equal(s[k], null, k);
  assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });

  // once cleaned, the next status has nothing to clean
  const again = JSON.parse((await sb.cli(['status', '--json'])).stdout) as Record<string, any>;
  assert.equal(again.stale_cleaned, false);

  fakeState(sb, pid);
  const human = await sb.cli(['status']);
  assert.equal(human.code, 0);
  assert.match(human.stdout, new RegExp(`cleaned up stale state: the monitor recorded as pid ${pid} is no longer running`));
  assert.match(human.stdout, /monitor: not running/);
  assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });
});

test('a PID reused by an unrelated live process is stale; that process is never signalled', { ...SLOW, skip: !linux && 'needs /proc' }, async (t) => {
  const sb = new Sandbox(t);
  const sleeper = sb.spawnHelper('sleep', ['300']);
  const pid = sleeper.pid as number;
  await waitFor('sleep running', () => readProcStat(pid) !== null);

  // the start time matches (only the command line tells it is not a guardian) ...
  fakeState(sb, pid);
  assert.deepEqual(checkIdentity({ pid, start_time: readProcStat(pid)?.startTime ?? null, cmdline_marker: 'clawsec-traffic-guardian' }), { alive: false, reason: 'reused' });
  const s = JSON.parse((await sb.cli(['status', '--json'])).stdout) as Record<string, any>;
  assert.equal(s.running, false);
  assert.deepEqual(s.stale, { pid, reason: 'reused' });
  assert.equal(pidAlive(pid), true, 'the unrelated process was not touched');

  // ... or the start time differs (the monitor died, the PID went to someone else)
  fakeState(sb, pid, { process: { pid, start_time: '1', cmdline_marker: null } });
  const stop = await sb.cli(['stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, /cleaned up stale state/);
  assert.match(stop.stdout, /not running/);
  assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(pidAlive(pid), true, 'stop never signals a reused PID');
  assert.equal(sleeper.exitCode, null);
  assert.equal(sleeper.signalCode, null);

  // our own identity is recognised as alive (the positive case of the same check)
  assert.deepEqual(checkIdentity(currentIdentity()), { alive: true });
});

test('a zombie is stale', { ...SLOW, skip: !linux && 'needs /proc' }, async (t) => {
  const sb = new Sandbox(t);
  // sh forks `sleep 0.2` and execs into `sleep 300`, which never reaps it: a zombie with a live parent
  const parent = sb.spawnHelper('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 300']);
  let out = '';
  parent.stdout?.setEncoding('utf8').on('data', (d: string) => (out += d));
  const zpid = await waitFor('zombie pid', () => (out.includes('\n') ? Number.parseInt(out, 10) : null));
  const startTime = await waitFor('zombie start time', () => readProcStat(zpid)?.startTime);
  await waitFor('child became a zombie', () => readProcStat(zpid)?.state === 'Z', 30_000);
  fakeState(sb, zpid, { process: { pid: zpid, start_time: startTime, cmdline_marker: null } });
  const s = JSON.parse((await sb.cli(['status', '--json'])).stdout) as Record<string, any>;
  assert.equal(s.running, false);
  assert.deepEqual(s.stale, { pid: zpid, reason: 'zombie' });
  assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });
});

test('an unreadable state file is stale (corrupt); start cleans it and starts', SLOW, async (t) => {
  const sb = new Sandbox(t);
  mkdirSync(sb.layout.runDir, { recursive: true });
  writeFileSync(sb.layout.stateFile, '{"schema_version": "clawsec-traffic-state/v1", "pid": ');
  const s = JSON.parse((await sb.cli(['status', '--json'])).stdout) as Record<string, any>;
  assert.equal(s.stale_cleaned, true);
  assert.equal(s.stale.reason, 'corrupt');
  assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });

  // start over a dead monitor's files
  fakeState(sb, await deadPid());
  const r = await sb.cli(['start', '--port', '0', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const st = JSON.parse(r.stdout) as Record<string, any>;
  sb.trackMonitor(st.pid);
  assert.equal(st.running, true);
  assert.equal(sb.state()?.pid, st.pid);
  assert.equal((await sb.cli(['stop'])).code, 0);
});

test('stop: a monitor that ignores SIGTERM is killed after --timeout', { ...SLOW, skip: !linux && 'needs /proc' }, async (t) => {
  const sb = new Sandbox(t);
  // a stand-in monitor: ignores SIGTERM, and its command line carries the guardian's marker
  const stubborn = sb.spawnHelper(process.execPath, ['-e', "process.on('SIGTERM', () => {}); setInterval(() => {}, 1000); console.log('ready')", 'clawsec-traffic-guardian']);
  await new Promise((resolve) => stubborn.stdout?.once('data', resolve));
  const pid = stubborn.pid as number;
  fakeState(sb, pid);
  assert.deepEqual(checkIdentity(sb.state()?.process), { alive: true }, 'recognised as the recorded monitor');
  const exited = once(stubborn, 'exit');
  const r = await sb.cli(['stop', '--timeout', '1', '--json']);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as Record<string, any>;
  assert.equal(out.stopped, true);
  assert.equal(out.forced, true);
  assert.equal(out.pid, pid);
  const [, signal] = (await exited) as [number | null, string | null];
  assert.equal(signal, 'SIGKILL');
  assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });
});
