// The OpenClaw hook end to end: real event objects shaped as OpenClaw builds them
// (src/hooks/internal-hooks.ts createInternalHookEvent: {type, action, sessionKey, context,
// timestamp, messages}), a real guardian home in a temp dir, a real monitor state file naming
// a live or a dead process, and a real findings log (torn lines, rotation, more than the read
// budget). The folder is also copied alone and loaded in a child process outside the repo.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import handler from '../../hooks/openclaw-traffic-guardian-hook/handler.ts';
import { handleEvent, RATE_LIMIT_MS, type HandleOptions } from '../../hooks/openclaw-traffic-guardian-hook/lib/report.ts';
import { DEFAULT_BUDGET_BYTES } from '../../hooks/openclaw-traffic-guardian-hook/lib/findings-tail.ts';
import { runProcess, type Run } from '../support/processes.ts';

const HOOK_DIR = fileURLToPath(new URL('../../hooks/openclaw-traffic-guardian-hook/', import.meta.url));
const REPO = fileURLToPath(new URL('../../', import.meta.url));
const RECORDER = fileURLToPath(new URL('./fixtures/resolve-recorder.mjs', import.meta.url));
const FP = Array.from({ length: 32 }, (_, i) => ((i * 37 + 11) % 256).toString(16).padStart(2, '0').toUpperCase()).join(':');

type Severity = 'low' | 'medium' | 'high' | 'critical';

interface Sandbox {
  root: string;
  home: string;
  log: string;
  hookState: string;
  monitorState: string;
}

