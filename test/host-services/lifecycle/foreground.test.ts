// `start --foreground`: runs attached; SIGTERM (and SIGINT) shut it down cleanly with every
// finding flushed, including repeats still inside the dedup window, and the run files removed.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ALNUM, fakeToken } from '../../../lib/patterns/fake.ts';
import { fakeKey, findingLines, proxiedPost, Sandbox, waitFor } from './helpers.ts';

const SLOW = { timeout: 180_000 };

/** /proc/<pid>/environ (Linux), null elsewhere. */
function environOf(pid: number): string[] | null {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
  } catch {
    return null;
  }
}

for (const sig of ['SIGTERM', 'SIGINT'] as const) {
  test(`--foreground: ${sig} flushes the open dedup window, removes pid/state, exits 0`, SLOW, async (t) => {
    const sb = new Sandbox(t);
    const up = await sb.upstream();
    const mon = sb.spawnBin(['start', '--foreground', '--port', '0', '--home', sb.home]);
    const state = await waitFor('state file of the foreground monitor', () => {
      if (mon.exitCode !== null) throw new Error(`monitor exited early: ${mon.out.stderr}`);
      const s = sb.state();
      return s && s.pid === mon.pid ? s : null;
    });
    await waitFor('setup text', () => mon.out.stdout.includes('Stop: Ctrl-C'));
    assert.match(mon.out.stdout, /Stop: Ctrl-C/);

    const key = fakeKey(`lifecycle-fg-${sig}`);
    const body = JSON.stringify({ leak: key });
    for (let i = 0; i < 3; i++) {
      const r = await proxiedPost(state.listen.port, up.port, '/upload', body);
      assert.equal(r.status, 200);
    }
    // the first occurrence is logged at once; the repeats wait for the window (60 s by default)
    await waitFor('first occurrence logged', () => findingLines(sb.layout).length === 1);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(findingLines(sb.layout).length, 1, 'repeats still inside the dedup window');

    mon.kill(sig);
    const [code] = (await once(mon, 'exit')) as [number | null];
    assert.equal(code, 0, mon.out.stderr);
    const lines = findingLines(sb.layout);
    assert.equal(lines.length, 2, JSON.stringify(lines));
    assert.equal(lines[0]?.count, 1);
    assert.equal(lines[1]?.count, 2, 'the summary line counts both repeats');
    assert.ok(typeof lines[1]?.first_seen === 'string');
    assert.equal(lines.reduce((n, l) => n + (l.count as number), 0), 3, 'every occurrence counted');
    assert.match(mon.out.stdout, new RegExp(`monitor stopped \\(${sig}\\): 2 finding lines written`));
    assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });
    for (const text of [mon.out.stdout, mon.out.stderr]) assert.ok(!text.includes(key.slice(20, 40)));
  });
}

test('--foreground --json prints one status object on stdout and nothing else', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const mon = sb.spawnBin(['start', '--foreground', '--port', '0', '--json', '--home', sb.home]);
  await waitFor('status object', () => {
    if (mon.exitCode !== null) throw new Error(`monitor exited early: ${mon.out.stderr}`);
    return mon.out.stdout.endsWith('\n');
  });
  const s = JSON.parse(mon.out.stdout) as Record<string, any>;
  assert.equal(s.running, true);
  assert.equal(s.pid, mon.pid);
  mon.kill('SIGTERM');
  const [code] = (await once(mon, 'exit')) as [number | null];
  assert.equal(code, 0);
  assert.equal(mon.out.stdout.trim().split('\n').length, 1, 'exactly one line of JSON');
});

test('proxy variables in the environment are stripped from the monitor (no proxy loop)', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const up = await sb.upstream();
  // a dead proxy: if the monitor honoured it, forwarding would fail
  const env = { HTTP_PROXY: 'http://127.0.0.1:9', http_proxy: 'http://127.0.0.1:9', HTTPS_PROXY: 'http://127.0.0.1:9', ALL_PROXY: 'http://127.0.0.1:9' };
  const r = await sb.cli(['start', '--port', '0', '--json'], { env });
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, any>;
  sb.trackMonitor(s.pid);
  const res = await proxiedPost(s.listen.port, up.port, '/x', '{}');
  assert.equal(res.status, 200);
  assert.equal(up.hits, 1);
  const environ = environOf(s.pid as number);
  if (environ !== null) {
    for (const k of Object.keys(env)) assert.ok(!environ.some((e) => e.startsWith(`${k}=`)), `${k} reached the monitor`);
  }
  assert.equal((await sb.cli(['stop'])).code, 0);
});

