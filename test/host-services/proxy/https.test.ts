// HTTPS through the monitor: CONNECT tunnels untouched with inspection off; interception with the
// guardian CA (Node client and curl) with inspection on; strict X.509 checks of the CA and leaves;
// upstream trust = Node roots + NODE_EXTRA_CA_CERTS + upstreamCaFiles.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { Scope, collector, connectTunnel, hasCurl, hasOpenssl, httpsUpstream, httpsViaProxy, makeUpstreamPki, monitor, part, fakeAnthropicKey } from './helpers.ts';
import * as tls from 'node:tls';
import * as http from 'node:http';

const opensslMissing = hasOpenssl() ? false : 'openssl CLI not installed';

function echoHandler(req: http.IncomingMessage, res: http.ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`echo:${Buffer.concat(chunks).toString()}`);
  });
}

/**
 * An HTTPS echo upstream with its own test CA (`pki`) and a monitor reporting to a collector; with
 * `inspecting`, the monitor intercepts HTTPS and trusts that CA upstream.
 */
async function echoBehindMonitor(scope: Scope, inspecting: boolean) {
  const pki = await makeUpstreamPki(scope);
  const up = await httpsUpstream(scope, pki, echoHandler);
  const c = collector();
  const m = await monitor(scope, { inspect: c.inspect, httpsInspection: inspecting, ...(inspecting ? { upstreamCaFiles: [pki.caCertPath] } : {}) });
  return { pki, up, c, m };
}

const pemOf = (raw: Buffer): string => `-----BEGIN CERTIFICATE-----\n${raw.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;

test('inspection off: CONNECT tunnels pass untouched (upstream certificate, body unseen), destination recorded', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  try {
    const { pki, up, c, m } = await echoBehindMonitor(scope, false);
    assert.equal(m.caFingerprint, undefined);
    assert.equal(m.proxyUrl, `http://127.0.0.1:${m.port}`);

    for (const host of ['localhost', '127.0.0.1']) {
      const secret = `body-${host}-` + fakeAnthropicKey();
      const res = await httpsViaProxy(m.port, { host, port: up.port, path: '/tunnel' }, { ca: pki.caCert, method: 'POST', body: secret, agent: 'main' });
      assert.equal(res.status, 200);
      assert.equal(res.body.toString(), `echo:${secret}`);
      assert.equal(new X509Certificate(res.peerCert.raw).issuer, new X509Certificate(pki.caCert).subject, 'the client saw the upstream certificate');
      const tunnel = await c.waitFor((r) => r.method === 'CONNECT' && r.dest === `${host}:${up.port}`, `tunnel to ${host}`);
      assert.equal(tunnel.protocol, 'https');
      assert.equal(tunnel.direction, 'outbound');
      assert.equal(part(tunnel, 'host'), host);
      assert.equal(tunnel.agent, 'main');
      assert.ok(!c.seen.some((r) => r.parts.some((p) => p.text.includes(secret))), 'encrypted body never inspected');
    }
    assert.equal(m.stats().tunnels, 2);
    assert.equal(m.stats().requests, 0);
  } finally {
    await scope.close();
  }
});

test('inspection on: a Node client trusting the guardian CA is intercepted; request and response are inspected', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  try {
    const { up, c, m } = await echoBehindMonitor(scope, true);
    assert.ok(m.caCertPath && m.caFingerprint);
    const guardianCa = (await import('node:fs')).readFileSync(m.caCertPath, 'utf8');
    assert.equal(m.caFingerprint, new X509Certificate(guardianCa).fingerprint256);

    const key = fakeAnthropicKey();
    const res = await httpsViaProxy(m.port, { host: 'localhost', port: up.port, path: '/v1/x?k=1' }, { ca: guardianCa, method: 'POST', body: `key=${key}`, agent: 'main' });
    assert.equal(res.status, 200);
    assert.equal(res.body.toString(), `echo:key=${key}`);
    assert.equal(new X509Certificate(res.peerCert.raw).issuer, new X509Certificate(guardianCa).subject, 'leaf issued by the guardian CA');

    const out = await c.waitFor((r) => r.direction === 'outbound' && r.path === '/v1/x', 'outbound https');
    assert.equal(out.protocol, 'https');
    assert.equal(out.dest, `localhost:${up.port}`);
    assert.equal(out.agent, 'main', 'agent from the CONNECT credentials');
    assert.equal(part(out, 'body'), `key=${key}`);
    assert.equal(part(out, 'query:k'), '1');
    const inbound = await c.waitFor((r) => r.direction === 'inbound' && r.path === '/v1/x', 'inbound https');
    assert.equal(part(inbound, 'body'), `echo:key=${key}`);
    assert.equal(inbound.agent, 'main');
  } finally {
    await scope.close();
  }
});