/** A temp dir holding a guardian home (run/, logs/); removed after the test. */
function sandbox(t: TestContext, opts: { createHome?: boolean } = {}): Sandbox {
  const root = mkdtempSync(join(tmpdir(), 'ctg-hook-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const home = join(root, 'guardian-home');
  if (opts.createHome !== false) {
    mkdirSync(join(home, 'run'), { recursive: true });
    mkdirSync(join(home, 'logs'), { recursive: true });
  }
  return {
    root,
    home,
    log: join(home, 'logs', 'findings.jsonl'),
    hookState: join(home, 'hook-state.json'),
    monitorState: join(home, 'run', 'state.json'),
  };
}

/** Points the handler (which reads process.env, as in the gateway) at this home for one test. */
function useHome(t: TestContext, home: string): void {
  const saved = {
    home: process.env.OPENCLAW_TRAFFIC_GUARDIAN_HOME,
    logDir: process.env.OPENCLAW_TRAFFIC_GUARDIAN_LOG_DIR,
  };
  process.env.OPENCLAW_TRAFFIC_GUARDIAN_HOME = home;
  delete process.env.OPENCLAW_TRAFFIC_GUARDIAN_LOG_DIR;
  t.after(() => {
    if (saved.home === undefined) delete process.env.OPENCLAW_TRAFFIC_GUARDIAN_HOME;
    else process.env.OPENCLAW_TRAFFIC_GUARDIAN_HOME = saved.home;
    if (saved.logDir !== undefined) process.env.OPENCLAW_TRAFFIC_GUARDIAN_LOG_DIR = saved.logDir;
  });
}

/** This process's start time as the monitor records it (/proc/<pid>/stat field 22), or null off Linux. */
function ownStartTime(): string | null {
  try {
    const text = readFileSync('/proc/self/stat', 'utf8');
    return text.slice(text.lastIndexOf(')') + 2).trim().split(/\s+/)[19] ?? null;
  } catch {
    return null;
  }
}

/**
 * A run/state.json shaped like the one the monitor writes (host-services/lifecycle: schema
 * version, `process` identity, listener, CA, counters, host paths), naming `pid`.
 */
function writeMonitorState(s: Sandbox, pid: number, extra: Record<string, unknown> = {}): void {
  const own = pid === process.pid;
  writeFileSync(
    s.monitorState,
    JSON.stringify({
      schema_version: 'clawsec-traffic-state/v1',
      pid,
      process: { pid, start_time: own ? ownStartTime() : null, cmdline_marker: own ? basename(process.execPath) : null },
      started_at: '2026-04-26T00:00:00.000Z',
      updated_at: '2026-04-26T00:00:05.000Z',
      home: s.home,
      platform: 'openclaw',
      mode: 'detect',
      listen: { host: '0.0.0.0', port: 18787 },
      proxy_url: 'http://127.0.0.1:18787',
      https_inspection: true,
      ca_cert_path: join(s.home, 'ca', 'ca.pem'),
      ca_fingerprint_sha256: FP,
      max_scan_bytes: 1048576,
      findings_log: s.log,
      allow_clients: ['127.0.0.1/32'],
      upstream_proxy: false,
      faults: {},
      stats: { requests: 3 },
      some_future_field: { nested: [1, 2, 3] },
      ...extra,
    }),
  );
}

/** A PID that certainly belonged to a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' });
  assert.equal(typeof r.pid, 'number');
  return r.pid as number;
}

let clock = Date.parse('2026-04-26T10:00:00.000Z');
function findingLine(severity: Severity, extra: Record<string, unknown> = {}): string {
  clock += 1000;
  return `${JSON.stringify({
    schema_version: 'clawsec-traffic-finding/v1',
    platform: 'openclaw',
    direction: 'outbound',
    protocol: 'https',
    threat_type: 'EXFIL',
    pattern: 'ai_api_key',
    severity,
    source: '127.0.0.1',
    dest: 'api.example.com:443',
    snippet: 'x-api-key: sk-ant-[REDACTED:ai_api_key]',
    timestamp: new Date(clock).toISOString(),
    ...extra,
  })}\n`;
}

/** Events as OpenClaw creates them (createInternalHookEvent + the context each call site passes). */
function openclawEvent(type: string, action: string, context: Record<string, unknown> = {}) {
  return { type, action, sessionKey: 'agent:main:main', context, timestamp: new Date(), messages: [] as string[] };
}
const EVENTS = {
  'gateway:startup': () => openclawEvent('gateway', 'startup', { cfg: { hooks: { internal: { enabled: true } } }, deps: {}, workspaceDir: '/ws' }),
  'agent:bootstrap': () =>
    openclawEvent('agent', 'bootstrap', { workspaceDir: '/ws', bootstrapFiles: [], cfg: {}, sessionKey: 'agent:main:main', sessionId: 'abc', agentId: 'main' }),
  'command:new': () =>
    openclawEvent('command', 'new', {
      sessionEntry: { sessionId: 'abc' },
      previousSessionEntry: { sessionId: 'old' },
      commandSource: 'telegram',
      senderId: '12345',
      cfg: {},
    }),
} as const;

/** A fresh `key` event through handleEvent with these options: its outcome and the messages it pushed. */
function fire(key: keyof typeof EVENTS, opts: HandleOptions) {
  const e = EVENTS[key]();
  return { outcome: handleEvent(e, opts), messages: e.messages };
}

function readHookState(s: Sandbox): { cursor: { offset: number } | null; last_report_ms: Record<string, number>; last_timestamp: string | null } {
  return JSON.parse(readFileSync(s.hookState, 'utf8'));
}

function mode(path: string): number {
  return statSync(path).mode & 0o777;
}

// ---- the three events, running or not ------------------------------------------------------

for (const [key, make] of Object.entries(EVENTS)) {
  test(`${key}: one redacted status line with listener, HTTPS inspection and findings by severity`, async (t) => {
    const s = sandbox(t);
    useHome(t, s.home);
    writeMonitorState(s, process.pid);
    appendFileSync(s.log, findingLine('critical') + findingLine('high', { pattern: 'pipe_to_shell', threat_type: 'INJECTION', dest: 'evil.example:80' }) + findingLine('low') + findingLine('low'));
    const event = make();
    const before = { ...event, messages: undefined };
    await handler(event);
    assert.equal(event.messages.length, 1, 'exactly one message');
    const msg = event.messages[0] as string;
    const [status, ...severe] = msg.split('\n');
    assert.match(status as string, /^clawsec traffic guardian: running, proxy http:\/\/127\.0\.0\.1:18787, /);
    assert.ok(status?.includes(`HTTPS inspected (CA SHA-256 ${FP.split(':').slice(0, 4).join(':')}…${FP.split(':').slice(-2).join(':')})`), status);
    assert.ok(!msg.includes(FP), 'the fingerprint is shortened');
    assert.ok(status?.includes('new findings: 1 critical, 1 high, 2 low'), status);
    assert.equal(severe.length, 2, 'one line per high/critical finding');
    assert.match(severe[0] as string, /^- HIGH pipe_to_shell -> evil\.example:80: /, 'newest first');
    assert.match(severe[1] as string, /^- CRITICAL ai_api_key -> api\.example\.com:443: x-api-key: sk-ant-\[REDACTED:ai_api_key\]$/);
    assert.ok(msg.length < 600, 'short');
    // the rest of the event is left alone
    assert.deepEqual({ ...event, messages: undefined }, before);
    // what it reported is remembered, in a 0600 file
    assert.equal(mode(s.hookState), 0o600);
    const st = readHookState(s);
    assert.equal(st.cursor?.offset, statSync(s.log).size);
    assert.equal(typeof st.last_report_ms[key], 'number');
    assert.deepEqual(readdirSync(s.home).filter((n) => n.endsWith('.tmp')), [], 'no temp file left behind');
  });
}

test('HTTPS tunnelled without inspection is said so, without a fingerprint', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, process.pid, { https_inspection: false, ca_fingerprint_sha256: null, ca_cert_path: null });
  const event = EVENTS['command:new']();
  await handler(event);
  assert.match(event.messages[0] as string, /^clawsec traffic guardian: running, proxy http:\/\/127\.0\.0\.1:18787, HTTPS tunnelled, not inspected; no new findings$/);
});