test('start --nanoclaw-root serves IPC tasks from the monitor; stop ends it', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const root = join(sb.root, 'nanoclaw');
  const tasks = join(root, 'data', 'ipc', 'main', 'clawsec_tasks');
  mkdirSync(tasks, { recursive: true });
  mkdirSync(join(root, 'groups'));
  const r = await sb.cli(['start', '--port', '0', '--json', '--nanoclaw-root', root]);
  assert.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as Record<string, any>;
  sb.trackMonitor(s.pid);

  writeFileSync(join(tasks, 'q1.json.tmp'), JSON.stringify({ type: 'clawsec_traffic_status', requestId: 'q1', timestamp: new Date().toISOString() }));
  renameSync(join(tasks, 'q1.json.tmp'), join(tasks, 'q1.json'));
  const resultFile = join(root, 'data', 'ipc', 'main', 'clawsec_results', 'q1.json');
  const result = await waitFor('IPC result', () => (existsSync(resultFile) ? (JSON.parse(readFileSync(resultFile, 'utf8')) as Record<string, any>) : null), 60_000);
  assert.equal(result.success, true, JSON.stringify(result));
  assert.equal(result.requestId, 'q1');
  assert.equal(result.data.running, true);
  assert.equal(result.data.pid, s.pid);
  assert.ok(!('home' in result.data) && !JSON.stringify(result).includes(sb.root), 'no host path crosses into the container');

  assert.equal((await sb.cli(['stop'])).code, 0);
});

test('--secret-env-file: the agent own values are found in any encoding; SIGHUP reloads them', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const up = await sb.upstream();
  const envFile = join(sb.root, 'agent.env');
  const first = fakeToken('known-secret-1', 40, ALNUM);
  const second = fakeToken('known-secret-2', 40, ALNUM);
  writeFileSync(envFile, `MY_SERVICE_TOKEN=${first}\n`);
  const mon = sb.spawnBin(['start', '--foreground', '--port', '0', '--home', sb.home, '--secret-env-file', envFile]);
  const state = await waitFor('foreground monitor', () => {
    if (mon.exitCode !== null) throw new Error(`monitor exited early: ${mon.out.stderr}`);
    const s = sb.state();
    return s && s.pid === mon.pid ? s : null;
  });
  assert.equal(state.stats.known_secrets, 1);
  // state.json is written before the setup text is printed: wait for the text
  await waitFor('setup text names the known secrets', () => /known secrets:\s+1 value/.test(mon.out.stdout) || null);

  await proxiedPost(state.listen.port, up.port, '/a', JSON.stringify({ blob: Buffer.from(first).toString('base64') }));
  const one = await waitFor('known secret found (base64)', () => findingLines(sb.layout).find((l) => l.pattern === 'known_secret'));
  assert.equal(one.rule_id, 'known_secret/MY_SERVICE_TOKEN');

  // rotate the value in the file and reload with SIGHUP: the new value is watched from now on
  writeFileSync(envFile, `MY_SERVICE_TOKEN=${second}\n`);
  mon.kill('SIGHUP');
  await waitFor('reload logged', () => mon.out.stderr.includes('reloaded the secret env files'));
  assert.equal(mon.exitCode, null, 'SIGHUP does not stop the monitor');
  await proxiedPost(state.listen.port, up.port, '/b', `token=${second}`);
  await waitFor('the new value found', () => findingLines(sb.layout).filter((l) => l.pattern === 'known_secret').length === 2);

  mon.kill('SIGTERM');
  const [code] = (await once(mon, 'exit')) as [number | null];
  assert.equal(code, 0);
  const everything = readFileSync(sb.layout.findingsLog, 'utf8') + mon.out.stdout + mon.out.stderr;
  for (const v of [first, second]) assert.ok(!everything.includes(v.slice(0, 12)), 'a known value was written out');
});
