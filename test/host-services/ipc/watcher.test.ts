// The host side of NanoClaw IPC with hostile and broken task files, against a real watcher on a
// temporary NanoClaw tree: malformed JSON, hostile requestIds, oversized files, unknown types,
// symlinks, 50 concurrent tasks, stale results, and the watcher still answering afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isGuardianError } from '../../../lib/errors.ts';
import { handleTrafficIpc } from '../../../host-services/ipc/handle.ts';
import { recoverRequestId } from '../../../host-services/ipc/task-file.ts';
import { startIpcWatcher, type IpcWatcher } from '../../../host-services/ipc/watcher.ts';
import { createIpcBackend } from '../../../mcp-tools/ipc-backend.ts';
import { MAX_TASK_BYTES, TrafficResultSchema } from '../../../mcp-tools/schemas.ts';
import { makeHome, makeNanoclawRoot, type TestHome } from '../../mcp-tools/support.ts';

type Json = Record<string, any>;

interface Setup {
  h: TestHome;
  root: string;
  ipcBase: string;
  groupDir(g: string): string;
  watcher: IpcWatcher;
  done(): Promise<void>;
}

function setup(opts: { resultTtlMs?: number } = {}): Setup {
  const h = makeHome();
  const nc = makeNanoclawRoot(h);
  const watcher = startIpcWatcher({
    nanoclawRoot: nc.root,
    layout: h.layout,
    config: h.config,
    context: h.context,
    pollMs: 40,
    ...(opts.resultTtlMs !== undefined ? { resultTtlMs: opts.resultTtlMs } : {}),
  });
  return {
    h,
    ...nc,
    watcher,
    async done() {
      await watcher.stop();
      h.cleanup();
    },
  };
}

/** As a container writes it: <name>.tmp, then rename. */
function putTask(groupDir: string, name: string, content: string | Buffer): string {
  const dir = join(groupDir, 'clawsec_tasks');
  mkdirSync(dir, { recursive: true });
  const p = join(dir, name);
  writeFileSync(`${p}.tmp`, content);
  renameSync(`${p}.tmp`, p);
  return p;
}

function readResult(groupDir: string, requestId: string): Json | undefined {
  const p = join(groupDir, 'clawsec_results', `${requestId}.json`);
  if (!existsSync(p)) return undefined;
  return TrafficResultSchema.parse(JSON.parse(readFileSync(p, 'utf8'))) as Json;
}

function errorsFiles(ipcBase: string): string[] {
  try {
    return readdirSync(join(ipcBase, 'errors'));
  } catch {
    return [];
  }
}

/** Every file under `dir`, relative, recursively (symlinks listed, not followed). */
function tree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix + d.name;
    if (d.isDirectory()) out.push(...tree(join(dir, d.name), `${rel}/`));
    else out.push(rel);
  }
  return out;
}

async function healthy(s: Setup, group = 'main'): Promise<void> {
  const backend = createIpcBackend({ ipcDir: s.groupDir(group), pollMs: 20, timeoutMs: 5000 });
  const out = (await backend.call('clawsec_traffic_status', {})) as Json;
  assert.equal(out.schema_version, 'clawsec-traffic-status/v1', 'the watcher still answers');
}

test('malformed JSON: moved to data/ipc/errors/, error result when the requestId is recoverable', async () => {
  const s = setup();
  try {
    putTask(s.groupDir('main'), 'torn.json', '{"type":"clawsec_traffic_status","requestId":"torn-1","timesta');
    putTask(s.groupDir('main'), 'garbage.json', 'not json at all');
    await s.watcher.scanNow();
    const r = readResult(s.groupDir('main'), 'torn-1');
    assert.equal(r?.success, false);
    assert.equal(r?.error.code, 'IPC_INVALID_TASK');
    assert.deepEqual(errorsFiles(s.ipcBase).sort(), ['main-clawsec-garbage.json', 'main-clawsec-torn.json']);
    assert.deepEqual(readdirSync(join(s.groupDir('main'), 'clawsec_tasks')), []);
    assert.deepEqual(readdirSync(join(s.groupDir('main'), 'clawsec_results')), ['torn-1.json'], 'no result for the file without a requestId');
    await healthy(s);
  } finally {
    await s.done();
  }
});