test('without proxy_url the listener address is used, a wildcard host shown as loopback', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, process.pid, { proxy_url: undefined, listen: { host: '0.0.0.0', port: 18999 } });
  const event = EVENTS['command:new']();
  await handler(event);
  assert.match(event.messages[0] as string, /: running, proxy http:\/\/127\.0\.0\.1:18999, HTTPS inspected/);
});

test('a state file naming a dead process reads as not running (stale), findings still counted', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, deadPid());
  appendFileSync(s.log, findingLine('medium'));
  const event = EVENTS['command:new']();
  await handler(event);
  const msg = event.messages[0] as string;
  assert.match(msg, /^clawsec traffic guardian: NOT running \(the monitor exited without cleaning up; start it with `clawsec-traffic-guardian start`\); new findings: 1 medium$/);
  assert.ok(!msg.includes('18787'), 'no listener is claimed for a dead monitor');
});

test('a live PID whose recorded start time differs (PID reused) is not the monitor', { skip: !existsSync('/proc/self/stat') }, async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, process.pid, { process: { pid: process.pid, start_time: '1', cmdline_marker: null } });
  let event = EVENTS['gateway:startup']();
  await handler(event);
  assert.match(event.messages[0] as string, /NOT running \(the monitor exited without cleaning up/);
  // right start time, but the command line no longer carries the monitor's marker
  rmSync(s.hookState);
  writeMonitorState(s, process.pid, { process: { pid: process.pid, start_time: ownStartTime(), cmdline_marker: 'clawsec-not-this-process' } });
  event = EVENTS['gateway:startup']();
  await handler(event);
  assert.match(event.messages[0] as string, /NOT running \(the monitor exited without cleaning up/);
  // both as recorded: running
  rmSync(s.hookState);
  writeMonitorState(s, process.pid);
  event = EVENTS['gateway:startup']();
  await handler(event);
  assert.match(event.messages[0] as string, /: running, /);
});

test('no state file: not running, no monitor', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  const event = EVENTS['agent:bootstrap']();
  await handler(event);
  assert.equal(event.messages[0], 'clawsec traffic guardian: NOT running (no monitor; start it with `clawsec-traffic-guardian start`); no new findings');
});

// ---- other events ------------------------------------------------------------------------

