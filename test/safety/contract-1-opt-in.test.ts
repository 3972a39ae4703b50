// Safety contract 1: opt-in only. Nothing starts or intercepts by itself: no npm lifecycle script,
// no side effect on import (no listener, no socket, no child process, nothing written), the OpenClaw
// hook never starts the monitor, and no command but `start` ever starts one. Processes run with the
// trap preloaded (fixtures/trap.mjs), which records every child process, listen and connect.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { activity, callMcpTools, HOOK_EVENTS, REPO, runHook, SLOW, TRAP, World, isTsxEsbuild } from './helpers.ts';

/** npm runs these on `npm install` (of the package or in its folder) or on publish/pack. */
const LIFECYCLE = ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare', 'prepublish', 'preuninstall', 'uninstall', 'postuninstall', 'dependencies'];

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules') continue;
    const full = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFiles(full));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(full);
  }
  return out.sort();
}

test('safety: opt-in: no npm lifecycle script runs on install (package.json and the hook folder)', () => {
  for (const file of ['package.json', 'hooks/openclaw-traffic-guardian-hook/package.json']) {
    const pkg = JSON.parse(readFileSync(join(REPO, file), 'utf8')) as { scripts?: Record<string, string>; gypfile?: boolean };
    const scripts = Object.keys(pkg.scripts ?? {});
    assert.deepEqual(scripts.filter((s) => LIFECYCLE.includes(s)), [], `${file} has an install-time script`);
    assert.notEqual(pkg.gypfile, true, `${file}: a gypfile makes npm run node-gyp on install`);
    assert.equal(existsSync(join(REPO, file, '..', 'binding.gyp')), false, `${file}: binding.gyp makes npm build on install`);
  }
  // `npm start` is the explicit, foreground way to run it; nothing else starts the monitor
  const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
  assert.match(pkg.scripts.start ?? '', /\bstart --foreground\b/);
});

test('safety: opt-in: importing every module of lib/, the hook, mcp-tools/ and host-services/ starts nothing and opens no socket', SLOW, async (t) => {
  const w = new World(t);
  const files = [...['lib', 'hooks', 'mcp-tools', 'host-services'].flatMap((d) => tsFiles(join(REPO, d)))];
  assert.ok(files.length > 50, `found only ${files.length} modules`);
  // The process must end by itself: a listener, socket, child or ref'd timer would keep it alive.
  const script = `
    for (const f of ${JSON.stringify(files)}) await import(f);
    const kinds = process.getActiveResourcesInfo();
    process.stdout.write(JSON.stringify({ loaded: ${files.length}, kinds }));
  `;
  const r = await w.runProgram(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { trap: true, cwd: REPO, timeoutMs: 60_000 });
  assert.equal(r.signal, null, `the importing process did not end by itself within 60 s (something keeps it alive); stderr: ${r.stderr}`);
  assert.equal(r.code, 0, r.stderr);
  const report = JSON.parse(r.stdout) as { loaded: number; kinds: string[] };
  assert.equal(report.loaded, files.length);
  // stdout/stderr pipes are the test's own; sockets, servers and child processes would be the modules'
  const open = report.kinds.filter((k) => /^(?:TCP|UDP|Process|Signal|FSEvent|StatWatcher)/i.test(k));
  assert.deepEqual(open, [], `active resources after import: ${report.kinds.join(', ')}`);
  assert.equal(w.trapRecords().filter((x) => x.kind === 'loaded').length, 1, 'the importing process ran with the trap');
  assert.deepEqual(activity(w.trapRecords()), [], 'no child process, listener or connection on import');
  assert.deepEqual(readdirSync(w.userHome), [], 'nothing written under HOME on import');
});