test('hostile requestId ../../x: nothing is written outside the results folder', async () => {
  const s = setup();
  try {
    const before = tree(s.root);
    const hostile = ['../../x', '../x', '..', 'a/../../x', '/tmp/x', 'x\\..\\y', '.hidden', 'a..b', 'x'.repeat(129), '', 'ok\u0000x'];
    hostile.forEach((id, i) => putTask(s.groupDir('family'), `hostile-${i}.json`, JSON.stringify({ type: 'clawsec_traffic_status', requestId: id })));
    await s.watcher.scanNow();
    const after = tree(s.root);
    const added = after.filter((p) => !before.includes(p));
    // only the moved task files appear, all under data/ipc/errors/; no result anywhere
    assert.ok(added.length > 0);
    for (const p of added) assert.match(p, /^data\/ipc\/errors\/family-clawsec-hostile-\d+\.json$/, p);
    assert.equal(added.length, hostile.length);
    assert.equal(existsSync(join(s.ipcBase, 'x.json')), false);
    assert.equal(existsSync(join(s.root, 'data', 'x.json')), false);
    assert.equal(existsSync(join(s.root, 'x.json')), false);
    assert.equal(existsSync(join(s.groupDir('family'), 'clawsec_results')), false, 'not even the results folder was needed');

    // the delegated handler refuses it too, so NanoClaw moves the file to errors/
    await assert.rejects(
      () => handleTrafficIpc({ type: 'clawsec_traffic_status', requestId: '../../x' }, 'family', false, { ipcBaseDir: s.ipcBase, context: s.h.context }),
      (err: unknown) => isGuardianError(err) && err.code === 'IPC_INVALID_TASK',
    );
    // and a forged group name cannot steer the result either
    await assert.rejects(
      () => handleTrafficIpc({ type: 'clawsec_traffic_status', requestId: 'ok-1' }, '../main', true, { ipcBaseDir: s.ipcBase, context: s.h.context }),
      (err: unknown) => isGuardianError(err) && err.code === 'IPC_INVALID_TASK',
    );
    await healthy(s, 'family');
  } finally {
    await s.done();
  }
});

test('a symlinked results folder, tasks folder or task file is refused, never followed', async () => {
  const s = setup();
  const outside = join(s.h.dir, 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'host-secret.txt'), 'host only');
  try {
    symlinkSync(outside, join(s.groupDir('family'), 'clawsec_results'));
    putTask(s.groupDir('family'), 'via-link.json', JSON.stringify({ type: 'clawsec_traffic_status', requestId: 'via-link' }));
    mkdirSync(join(s.groupDir('main'), 'clawsec_tasks'), { recursive: true });
    symlinkSync(join(outside, 'host-secret.txt'), join(s.groupDir('main'), 'clawsec_tasks', 'linked.json'));
    await s.watcher.scanNow();
    assert.deepEqual(readdirSync(outside), ['host-secret.txt'], 'nothing written through the symlink');
    assert.ok(lstatSync(join(s.groupDir('family'), 'clawsec_results')).isSymbolicLink(), 'the link is left for the operator to see');
    const errs = errorsFiles(s.ipcBase).sort();
    assert.deepEqual(errs, ['family-clawsec-via-link.json', 'main-clawsec-linked.json']);
    assert.ok(lstatSync(join(s.ipcBase, 'errors', 'main-clawsec-linked.json')).isSymbolicLink(), 'the link itself was moved, its target never read');
    assert.equal(readFileSync(join(outside, 'host-secret.txt'), 'utf8'), 'host only');

    // a tasks folder replaced by a symlink to a host folder: its JSON files are neither read,
    // answered, moved nor deleted
    const hostDir = join(s.h.dir, 'host-json');
    mkdirSync(hostDir);
    const hostFiles = {
      'settings.json': JSON.stringify({ type: 'clawsec_traffic_status', requestId: 'steal-1' }),
      'credentials.json': '{"not": "a task"}',
      'broken.json': 'garbage',
    };
    for (const [n, c] of Object.entries(hostFiles)) writeFileSync(join(hostDir, n), c);
    mkdirSync(s.groupDir('other'), { recursive: true });
    symlinkSync(hostDir, join(s.groupDir('other'), 'clawsec_tasks'));
    await s.watcher.scanNow();
    assert.deepEqual(readdirSync(hostDir).sort(), Object.keys(hostFiles).sort());
    for (const [n, c] of Object.entries(hostFiles)) assert.equal(readFileSync(join(hostDir, n), 'utf8'), c);
    assert.equal(readResult(s.groupDir('other'), 'steal-1'), undefined);
    assert.deepEqual(errorsFiles(s.ipcBase).sort(), ['family-clawsec-via-link.json', 'main-clawsec-linked.json']);
    assert.match(s.watcher.stats().lastProblem ?? '', /clawsec_tasks is not a real directory/);
    await healthy(s, 'main');
  } finally {
    await s.done();
  }
});