test('other events get no message and change nothing', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, process.pid);
  appendFileSync(s.log, findingLine('critical'));
  const others = [
    openclawEvent('command', 'stop', { sessionId: 'abc' }),
    openclawEvent('command', 'reset', {}),
    openclawEvent('session', 'compact:before', {}),
    openclawEvent('message', 'received', { from: 'x', content: 'hi', channelId: 'telegram' }),
    openclawEvent('gateway', 'shutdown', {}),
    openclawEvent('agent', 'response', { payloads: [] }),
  ];
  for (const e of others) {
    await handler(e);
    assert.deepEqual(e.messages, [], `${e.type}:${e.action}`);
  }
  assert.equal(existsSync(s.hookState), false, 'no state written for ignored events');
});

test('the event key may also arrive as one combined string', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  const combined = { type: 'command:new', sessionKey: 'k', context: {}, timestamp: new Date(), messages: [] as string[] };
  await handler(combined);
  assert.equal(combined.messages.length, 1);
  const named = { event: 'gateway:startup', messages: [] as string[] };
  await handler(named);
  assert.equal(named.messages.length, 1);
  const wrong = { type: 'command:stop', messages: [] as string[] };
  await handler(wrong);
  assert.deepEqual(wrong.messages, []);
});

// ---- counting and remembering ------------------------------------------------------------

test('findings since the last report: counted by severity, then only the new ones', async (t) => {
  const s = sandbox(t);
  writeMonitorState(s, process.pid);
  const env = { OPENCLAW_TRAFFIC_GUARDIAN_HOME: s.home };
  let now = Date.parse('2026-04-26T12:00:00.000Z');
  const run = (key: keyof typeof EVENTS) => fire(key, { env, now: () => now });
  appendFileSync(s.log, findingLine('low') + findingLine('medium') + findingLine('medium') + findingLine('high', { count: 4 }));
  let r = run('command:new');
  assert.equal(r.outcome, 'reported');
  assert.match(r.messages[0] as string, /new findings: 1 high, 2 medium, 1 low \(7 occurrences\)/);
  assert.match(r.messages[0] as string, /\n- HIGH ai_api_key x4 -> api\.example\.com:443: /);
  const first = readHookState(s);
  assert.equal(first.cursor?.offset, statSync(s.log).size);
  assert.equal(mode(s.hookState), 0o600);

  appendFileSync(s.log, findingLine('low') + findingLine('low'));
  now += RATE_LIMIT_MS + 1;
  r = run('command:new');
  assert.equal(r.outcome, 'reported');
  assert.match(r.messages[0] as string, /new findings: 2 low$/, 'only what came after the last report');
  const second = readHookState(s);
  assert.ok((second.cursor?.offset ?? 0) > (first.cursor?.offset ?? 0));
  assert.ok((second.last_timestamp ?? '') > (first.last_timestamp ?? ''));

  now += RATE_LIMIT_MS + 1;
  r = run('command:new');
  assert.match(r.messages[0] as string, /; no new findings$/);
});

test('rate limit: one message per event kind per window, unless a new high/critical finding or a start/stop', async (t) => {
  const s = sandbox(t);
  writeMonitorState(s, process.pid);
  const env = { OPENCLAW_TRAFFIC_GUARDIAN_HOME: s.home };
  let now = Date.parse('2026-04-26T12:00:00.000Z');
  const run = (key: keyof typeof EVENTS) => fire(key, { env, now: () => now });
  assert.equal(run('agent:bootstrap').outcome, 'reported');
  now += 1000;
  let r = run('agent:bootstrap');
  assert.equal(r.outcome, 'rate-limited');
  assert.deepEqual(r.messages, []);
  // a low finding alone does not break the limit, and is not lost: it is reported later
  appendFileSync(s.log, findingLine('low'));
  assert.equal(run('agent:bootstrap').outcome, 'rate-limited');
  // another event kind has its own window
  r = run('command:new');
  assert.equal(r.outcome, 'reported');
  assert.match(r.messages[0] as string, /new findings: 1 low$/);
  // a new critical finding is reported at once
  appendFileSync(s.log, findingLine('critical'));
  r = run('agent:bootstrap');
  assert.equal(r.outcome, 'reported');
  assert.match(r.messages[0] as string, /new findings: 1 critical\n- CRITICAL /);
  // the monitor stopping is reported at once too
  now += 1000;
  writeMonitorState(s, deadPid());
  r = run('agent:bootstrap');
  assert.equal(r.outcome, 'reported');
  assert.match(r.messages[0] as string, /NOT running/);
  now += 1000;
  assert.equal(run('agent:bootstrap').outcome, 'rate-limited');
  // after the window it reports again
  now += RATE_LIMIT_MS;
  assert.equal(run('agent:bootstrap').outcome, 'reported');
});

