// Faults never stop traffic: each one is counted (visible through faults()), the monitor keeps
// serving, and mockttp's own console output does not reach stdout or stderr.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Scope, collector, hasOpenssl, httpUpstream, httpsViaProxy, monitor, part, viaProxy } from './helpers.ts';

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Send raw bytes to the proxy; resolves with whatever came back before close. */
function raw(port: number, bytes: string | Buffer, opts: { destroyAfterMs?: number } = {}): Promise<string> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve(got));
    s.write(bytes);
    if (opts.destroyAfterMs !== undefined) setTimeout(() => s.destroy(), opts.destroyAfterMs);
    else setTimeout(() => s.end(), 2000);
  });
}

test('upstream refused, reset before and during the response, DNS failure: counted, traffic keeps flowing', async () => {
  const scope = new Scope();
  try {
    const up = await httpUpstream(scope, (req, res) => {
      if (req.url === '/reset') return void req.socket.destroy();
      if (req.url === '/reset-mid') {
        res.writeHead(200, { 'content-length': '1000' });
        res.write('partial ');
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      res.end('fine');
    });
    const c = collector();
    const m = await monitor(scope, { inspect: c.inspect });
    const ok = async (label: string): Promise<void> => {
      const r = await viaProxy(m.port, `http://127.0.0.1:${up.port}/ok`);
      assert.equal(r.body.toString(), 'fine', `traffic flows after ${label}`);
    };

    const closed = await freePort();
    const refused = await viaProxy(m.port, `http://127.0.0.1:${closed}/`);
    assert.equal(refused.status, 502);
    assert.equal(m.faults().upstream_errors, 1);
    assert.equal(m.faults().last_error?.code, 'ECONNREFUSED');
    await ok('refused');

    const reset = await viaProxy(m.port, `http://127.0.0.1:${up.port}/reset`);
    assert.equal(reset.status, 502);
    assert.equal(m.faults().upstream_errors, 2);
    assert.equal(m.faults().last_error?.code, 'ECONNRESET');
    await ok('reset');

    const mid = await viaProxy(m.port, `http://127.0.0.1:${up.port}/reset-mid`).then(
      (r) => `status ${r.status}`,
      (e: NodeJS.ErrnoException) => e.code ?? e.message,
    );
    assert.notEqual(mid, 'status 200');
    assert.equal(m.faults().upstream_errors, 3);
    assert.equal(m.faults().last_error?.code, 'ECONNRESET');
    // What arrived before the cut is scanned.
    await c.waitFor((r) => r.direction === 'inbound' && r.path === '/reset-mid' && (part(r, 'body') ?? '').startsWith('partial '), 'partial response scan');
    await ok('reset mid-response');

    // A 64-character label is rejected by the resolver library itself: no DNS packet leaves.
    const dns = await viaProxy(m.port, `http://${'a'.repeat(64)}.invalid/`);
    assert.equal(dns.status, 502);
    assert.equal(m.faults().last_error?.code, 'ENOTFOUND');
    await ok('DNS failure');
    assert.ok(m.faults().upstream_errors >= 4, JSON.stringify(m.faults()));
    // The 502 pages mockttp writes are not upstream content: never scanned as inbound.
    assert.ok(!c.seen.some((r) => r.direction === 'inbound' && r.dest === `127.0.0.1:${closed}`));
  } finally {
    await scope.close();
  }
});

test('TLS failure to the upstream (plain HTTP server spoken to over TLS) is a counted upstream fault', { skip: hasOpenssl() ? false : 'openssl missing' }, async () => {
  const scope = new Scope();
  try {
    const up = await httpUpstream(scope, (_q, res) => res.end('plain'));
    const m = await monitor(scope, { inspect: () => {}, httpsInspection: true });
    const ca = (await import('node:fs')).readFileSync(m.caCertPath!, 'utf8');
    const r = await httpsViaProxy(m.port, { host: 'localhost', port: up.port, path: '/' }, { ca });
    assert.equal(r.status, 502);
    assert.equal(m.faults().upstream_errors, 1);
    assert.ok(m.faults().last_error?.code, 'an error code is recorded');
    assert.equal((await viaProxy(m.port, `http://127.0.0.1:${up.port}/`)).body.toString(), 'plain');
  } finally {
    await scope.close();
  }
});

test('a client aborting mid-body is counted and what it sent before the cut is still scanned', async () => {
  const scope = new Scope();
  try {
    const up = await httpUpstream(scope, (req, res) => {
      req.resume();
      req.on('end', () => res.end('fine'));
    });
    const c = collector();
    const m = await monitor(scope, { inspect: c.inspect });
    const head = `POST http://127.0.0.1:${up.port}/abort HTTP/1.1\r\nHost: 127.0.0.1:${up.port}\r\nContent-Length: 100000\r\n\r\n`;
    await raw(m.port, `${head}partial body with marker-before-cut`, { destroyAfterMs: 150 });
    const scanned = await c.waitFor((r) => r.path === '/abort' && r.direction === 'outbound', 'partial request scan');
    assert.equal(part(scanned, 'body'), 'partial body with marker-before-cut');
    await c.waitFor(() => m.faults().client_aborts >= 1, 'abort counted').catch(() => {
      assert.fail(`client abort not counted: ${JSON.stringify(m.faults())}`);
    });
    assert.equal((await viaProxy(m.port, `http://127.0.0.1:${up.port}/`)).body.toString(), 'fine');
  } finally {
    await scope.close();
  }
});

test('malformed HTTP gets an error answer, is counted, and does not disturb other clients', async () => {
  const scope = new Scope();
  try {
    const up = await httpUpstream(scope, (_q, res) => res.end('fine'));
    const m = await monitor(scope, { inspect: () => {} });
    const answer = await raw(m.port, 'GET / HTTP/1.1\r\nBad Header Without Colon\r\n\r\n');
    assert.match(answer, /^HTTP\/1\.1 400/);
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(m.faults().malformed_requests, 1);
    assert.equal((await viaProxy(m.port, `http://127.0.0.1:${up.port}/`)).body.toString(), 'fine');
  } finally {
    await scope.close();
  }
});

test('a throwing or rejecting detector is a counted fault; traffic is unaffected and scanning goes on', async () => {
  const scope = new Scope();
  try {
    const up = await httpUpstream(scope, (_q, res) => res.end('fine'));
    let calls = 0;
    const m = await monitor(scope, {
      inspect: (req) => {
        calls++;
        if (req.path === '/throw') throw Object.assign(new Error('detector bug with traffic text'), { code: 'E_DETECTOR' });
        if (req.path === '/reject') return Promise.reject(new Error('async bug')) as unknown as void;
      },
    });
    for (const p of ['/throw', '/reject', '/fine']) {
      const r = await viaProxy(m.port, `http://127.0.0.1:${up.port}${p}`);
      assert.equal(r.body.toString(), 'fine');
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(calls, 6, 'request + response of each exchange');
    assert.equal(m.faults().detector_errors, 4);
    assert.ok(!JSON.stringify(m.faults()).includes('traffic text'), 'fault records never carry messages');
  } finally {
    await scope.close();
  }
});

test('stdout and stderr stay clean while mockttp hits errors (monitor in a child process)', async () => {
  const scope = new Scope();
  try {
    const dir = scope.tempDir();
    const script = join(dir, 'child.mts');
    const monitorUrl = pathToFileURL(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../host-services/proxy/monitor.ts')).href;
    const layoutUrl = pathToFileURL(join(import.meta.dirname ?? new URL('.', import.meta.url).pathname, '../../../lib/home-layout.ts')).href;
    writeFileSync(
      script,
      `
import * as net from 'node:net';
import * as http from 'node:http';
import { startMonitor } from ${JSON.stringify(monitorUrl)};
import { homeLayout } from ${JSON.stringify(layoutUrl)};
const m = await startMonitor({ host: '127.0.0.1', port: 0, httpsInspection: false, allowClients: [], maxScanBytes: 1024,
  upstreamCaFiles: [], layout: homeLayout(${JSON.stringify(dir)}), platform: 'openclaw', inspect: () => {} });
const send = (bytes) => new Promise((resolve) => { const s = net.connect(m.port, '127.0.0.1'); s.on('error', () => {}); s.on('close', resolve); s.write(bytes); setTimeout(() => s.destroy(), 300); });
// upstream refused (mockttp: console.error "Failed to handle request")
await send('GET http://127.0.0.1:1/ HTTP/1.1\\r\\nHost: 127.0.0.1:1\\r\\n\\r\\n');
// garbage that looks like TLS inside a CONNECT (mockttp: console.warn "TLS client hello data not available")
await send(Buffer.concat([Buffer.from('CONNECT example.invalid:443 HTTP/1.1\\r\\nHost: example.invalid:443\\r\\n\\r\\n'), Buffer.from([0x16, 0x03, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5])]));
// malformed HTTP
await send('NOT HTTP AT ALL\\r\\n\\r\\n');
await new Promise((r) => setTimeout(r, 300));
const f = m.faults();
await m.stop();
console.log('after-stop ' + JSON.stringify({ suppressed: f.suppressed_messages, upstream: f.upstream_errors }));
`,
    );
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', script], { cwd: join(import.meta.dirname ?? '.', '../../..'), timeout: 30_000 }, (err, so, se) =>
        err ? reject(new Error(`child failed: ${se}`)) : resolve({ stdout: so, stderr: se }),
      );
    });
    const lines = stdout.trim().split('\n');
    assert.equal(lines.length, 1, `only the child's own line on stdout, got: ${stdout}`);
    const report = JSON.parse(lines[0]!.replace(/^after-stop /, '')) as { suppressed: number; upstream: number };
    assert.ok(report.suppressed >= 1, 'mockttp did try to print (and was kept quiet)');
    assert.equal(report.upstream, 1);
    assert.equal(stderr.replace(/^.*ExperimentalWarning.*$/gm, '').trim(), '', `stderr: ${stderr}`);
  } finally {
    await scope.close();
  }
});