test('oversized task: IPC_TOO_LARGE result when the requestId is safely recoverable, else errors/', async () => {
  const s = setup();
  try {
    const pad = 'x'.repeat(MAX_TASK_BYTES + 10);
    putTask(s.groupDir('main'), 'big.json', JSON.stringify({ type: 'clawsec_traffic_findings', requestId: 'big-1', pad }));
    putTask(s.groupDir('main'), 'big-noid.json', JSON.stringify({ type: 'clawsec_traffic_findings', pad }));
    putTask(s.groupDir('main'), 'big-twoids.json', `{"requestId":"a-1","requestId":"b-2","pad":"${pad}"}`);
    // exactly at the limit is still read
    const exact = JSON.stringify({ type: 'clawsec_traffic_status', requestId: 'exact-1', pad: '' });
    putTask(s.groupDir('main'), 'exact.json', exact.replace('"pad":""', `"pad":"${'y'.repeat(MAX_TASK_BYTES - exact.length)}"`));
    await s.watcher.scanNow();
    const big = readResult(s.groupDir('main'), 'big-1');
    assert.equal(big?.success, false);
    assert.equal(big?.error.code, 'IPC_TOO_LARGE');
    assert.equal(readResult(s.groupDir('main'), 'exact-1')?.success, true);
    assert.equal(readResult(s.groupDir('main'), 'a-1'), undefined);
    assert.equal(readResult(s.groupDir('main'), 'b-2'), undefined);
    assert.deepEqual(errorsFiles(s.ipcBase).sort(), ['main-clawsec-big-noid.json', 'main-clawsec-big-twoids.json']);
    assert.deepEqual(readdirSync(join(s.groupDir('main'), 'clawsec_tasks')), []);
    await healthy(s);
  } finally {
    await s.done();
  }
});

test('unknown types and invalid arguments are answered with an error; other types are not ours', async () => {
  const s = setup();
  try {
    putTask(s.groupDir('main'), 'u1.json', JSON.stringify({ type: 'clawsec_traffic_nope', requestId: 'u-1' }));
    putTask(s.groupDir('main'), 'u2.json', JSON.stringify({ type: 'schedule_task', requestId: 'u-2' }));
    putTask(s.groupDir('main'), 'u3.json', JSON.stringify({ type: 42, requestId: 'u-3' }));
    putTask(s.groupDir('main'), 'a1.json', JSON.stringify({ type: 'clawsec_traffic_findings', requestId: 'a-1', limit: 1000, threat_type: 'X' }));
    putTask(s.groupDir('main'), 'a2.json', JSON.stringify({ type: 'clawsec_traffic_findings', requestId: 'a-2', since: 'last week' }));
    putTask(s.groupDir('main'), 'arr.json', '["clawsec_traffic_status"]');
    await s.watcher.scanNow();
    for (const id of ['u-1', 'u-2', 'u-3']) assert.equal(readResult(s.groupDir('main'), id)?.error.code, 'IPC_UNKNOWN_TYPE', id);
    assert.match(readResult(s.groupDir('main'), 'u-1')?.error.message, /clawsec_traffic_status, clawsec_traffic_findings, clawsec_traffic_check_config/);
    const a1 = readResult(s.groupDir('main'), 'a-1');
    assert.equal(a1?.error.code, 'IPC_INVALID_TASK');
    assert.match(a1?.error.message, /limit/);
    assert.match(a1?.error.message, /threat_type/);
    assert.equal(readResult(s.groupDir('main'), 'a-2')?.error.code, 'IPC_INVALID_TASK');
    assert.deepEqual(errorsFiles(s.ipcBase), ['main-clawsec-arr.json']);

    // the delegated entry point leaves NanoClaw's own types alone and writes nothing for them
    const deps = { ipcBaseDir: s.ipcBase, context: s.h.context };
    for (const task of [{ type: 'schedule_task', requestId: 'n-1' }, { type: 'message' }, null, 'text', ['clawsec_x']]) {
      assert.equal(await handleTrafficIpc(task, 'main', true, deps), false, JSON.stringify(task));
    }
    assert.equal(readResult(s.groupDir('main'), 'n-1'), undefined);
    assert.equal(await handleTrafficIpc({ type: 'clawsec_other_tool', requestId: 'n-2' }, 'main', true, deps), true);
    assert.equal(readResult(s.groupDir('main'), 'n-2')?.error.code, 'IPC_UNKNOWN_TYPE');
    assert.equal(await handleTrafficIpc({ type: 'clawsec_traffic_findings', requestId: 'n-3', limit: 1 }, 'family', false, deps), true);
    const n3 = readResult(s.groupDir('family'), 'n-3');
    assert.equal(n3?.success, true);
    assert.equal(n3?.data.agent_scope, 'family');
    await healthy(s);
  } finally {
    await s.done();
  }
});