test('the real handler is rate-limited across calls through its state file', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, process.pid);
  const a = EVENTS['gateway:startup']();
  const b = EVENTS['gateway:startup']();
  await handler(a);
  await handler(b);
  assert.equal(a.messages.length, 1);
  assert.equal(b.messages.length, 0);
});

// ---- failure modes -----------------------------------------------------------------------

test('missing home: says so, creates nothing, never throws', async (t) => {
  const s = sandbox(t, { createHome: false });
  useHome(t, s.home);
  for (const make of Object.values(EVENTS)) {
    const e = make();
    await handler(e);
    assert.equal(e.messages.length, 1);
    assert.equal(
      e.messages[0],
      'clawsec traffic guardian: NOT running (no guardian home on this host; start it with `clawsec-traffic-guardian start`); no new findings',
    );
  }
  assert.equal(existsSync(s.home), false, 'the hook never creates the guardian home');
  // without a state file the rate limit holds in memory
  const again = EVENTS['command:new']();
  await handler(again);
  assert.deepEqual(again.messages, []);
});

test('a corrupt hook state file is replaced, and the report still goes out', async (t) => {
  for (const junk of ['{not json', '[]', JSON.stringify({ version: 1, cursor: { dev: 'x' } }), '\u0000\u0001', JSON.stringify({ version: 99 })]) {
    const s = sandbox(t);
    useHome(t, s.home);
    writeMonitorState(s, process.pid);
    appendFileSync(s.log, findingLine('high'));
    writeFileSync(s.hookState, junk, { mode: 0o644 });
    const e = EVENTS['command:new']();
    await handler(e);
    assert.match(e.messages[0] as string, /new findings: 1 high/, `state ${JSON.stringify(junk)}`);
    const st = readHookState(s);
    assert.equal(st.cursor?.offset, statSync(s.log).size);
    assert.equal(mode(s.hookState), 0o600, 'replaced by a 0600 file');
  }
});

test('a corrupt monitor state file reads as not running', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeFileSync(s.monitorState, '{"pid": 12');
  const e = EVENTS['command:new']();
  await handler(e);
  assert.match(e.messages[0] as string, /NOT running \(no monitor;/);
});

test('corrupt, torn and glued log lines are skipped and counted; a line still being written waits', async (t) => {
  const s = sandbox(t);
  writeMonitorState(s, process.pid);
  const env = { OPENCLAW_TRAFFIC_GUARDIAN_HOME: s.home };
  let now = Date.parse('2026-04-26T12:00:00.000Z');
  const good = findingLine('critical');
  const torn = findingLine('high').slice(0, 40); // a writer died mid-line...
  const glued = findingLine('medium'); // ...and the next write followed it on the same line
  const unfinished = findingLine('high');
  appendFileSync(
    s.log,
    good + 'garbage that is not json\n' + '{"schema_version":"clawsec-traffic-finding/v1","severity":"bogus"}\n' + '\n' + torn + glued + unfinished.slice(0, 50),
  );
  let e = EVENTS['command:new']();
  handleEvent(e, { env, now: () => now });
  assert.match(e.messages[0] as string, /new findings: 1 critical, 1 medium; 2 unreadable log lines$/m);
  const st = readHookState(s);
  assert.equal(st.cursor?.offset, statSync(s.log).size - 50, 'the unfinished line is left for later');
  // the writer finishes the line
  appendFileSync(s.log, unfinished.slice(50));
  now += RATE_LIMIT_MS + 1;
  e = EVENTS['command:new']();
  handleEvent(e, { env, now: () => now });
  assert.match(e.messages[0] as string, /new findings: 1 high\n- HIGH /);
});

