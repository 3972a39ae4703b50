// Upstream chaining: with upstreamProxy set, plain HTTP, intercepted HTTPS and un-inspected
// CONNECT tunnels all leave through the upstream proxy (a second real mockttp, or a minimal
// CONNECT proxy that records what it is asked), never directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { getLocal, generateCACertificate } from 'mockttp';
import { Scope, collector, connectTunnel, hasOpenssl, httpUpstream, httpsUpstream, httpsViaProxy, listen, makeUpstreamPki, monitor, viaProxy } from './helpers.ts';

const opensslMissing = hasOpenssl() ? false : 'openssl CLI not installed';

async function chainedMockttp(scope: Scope) {
  const ca = await generateCACertificate();
  const chain = getLocal({ recordTraffic: false, https: { key: ca.key, cert: ca.cert, tlsPassthrough: [{ hostname: '*' }] } });
  await chain.forAnyRequest().thenPassThrough({ ignoreHostHttpsErrors: true });
  const seen: { requests: string[]; tunnels: string[] } = { requests: [], tunnels: [] };
  await chain.on('request-initiated', (r) => seen.requests.push(r.url));
  await chain.on('tls-passthrough-opened', (t) => seen.tunnels.push(`${t.destination.hostname}:${t.destination.port}`));
  await chain.start(0);
  scope.track(() => chain.stop());
  return { url: `http://127.0.0.1:${chain.port}`, seen };
}

const echo = (req: http.IncomingMessage, res: http.ServerResponse): void => {
  res.end(`echo ${req.url}`);
};

test('plain HTTP goes through the upstream proxy; agent credentials are not passed on', async () => {
  const scope = new Scope();
  try {
    const headersSeen: http.IncomingHttpHeaders[] = [];
    const up = await httpUpstream(scope, (req, res) => {
      headersSeen.push(req.headers);
      echo(req, res);
    });
    const chain = await chainedMockttp(scope);
    const c = collector();
    const m = await monitor(scope, { inspect: c.inspect, upstreamProxy: chain.url });
    const r = await viaProxy(m.port, `http://127.0.0.1:${up.port}/chained?q=1`, { agent: 'main' });
    assert.equal(r.body.toString(), 'echo /chained?q=1');
    assert.deepEqual(chain.seen.requests, [`http://127.0.0.1:${up.port}/chained?q=1`]);
    assert.equal(headersSeen[0]!['proxy-authorization'], undefined);
    const out = await c.waitFor((x) => x.path === '/chained', 'scan');
    assert.equal(out.agent, 'main');
  } finally {
    await scope.close();
  }
});

test('inspection off: CONNECT tunnels are dialled through the upstream proxy (with its credentials)', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  try {
    const pki = await makeUpstreamPki(scope);
    const up = await httpsUpstream(scope, pki, echo);

    // 1. through a second mockttp
    const chain = await chainedMockttp(scope);
    const m = await monitor(scope, { inspect: () => {}, upstreamProxy: chain.url });
    const r = await httpsViaProxy(m.port, { host: 'localhost', port: up.port, path: '/t' }, { ca: pki.caCert });
    assert.equal(r.body.toString(), 'echo /t');
    assert.deepEqual(chain.seen.tunnels, [`localhost:${up.port}`]);

    // 2. through a minimal CONNECT proxy that records the request line and credentials
    const connects: Array<{ url: string; auth: string | undefined }> = [];
    const recorder = http.createServer();
    recorder.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
      connects.push({ url: req.url ?? '', auth: req.headers['proxy-authorization'] });
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host!, () => {
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        if (head.length) upstream.write(head);
        socket.pipe(upstream);
        upstream.pipe(socket);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    const rec = await listen(scope, recorder);
    const m2 = await monitor(scope, { inspect: () => {}, upstreamProxy: `http://gw%20user:s3cret@127.0.0.1:${rec.port}` });
    const r2 = await httpsViaProxy(m2.port, { host: 'localhost', port: up.port, path: '/t2' }, { ca: pki.caCert });
    assert.equal(r2.body.toString(), 'echo /t2');
    assert.deepEqual(connects, [{ url: `localhost:${up.port}`, auth: `Basic ${Buffer.from('gw user:s3cret').toString('base64')}` }]);
  } finally {
    await scope.close();
  }
});

test('inspection on: intercepted HTTPS leaves through the upstream proxy', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  try {
    const pki = await makeUpstreamPki(scope);
    const up = await httpsUpstream(scope, pki, echo);
    const chain = await chainedMockttp(scope);
    const c = collector();
    const m = await monitor(scope, { inspect: c.inspect, httpsInspection: true, upstreamProxy: chain.url, upstreamCaFiles: [pki.caCertPath] });
    const r = await httpsViaProxy(m.port, { host: 'localhost', port: up.port, path: '/i' }, { ca: readFileSync(m.caCertPath!, 'utf8') });
    assert.equal(r.body.toString(), 'echo /i');
    assert.deepEqual(chain.seen.tunnels, [`localhost:${up.port}`]);
    await c.waitFor((x) => x.direction === 'inbound' && x.path === '/i', 'inspected');
  } finally {
    await scope.close();
  }
});

test('an unreachable upstream proxy is a counted fault; the client tunnel is closed, the monitor keeps running', async () => {
  const scope = new Scope();
  try {
    const dead = net.createServer();
    const { port: deadPort } = await listen(scope, dead);
    await new Promise<void>((r) => dead.close(() => r()));
    const m = await monitor(scope, { inspect: () => {}, upstreamProxy: `http://127.0.0.1:${deadPort}` });
    const socket = await connectTunnel(m.port, 'localhost:443');
    // A real TLS client hello (with SNI) makes the monitor pass the tunnel through: the chain dial fails.
    const tlsClient = tls.connect({ socket, servername: 'localhost' });
    await new Promise<void>((resolve) => {
      tlsClient.on('close', () => resolve());
      tlsClient.on('error', () => {});
    });
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(m.faults().upstream_errors >= 1, JSON.stringify(m.faults()));
    assert.equal(m.faults().last_error?.code, 'ECONNREFUSED');
    // Plain HTTP through the same dead chain: a 502, and still no crash.
    const r = await viaProxy(m.port, 'http://127.0.0.1:9/');
    assert.equal(r.status, 502);
  } finally {
    await scope.close();
  }
});