test('inspection on: curl --proxy ... --cacert ca.pem works and is inspected', { skip: opensslMissing || (hasCurl() ? false : 'curl not installed') }, async () => {
  const scope = new Scope();
  try {
    const { up, c, m } = await echoBehindMonitor(scope, true);
    const stdout = await new Promise<string>((resolve, reject) => {
      execFile(
        'curl',
        ['-sS', '--max-time', '20', '--noproxy', '', '--proxy', `http://curlagent@127.0.0.1:${m.port}`, '--cacert', m.caCertPath!, '--data-binary', 'from-curl', `https://localhost:${up.port}/curl`],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' } },
        (err, out, errOut) => (err ? reject(new Error(`curl failed: ${errOut}`)) : resolve(out)),
      );
    });
    assert.equal(stdout, 'echo:from-curl');
    const out = await c.waitFor((r) => r.direction === 'outbound' && r.path === '/curl', 'curl request');
    assert.equal(part(out, 'body'), 'from-curl');
    assert.equal(out.agent, 'curlagent');
  } finally {
    await scope.close();
  }
});

test('the guardian CA and a leaf it issued pass openssl verify -x509_strict', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  try {
    const { pki, up, m } = await echoBehindMonitor(scope, true);
    const caPem = (await import('node:fs')).readFileSync(m.caCertPath!, 'utf8');
    const res = await httpsViaProxy(m.port, { host: 'localhost', port: up.port, path: '/' }, { ca: caPem });
    assert.equal(res.status, 200);
    const dir = scope.tempDir();
    const leafPath = join(dir, 'leaf.pem');
    writeFileSync(leafPath, pemOf(res.peerCert.raw));
    const verify = (file: string): string => execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', m.caCertPath!, file], { encoding: 'utf8' });
    assert.match(verify(m.caCertPath!), /: OK/);
    assert.match(verify(leafPath), /: OK/);
    // And the strict check can fail: a leaf from a different CA is rejected.
    const other = join(dir, 'other.pem');
    writeFileSync(other, pki.leafCert);
    assert.throws(() => execFileSync('openssl', ['verify', '-x509_strict', '-CAfile', m.caCertPath!, other], { stdio: 'pipe' }));
  } finally {
    await scope.close();
  }
});

test('upstream trust: an untrusted upstream fails (502, fault counted); NODE_EXTRA_CA_CERTS and upstreamCaFiles each make it trusted', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  const savedExtra = process.env.NODE_EXTRA_CA_CERTS;
  try {
    const pki = await makeUpstreamPki(scope);
    const up = await httpsUpstream(scope, pki, echoHandler);
    const fs = await import('node:fs');

    // 1. Default trust only: the upstream's private CA is not trusted.
    delete process.env.NODE_EXTRA_CA_CERTS;
    const strict = await monitor(scope, { inspect: () => {}, httpsInspection: true });
    const strictCa = fs.readFileSync(strict.caCertPath!, 'utf8');
    const bad = await httpsViaProxy(strict.port, { host: 'localhost', port: up.port, path: '/' }, { ca: strictCa });
    assert.equal(bad.status, 502);
    assert.equal(strict.faults().upstream_errors, 1);
    assert.match(strict.faults().last_error?.code ?? '', /CERT|SELF_SIGNED|UNABLE/);

    // 2. NODE_EXTRA_CA_CERTS (read by the monitor at start, as Node reads it at process start).
    process.env.NODE_EXTRA_CA_CERTS = pki.caCertPath;
    const viaEnv = await monitor(scope, { inspect: () => {}, httpsInspection: true, layout: strict.layout });
    const ok1 = await httpsViaProxy(viaEnv.port, { host: 'localhost', port: up.port, path: '/' }, { ca: strictCa });
    assert.equal(ok1.status, 200);
    delete process.env.NODE_EXTRA_CA_CERTS;

    // 3. upstreamCaFiles, with an unrelated NODE_EXTRA_CA_CERTS that must not replace it.
    const unrelated = await makeUpstreamPki(scope, 'unrelated CA');
    process.env.NODE_EXTRA_CA_CERTS = unrelated.caCertPath;
    const viaFile = await monitor(scope, { inspect: () => {}, httpsInspection: true, layout: strict.layout, upstreamCaFiles: [pki.caCertPath] });
    const ok2 = await httpsViaProxy(viaFile.port, { host: 'localhost', port: up.port, path: '/' }, { ca: strictCa });
    assert.equal(ok2.status, 200);
    assert.equal(viaFile.faults().upstream_errors, 0);
  } finally {
    if (savedExtra === undefined) delete process.env.NODE_EXTRA_CA_CERTS;
    else process.env.NODE_EXTRA_CA_CERTS = savedExtra;
    await scope.close();
  }
});

test('inspection off: the TLS SNI is recorded next to the CONNECT host when they differ', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  try {
    const { pki, up, c, m } = await echoBehindMonitor(scope, false);
    const socket = await connectTunnel(m.port, `127.0.0.1:${up.port}`);
    const tlsSocket = tls.connect({ socket, servername: 'localhost', ca: pki.caCert });
    await new Promise<void>((resolve, reject) => {
      tlsSocket.once('secureConnect', () => resolve());
      tlsSocket.once('error', reject);
    });
    tlsSocket.destroy();
    const tunnel = await c.waitFor((r) => r.method === 'CONNECT', 'tunnel scan');
    assert.equal(tunnel.dest, `127.0.0.1:${up.port}`);
    assert.deepEqual(tunnel.parts.map((p) => `${p.location}=${p.text}`), ['host=127.0.0.1', 'host=localhost']);
  } finally {
    await scope.close();
  }
});