test('rotation: the rest of the old file (now .1) and the new file are both read, nothing twice', async (t) => {
  const s = sandbox(t);
  writeMonitorState(s, process.pid);
  const env = { OPENCLAW_TRAFFIC_GUARDIAN_HOME: s.home };
  let now = Date.parse('2026-04-26T12:00:00.000Z');
  appendFileSync(s.log, findingLine('low') + findingLine('low'));
  handleEvent(EVENTS['command:new'](), { env, now: () => now });
  appendFileSync(s.log, findingLine('medium')); // written before the rotation
  renameSync(s.log, `${s.log}.1`);
  appendFileSync(s.log, findingLine('high') + findingLine('low'));
  now += RATE_LIMIT_MS + 1;
  const e = EVENTS['command:new']();
  handleEvent(e, { env, now: () => now });
  assert.match(e.messages[0] as string, /new findings: 1 high, 1 medium, 1 low\n/);
  assert.doesNotMatch(e.messages[0] as string, /skipped/);
  // rotated twice more: the cursor's file is gone from reach, only newer findings count
  now += RATE_LIMIT_MS + 1;
  renameSync(`${s.log}.1`, `${s.log}.2`);
  renameSync(s.log, `${s.log}.1`);
  rmSync(`${s.log}.1`);
  rmSync(`${s.log}.2`);
  appendFileSync(s.log, findingLine('critical'));
  const e2 = EVENTS['command:new']();
  handleEvent(e2, { env, now: () => now });
  assert.match(e2.messages[0] as string, /new findings: 1 critical; older log entries skipped/);
});

test('the log is read bounded: only the newest 1 MiB of what is new', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, process.pid);
  const line = findingLine('low', { snippet: 'y'.repeat(900) });
  const lines = Math.ceil((DEFAULT_BUDGET_BYTES * 3) / line.length);
  writeFileSync(s.log, line.repeat(lines) + findingLine('critical'));
  const started = performance.now();
  const e = EVENTS['command:new']();
  await handler(e);
  const elapsed = performance.now() - started;
  const m = /new findings: 1 critical, (\d+) low; older log entries skipped/.exec(e.messages[0] as string);
  assert.ok(m, e.messages[0]);
  const lows = Number(m[1]);
  assert.ok(lows > 0 && lows <= Math.floor(DEFAULT_BUDGET_BYTES / line.length), `read ${lows} of ${lines}`);
  assert.ok(elapsed < 2000, `took ${elapsed} ms`);
  assert.equal(readHookState(s).cursor?.offset, statSync(s.log).size);
});

test('never throws, whatever the event or the disk looks like', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  const hostile: unknown[] = [
    undefined,
    null,
    'command:new',
    42,
    [],
    { type: 'command', action: 'new' }, // no messages array
    { type: 'command', action: 'new', messages: 'nope' },
    { type: 'command', action: 'new', messages: Object.freeze([]) }, // push throws
    new Proxy({}, { get() { throw new Error('boom'); } }),
  ];
  for (const e of hostile) await assert.doesNotReject(() => handler(e));
  // the home is a file, the state file a directory, the log a directory
  const s2 = sandbox(t, { createHome: false });
  writeFileSync(s2.home, 'not a dir');
  useHome(t, s2.home);
  const e1 = EVENTS['command:new']();
  await assert.doesNotReject(() => handler(e1));
  useHome(t, s.home);
  mkdirSync(s.hookState);
  mkdirSync(s.log);
  const e2 = EVENTS['command:new']();
  await assert.doesNotReject(() => handler(e2));
  assert.equal(e2.messages.length, 1);
});

// ---- what the message never shows -------------------------------------------------------

