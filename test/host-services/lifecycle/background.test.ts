// Background lifecycle through the real bin: start returns once the listener accepts
// connections, traffic through it produces a finding that `threats` and `status` see, a second
// start is refused, two racing starts make one monitor, stop is idempotent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { createServer } from 'node:net';
import { FindingSchema } from '../../../lib/finding.ts';
import { CONTRACT_STATUS_FIELDS, fakeKey, findingLines, pidAlive, proxiedPost, Sandbox, waitFor } from './helpers.ts';

const SLOW = { timeout: 240_000 };

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

test('start in background, find a leak through it, refuse a second start, stop twice', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const up = await sb.upstream();

  const started = await sb.cli(['start', '--port', '0', '--json']);
  assert.equal(started.code, 0, started.stderr);
  const s = JSON.parse(started.stdout) as Record<string, any>;
  sb.trackMonitor(s.pid);
  assert.equal(s.running, true);
  assert.equal(s.schema_version, 'clawsec-traffic-status/v1');
  assert.deepEqual(Object.keys(s).slice(0, CONTRACT_STATUS_FIELDS.length), [...CONTRACT_STATUS_FIELDS]);
  assert.match(s.proxy_url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(s.proxy_url, `http://127.0.0.1:${s.listen.port}`);
  assert.notEqual(s.pid, process.pid);
  assert.ok(pidAlive(s.pid), 'monitor process is alive');

  // run files: private directory and files
  assert.equal(statSync(sb.layout.runDir).mode & 0o777, 0o700);
  for (const f of [sb.layout.stateFile, sb.layout.pidFile, sb.layout.monitorOut]) assert.equal(statSync(f).mode & 0o777, 0o600, f);
  assert.equal(readFileSync(sb.layout.pidFile, 'utf8').trim(), String(s.pid));

  // a real proxied request carrying a key
  const key = fakeKey('lifecycle-bg');
  const res = await proxiedPost(s.listen.port, up.port, '/collect', JSON.stringify({ leak: key }));
  assert.equal(res.status, 200);
  assert.equal(res.body, 'ok');
  assert.equal(up.hits, 1);

  const lines = await waitFor('a finding in the log', () => {
    const l = findingLines(sb.layout);
    return l.length ? l : null;
  });
  assert.equal(lines[0]?.pattern, 'ai_api_key');

  const threats = await sb.cli(['threats', '--json']);
  assert.equal(threats.code, 0, threats.stderr);
  const arr = JSON.parse(threats.stdout) as unknown[];
  assert.ok(Array.isArray(arr) && arr.length >= 1);
  const f = FindingSchema.parse(arr[0]);
  assert.equal(f.threat_type, 'EXFIL');
  assert.equal(f.dest, `127.0.0.1:${up.port}`);
  assert.equal(f.direction, 'outbound');
  assert.ok(!threats.stdout.includes(key.slice(20, 40)), 'secret never printed');

  const st = await sb.cli(['status', '--json']);
  assert.equal(st.code, 0, st.stderr);
  const status = JSON.parse(st.stdout) as Record<string, any>;
  assert.equal(status.running, true);
  assert.equal(status.pid, s.pid);
  assert.ok(status.findings_total >= 1);
  assert.ok(status.findings_by_type.EXFIL >= 1);
  assert.equal(status.last_findings[0].pattern, 'ai_api_key');
  assert.ok(!st.stdout.includes(key.slice(20, 40)));
  // the monitor refreshes its counters: the request shows up in stats within a few seconds
  await waitFor('stats refreshed by the monitor', async () => {
    const r = JSON.parse((await sb.cli(['status', '--json'])).stdout) as Record<string, any>;
    return r.stats?.requests >= 1 && r.stats?.findings_logged >= 1 ? r : null;
  }, 30_000);

  // a fault inside the monitor (upstream refused) is visible from this other process
  const deadPort = await freePort();
  const refused = await proxiedPost(s.listen.port, deadPort, '/nowhere', '{}');
  assert.ok(refused.status >= 500, `refused upstream answered ${refused.status}`);
  const faulty = await waitFor('upstream fault in status', async () => {
    const r = JSON.parse((await sb.cli(['status', '--json'])).stdout) as Record<string, any>;
    return r.faults?.upstream_errors >= 1 ? r : null;
  }, 30_000);
  assert.equal(faulty.faults.last_error.kind, 'upstream_errors');
  const humanFaults = await sb.cli(['status']);
  assert.match(humanFaults.stdout, /^faults: .*upstream errors \d+/m);

  // a second start never makes a second monitor
  const again = await sb.cli(['start', '--port', '0']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /already running/);
  assert.ok(again.stderr.includes(`pid ${s.pid}`), again.stderr);
  assert.ok(again.stderr.includes(s.proxy_url), again.stderr);
  assert.equal(sb.state()?.pid, s.pid, 'state still names the first monitor');
  const againJson = await sb.cli(['start', '--port', '0', '--json']);
  assert.equal(againJson.code, 1);
  assert.equal((JSON.parse(againJson.stderr) as { error: { code: string } }).error.code, 'ALREADY_RUNNING');

  const stop = await sb.cli(['stop']);
  assert.equal(stop.code, 0, stop.stderr);
  assert.match(stop.stdout, new RegExp(`stopped the monitor \\(pid ${s.pid}`));
  assert.equal(pidAlive(s.pid), false, 'monitor exited');
  assert.deepEqual(sb.runFilesExist(), { state: false, pid: false });

  const stop2 = await sb.cli(['stop']);
  assert.equal(stop2.code, 0);
  assert.match(stop2.stdout, /not running/);
  const stop3 = await sb.cli(['stop', '--json']);
  assert.equal(stop3.code, 0);
  assert.deepEqual(JSON.parse(stop3.stdout), { running: false, stopped: false, pid: null, proxy_url: null, forced: false, stale_cleaned: false });

  const after = JSON.parse((await sb.cli(['status', '--json'])).stdout) as Record<string, any>;
  assert.equal(after.running, false);
  for (const k of ['pid', 'proxy_url', 'listen', 'started_at']) assert.equal(after[k], null, k);
  assert.ok(after.findings_total >= 1, 'findings survive the monitor');
});