test('safety: opt-in: the OpenClaw hook never starts the monitor (no home, idle home, stale state)', SLOW, async (t) => {
  const w = new World(t);
  const noHome = await runHook(w, HOOK_EVENTS, { trap: true });
  assert.equal(existsSync(w.guardianHome), false, 'the hook created no home');

  // an idle home with a findings log and a state file naming a process that has exited
  mkdirSync(w.layout.runDir, { recursive: true });
  mkdirSync(w.layout.logDir, { recursive: true });
  const dead = spawnSync(process.execPath, ['-e', ''], { stdio: 'ignore' }).pid!;
  writeFileSync(
    w.layout.stateFile,
    JSON.stringify({ schema_version: 'clawsec-traffic-state/v1', pid: dead, process: { pid: dead, start_time: null, cmdline_marker: null }, home: w.guardianHome, listen: { host: '127.0.0.1', port: 18787 }, proxy_url: 'http://127.0.0.1:18787', https_inspection: false }),
  );
  const stale = await runHook(w, HOOK_EVENTS, { trap: true });
  writeFileSync(w.layout.stateFile, '');
  const idle = await runHook(w, [...HOOK_EVENTS, ...HOOK_EVENTS], { trap: true });

  assert.equal(w.trapRecords().filter((x) => x.kind === 'loaded').length, 3, 'each hook process ran with the trap');
  assert.deepEqual(activity(w.trapRecords()), [], 'the hook spawned, listened or connected');
  assert.equal(existsSync(w.layout.pidFile), false, 'no monitor pid file');
  const state = readFileSync(w.layout.stateFile, 'utf8');
  assert.ok(state === '' || !state.includes(String(process.pid)), 'no state written by a monitor');
  // every message the hook pushed says the monitor is not running; the hook never made it run
  for (const run of [noHome, stale]) {
    const messages = Object.values(run.messages).flat();
    assert.equal(messages.length, HOOK_EVENTS.length, JSON.stringify(run.messages));
    for (const m of messages) assert.match(m, /NOT running/, m);
  }
  for (const m of Object.values(idle.messages).flat()) assert.match(m, /NOT running/, m);
});

test('safety: opt-in: env, status and every other command but start never start a monitor', SLOW, async (t) => {
  const w = new World(t);
  const hooksDir = join(w.root, 'hooks-target');
  const sample = join(w.work, 'sample.txt');
  writeFileSync(sample, 'nothing to see\n');
  const inspecting = join(w.work, 'inspecting.json');
  writeFileSync(inspecting, JSON.stringify({ https_inspection: true }));
  const commands: string[][] = [
    ['env'],
    ['env', '--shell', 'fish', '--target', 'generic'],
    ['env', '--json', '--target', 'nanoclaw-container'],
    ['env', '--config', inspecting],
    ['status'],
    ['status', '--json'],
    ['threats'],
    ['threats', '--json'],
    ['check-config'],
    ['check-config', '--json', '--https-inspection'],
    ['scan', sample],
    ['trust-instructions', '--confirm'],
    ['hook-install', '--hooks-dir', hooksDir],
    ['stop'],
    ['stop', '--json'],
  ];
  const runs = await Promise.all(commands.map((args) => w.run(args, { trap: true })));
  runs.forEach((r, i) => {
    const args = commands[i]!;
    assert.ok(r.code === 0 || (args[0] === 'trust-instructions' && r.code === 1), `${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  });
  // the MCP server (stdio) over all three tools
  const mcp = await callMcpTools(w, [], { NODE_OPTIONS: `--import=${TRAP}`, CTG_SAFETY_TRAP_LOG: w.trapLog });
  assert.equal(Object.keys(mcp.results).length, 3);
  assert.equal(existsSync(w.layout.stateFile) || existsSync(w.layout.pidFile), false, 'monitor run files were left');
  const status = JSON.parse((await w.run(['status', '--json'])).stdout) as Record<string, unknown>;
  assert.equal(status.running, false);
  assert.equal(status.pid, null);

  const all = w.trapRecords();
  // every process ran with the trap: each command, and the MCP server
  const loaded = all.filter((r) => r.kind === 'loaded');
  assert.equal(loaded.length, commands.length + 1, 'processes that ran with the trap');
  assert.ok(loaded.some((r) => r.argv.includes('mcp')));
  const records = activity(all);
  assert.deepEqual(records.filter((r) => r.kind === 'spawn' && !isTsxEsbuild(r)), [], 'a command spawned a process');
  assert.deepEqual(records.filter((r) => r.kind === 'listen' || r.kind === 'udp'), [], 'a command opened a listener');
  assert.deepEqual(records.filter((r) => r.kind === 'connect'), [], 'a command connected somewhere');
  assert.equal(existsSync(w.layout.caKey), false, 'no CA generated by env/check-config --https-inspection');
});