test('no host path but the proxy URL, no control characters, opaque tokens masked', async (t) => {
  const s = sandbox(t);
  useHome(t, s.home);
  writeMonitorState(s, process.pid, { proxy_url: 'http://user:pw@127.0.0.1:18787/x', listen: null });
  const token = 'Zx9' + 'Qw8Er7Ty6Ui5Op4As3Df2Gh1';
  appendFileSync(
    s.log,
    findingLine('critical', { snippet: `read ${s.home}/ca/ca-key.pem ${homedir()}/.ssh/x\nsecond line\u001b[31m ${token}`, dest: `evil.example:443\nFAKE LINE` }) +
      findingLine('high', { snippet: 'fine snippet', rule_id: 'ai_api_key/anthropic', fingerprint: 'hmac:abcdef', agent: 'main' }),
  );
  const e = EVENTS['command:new']();
  await handler(e);
  const msg = e.messages[0] as string;
  for (const hidden of [s.home, s.root, `${homedir()}/`, 'ca.pem', 'findings.jsonl', 'hook-state', 'user:pw', 'hmac:abcdef', token, '\u001b']) {
    assert.ok(!msg.includes(hidden), `message shows ${JSON.stringify(hidden)}:\n${msg}`);
  }
  assert.ok(msg.includes('proxy http://127.0.0.1:18787,'));
  assert.ok(msg.includes('read <guardian-home>/ca/ca-key.pem ~/.ssh/x second line'), msg);
  assert.equal(msg.split('\n').length, 3, 'one status line + one line per severe finding, no injected lines');
  assert.ok(msg.includes('- HIGH ai_api_key -> api.example.com:443: fine snippet'));
  for (const line of msg.split('\n').slice(1)) assert.ok(line.length <= 200, line);
});

// ---- self-contained, offline ------------------------------------------------------------

const ALLOWED_BUILTINS = new Set(['node:fs', 'node:path', 'node:os', 'node:crypto']);

function hookSources(): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (/\.[cm]?[jt]s$/.test(e.name)) out.push(full);
    }
  };
  walk(HOOK_DIR);
  return out;
}