test('human start output: proxy URL, per-process usage, Node proxy note; nothing from the CA key', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const r = await sb.cli(['start', '--port', '0', '--https-inspection']);
  assert.equal(r.code, 0, r.stderr);
  const state = sb.state();
  assert.ok(state);
  sb.trackMonitor(state.pid);
  const url = `http://127.0.0.1:${state.listen.port}`;
  assert.match(r.stdout, new RegExp(`proxy URL:\\s+${url}`));
  // one per-process command line: proxy variables (both cases), NO_PROXY, the CA for Node
  const q = (v: string) => `'?${v.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}'?`;
  const usage = r.stdout.split('\n').find((l) => /HTTPS_PROXY=/.test(l)) ?? '';
  for (const name of ['HTTPS_PROXY', 'HTTP_PROXY', 'https_proxy', 'http_proxy']) assert.match(usage, new RegExp(`\\b${name}=${q(url)}( |$)`), name);
  assert.match(usage, new RegExp(`NO_PROXY=${q('localhost,127.0.0.1,::1')}`));
  assert.match(usage, new RegExp(`NODE_EXTRA_CA_CERTS=${q(sb.layout.caCert)}`));
  assert.match(r.stdout, /Node v?\d+[^\n]*fetch\(?\)? ignores|Node 20's fetch ignores/);
  assert.match(r.stdout, /NODE_USE_ENV_PROXY/);
  assert.match(r.stdout, /Nothing host-wide was changed/);
  // inspection on: CA path and fingerprint
  const fp = new X509Certificate(readFileSync(sb.layout.caCert)).fingerprint256;
  assert.ok(r.stdout.includes(fp), 'CA fingerprint shown');
  assert.ok(r.stdout.includes(sb.layout.caCert));
  assert.match(r.stdout, new RegExp(`Stop: \`clawsec-traffic-guardian stop --home`));
  const keyPem = readFileSync(sb.layout.caKey, 'utf8');
  const keyBody = keyPem.split('\n').filter((l) => l && !l.startsWith('-----'))[1] ?? 'unreachable';
  assert.ok(!r.stdout.includes('PRIVATE KEY') && !r.stdout.includes(keyBody));
  assert.ok(!r.stderr.includes('PRIVATE KEY'));

  const st = await sb.cli(['status', '--json']);
  const status = JSON.parse(st.stdout) as Record<string, any>;
  assert.equal(status.https_inspection, true);
  assert.equal(status.ca_cert_path, sb.layout.caCert);
  assert.equal(status.ca_fingerprint_sha256, fp);
  assert.ok(!st.stdout.includes('PRIVATE KEY'));

  const human = await sb.cli(['status']);
  assert.equal(human.code, 0);
  assert.match(human.stdout, new RegExp(`monitor: running \\(pid ${state.pid}`));
  assert.ok(human.stdout.includes(fp));
  assert.match(human.stdout, /faults: none/);
  assert.ok(!human.stdout.includes('\u001b['), 'no colour under NO_COLOR / no TTY');

  const stop = await sb.cli(['stop']);
  assert.equal(stop.code, 0, stop.stderr);
});

test('two concurrent starts make exactly one monitor', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const [a, b] = await Promise.all([sb.cli(['start', '--port', '0', '--json']), sb.cli(['start', '--port', '0', '--json'])]);
  const codes = [a.code, b.code].sort();
  assert.deepEqual(codes, [0, 1], `stdout: ${a.stdout} ${b.stdout} stderr: ${a.stderr} ${b.stderr}`);
  const winner = a.code === 0 ? a : b;
  const loser = a.code === 0 ? b : a;
  const s = JSON.parse(winner.stdout) as Record<string, any>;
  sb.trackMonitor(s.pid);
  assert.ok(loser.stderr.startsWith('{'), loser.stderr);
  assert.equal((JSON.parse(loser.stderr) as { error: { code: string } }).error.code, 'ALREADY_RUNNING');
  assert.ok(loser.stderr.includes(String(s.pid)), loser.stderr);
  assert.equal(sb.state()?.pid, s.pid);
  const stop = await sb.cli(['stop']);
  assert.equal(stop.code, 0, stop.stderr);
});

test('a start that cannot listen fails with exit 1 and points at monitor.out', SLOW, async (t) => {
  const sb = new Sandbox(t);
  const first = await sb.cli(['start', '--port', '0', '--json']);
  assert.equal(first.code, 0, first.stderr);
  const s = JSON.parse(first.stdout) as Record<string, any>;
  sb.trackMonitor(s.pid);
  // another home, same port: the listener cannot bind
  const other = new Sandbox(t, 'ctg-life-other-');
  const r = await other.cli(['start', '--port', String(s.listen.port)]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /exited during startup/);
  assert.ok(r.stderr.includes(other.layout.monitorOut), r.stderr);
  assert.deepEqual(other.runFilesExist(), { state: false, pid: false });
  const st = JSON.parse((await other.cli(['status', '--json'])).stdout) as Record<string, any>;
  assert.equal(st.running, false);
  assert.equal((await sb.cli(['stop'])).code, 0);
});