test('50 concurrent tasks from three groups are all answered, each with its own scope', async () => {
  const s = setup();
  try {
    const groups = ['main', 'family', 'other'];
    const calls = Array.from({ length: 50 }, (_, i) => {
      const group = groups[i % 3] as string;
      const backend = createIpcBackend({ ipcDir: s.groupDir(group), pollMs: 25, timeoutMs: 10_000 });
      return backend.call('clawsec_traffic_findings', { limit: 200 }).then((out) => ({ group, out: out as Json }));
    });
    const answers = await Promise.all(calls);
    assert.equal(answers.length, 50);
    const expected: Record<string, number> = { main: 4, family: 2, other: 0 };
    for (const a of answers) assert.equal(a.out.total, expected[a.group], a.group);
    for (const g of groups) {
      assert.deepEqual(readdirSync(join(s.groupDir(g), 'clawsec_tasks')), [], g);
      assert.deepEqual(readdirSync(join(s.groupDir(g), 'clawsec_results')), [], g);
    }
    assert.ok(s.watcher.stats().answered >= 50);
    await healthy(s);
  } finally {
    await s.done();
  }
});

test('temp files and dot-files are never read; stale results are collected, fresh ones kept', async () => {
  const s = setup({ resultTtlMs: 1000 });
  try {
    const tasks = join(s.groupDir('main'), 'clawsec_tasks');
    mkdirSync(tasks, { recursive: true });
    writeFileSync(join(tasks, 'half.json.tmp'), '{"type":"clawsec_traffic_status","requestId":"half-1"');
    writeFileSync(join(tasks, '.hidden.json'), JSON.stringify({ type: 'clawsec_traffic_status', requestId: 'hidden-1' }));
    const results = join(s.groupDir('main'), 'clawsec_results');
    mkdirSync(results, { recursive: true });
    writeFileSync(join(results, 'old.json'), '{}');
    writeFileSync(join(results, 'fresh.json'), '{}');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(results, 'old.json'), old, old);
    await s.watcher.scanNow();
    assert.equal(readResult(s.groupDir('main'), 'half-1'), undefined);
    assert.equal(readResult(s.groupDir('main'), 'hidden-1'), undefined);
    assert.ok(existsSync(join(tasks, 'half.json.tmp')), 'a temp file being written is left alone');
    assert.deepEqual(readdirSync(results).sort(), ['fresh.json']);
    // a temp file whose writer died is collected once stale
    utimesSync(join(tasks, 'half.json.tmp'), old, old);
    await new Promise((r) => setTimeout(r, 300));
    await s.watcher.scanNow();
    assert.equal(existsSync(join(tasks, 'half.json.tmp')), false);
    assert.ok(s.watcher.stats().staleRemoved >= 2);
  } finally {
    await s.done();
  }
});

test('the watcher survives a missing or broken IPC tree and stops cleanly', async () => {
  const h = makeHome();
  const root = join(h.dir, 'not-yet-nanoclaw');
  mkdirSync(root);
  const watcher = startIpcWatcher({ nanoclawRoot: root, layout: h.layout, config: h.config, context: h.context, pollMs: 30 });
  try {
    await watcher.scanNow();
    assert.equal(existsSync(join(root, 'data')), false, 'the watcher creates nothing in the NanoClaw tree on its own');
    // NanoClaw starts later: the group appears and is served without a restart
    const nc = makeNanoclawRoot({ dir: h.dir }, ['main']);
    const w2 = startIpcWatcher({ nanoclawRoot: nc.root, layout: h.layout, config: h.config, context: h.context, pollMs: 30 });
    rmSync(join(nc.ipcBase, 'main'), { recursive: true });
    await w2.scanNow();
    mkdirSync(join(nc.ipcBase, 'main'));
    writeFileSync(join(nc.ipcBase, 'stray-file'), 'not a group');
    const out = (await createIpcBackend({ ipcDir: join(nc.ipcBase, 'main'), pollMs: 20, timeoutMs: 5000 }).call('clawsec_traffic_status', {})) as Json;
    assert.equal(out.running, false);
    await w2.stop();
    await w2.stop(); // idempotent
    const ticks = w2.stats().ticks;
    await new Promise((r) => setTimeout(r, 150));
    assert.equal(w2.stats().ticks, ticks, 'no scans after stop');
  } finally {
    await watcher.stop();
    h.cleanup();
  }
});

test('recoverRequestId: exactly one valid id, or none', () => {
  assert.equal(recoverRequestId('{"requestId":"abc-1","type":'), 'abc-1');
  assert.equal(recoverRequestId('{"requestId" : "abc-1", "requestId":"abc-1"'), 'abc-1');
  assert.equal(recoverRequestId('{"requestId":"a-1","requestId":"b-2"}'), undefined);
  assert.equal(recoverRequestId('{"requestId":"../../x"}'), undefined);
  assert.equal(recoverRequestId('{"requestId":"a..b"}'), undefined);
  assert.equal(recoverRequestId('{"type":"x"}'), undefined);
});