test('the hook folder imports only node:fs/path/os/crypto and its own files; no network API', () => {
  const sources = hookSources();
  assert.ok(sources.some((f) => f.endsWith('handler.ts')));
  for (const file of sources) {
    const text = readFileSync(file, 'utf8');
    const specs = [...text.matchAll(/\b(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1] as string);
    for (const spec of specs) {
      if (spec.startsWith('.')) {
        const target = resolve(dirname(file), spec);
        assert.ok(!relative(HOOK_DIR, target).startsWith('..'), `${relative(REPO, file)} imports ${spec}, outside the hook folder`);
        assert.ok(existsSync(target), `${relative(REPO, file)} imports ${spec}, which does not exist (explicit .ts extensions)`);
      } else {
        assert.ok(ALLOWED_BUILTINS.has(spec), `${relative(REPO, file)} imports ${spec}`);
      }
    }
    assert.doesNotMatch(text, /\brequire\s*\(|\bimport\s*\(/, `${relative(REPO, file)}: no dynamic imports`);
    assert.doesNotMatch(text, /\b(?:fetch|WebSocket|XMLHttpRequest|EventSource)\b|node:(?:net|http|https|http2|dns|tls|dgram)|undici/, `${relative(REPO, file)}: no network API`);
  }
});

test('HOOK.md frontmatter: name, description, openclaw metadata as inline JSON', () => {
  const text = readFileSync(join(HOOK_DIR, 'HOOK.md'), 'utf8');
  const fm = /^---\n([\s\S]*?)\n---\n/.exec(text);
  assert.ok(fm, 'frontmatter');
  const body = fm[1] as string;
  assert.match(body, /^name: openclaw-traffic-guardian-hook$/m);
  assert.match(body, /^description: ".+"$/m);
  const meta = /^metadata:\n([\s\S]+)$/m.exec(body);
  assert.ok(meta, 'metadata block');
  const parsed = JSON.parse(meta[1] as string) as { openclaw: { events: string[]; requires: { bins: string[] } } };
  assert.deepEqual(parsed.openclaw.events, ['gateway:startup', 'agent:bootstrap', 'command:new']);
  assert.deepEqual(parsed.openclaw.requires.bins, ['node']);
});

function runChild(args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): Promise<Run> {
  return runProcess(process.execPath, args, opts);
}

test('a copy of the hook folder alone works outside the repo, with fetch deleted, importing no network module', async (t) => {
  const s = sandbox(t);
  writeMonitorState(s, process.pid);
  appendFileSync(s.log, findingLine('critical') + findingLine('low'));
  const hooksDir = join(s.root, 'openclaw-state', 'hooks');
  const copy = join(hooksDir, 'openclaw-traffic-guardian-hook');
  mkdirSync(hooksDir, { recursive: true });
  cpSync(HOOK_DIR, copy, { recursive: true });
  const record = join(s.root, 'resolved.jsonl');
  const recorderCopy = join(s.root, 'resolve-recorder.mjs');
  cpSync(RECORDER, recorderCopy);
  const tsx = import.meta.resolve('tsx');
  const script = `
    import { register } from 'node:module';
    register(${JSON.stringify(pathToFileURL(recorderCopy).href)}, { data: { out: ${JSON.stringify(record)} } });
    delete globalThis.fetch;
    const { default: handler } = await import(${JSON.stringify(pathToFileURL(join(copy, 'handler.ts')).href)});
    const mk = (type, action) => ({ type, action, sessionKey: 'agent:main:main', context: {}, timestamp: new Date(), messages: [] });
    const events = [mk('gateway', 'startup'), mk('agent', 'bootstrap'), mk('command', 'new'), mk('command', 'stop')];
    for (const e of events) await handler(e);
    process.stdout.write(JSON.stringify(events.map((e) => e.messages)));
  `;
  const r = await runChild(['--import', tsx, '--input-type=module', '-e', script], {
    cwd: s.root, // outside the repo: nothing resolves through the repo's node_modules or package.json
    env: { PATH: process.env.PATH, HOME: s.root, OPENCLAW_TRAFFIC_GUARDIAN_HOME: s.home },
  });
  assert.equal(r.code, 0, r.stderr);
  const messages = JSON.parse(r.stdout) as string[][];
  assert.equal(messages.length, 4);
  for (const m of messages.slice(0, 3)) assert.equal(m.length, 1);
  assert.match(messages[0]?.[0] as string, /^clawsec traffic guardian: running, proxy http:\/\/127\.0\.0\.1:18787, HTTPS inspected .*new findings: 1 critical, 1 low\n- CRITICAL /);
  assert.deepEqual(messages[3], []);
  assert.equal(mode(s.hookState), 0o600);

  const copyUrl = pathToFileURL(copy).href;
  const resolved = readFileSync(record, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { specifier: string; parent: string | null })
    .filter((r) => r.parent?.startsWith(copyUrl));
  assert.ok(resolved.length >= 5, 'the recorder saw the hook resolve its modules');
  for (const r of resolved) {
    const ok = r.specifier.startsWith('./') || r.specifier.startsWith('../') ? new URL(r.specifier, r.parent as string).href.startsWith(copyUrl) : ALLOWED_BUILTINS.has(r.specifier);
    assert.ok(ok, `the copied hook resolved ${r.specifier} from ${r.parent}`);
  }
});

test('the hook uses only erasable TypeScript, so Node can load it by stripping types (22.18+/24)', async () => {
  // --erasableSyntaxOnly rejects enums, namespaces and parameter properties; with
  // --verbatimModuleSyntax every type-only import must say so, as type stripping requires
  const tsc = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');
  const r = await runChild(
    [tsc, '--noEmit', '--erasableSyntaxOnly', '--verbatimModuleSyntax', '--allowImportingTsExtensions', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--target', 'es2022', '--strict', '--types', 'node', join(HOOK_DIR, 'handler.ts')],
    { cwd: REPO, env: { PATH: process.env.PATH } },
  );
  assert.equal(r.code, 0, r.stdout + r.stderr);
});
