// HTTP/2 between the agent and the monitor (HTTPS inspection on, the client offers h2): the
// response is observed as mockttp writes it, and an HTTP/2 response's end() writes its last chunk
// through write(): each body must still be captured exactly once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as tls from 'node:tls';
import { readFileSync } from 'node:fs';
import { Scope, collector, connectTunnel, fakeAnthropicKey, hasOpenssl, httpsUpstream, makeUpstreamPki, monitor, part } from './helpers.ts';
import { HttpTap } from '../../../host-services/proxy/http-tap.ts';
import { createSink } from '../../../host-services/proxy/inspect-sink.ts';
import { createCaptureBudget } from '../../../host-services/proxy/body-capture.ts';
import { Counters } from '../../../host-services/proxy/faults.ts';
import type { RawResponse, StartedRequest } from '../../../host-services/proxy/mockttp-internals.ts';

const opensslMissing = hasOpenssl() ? false : 'openssl CLI not installed';

test('inspection on: an HTTP/2 client is inspected, each body whole and once, with or without a request body', { skip: opensslMissing }, async () => {
  const scope = new Scope();
  try {
    const pki = await makeUpstreamPki(scope);
    const up = await httpsUpstream(scope, pki, (req: http.IncomingMessage, res: http.ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end(`echo:${Buffer.concat(chunks).toString()}`);
      });
    });
    const c = collector();
    const m = await monitor(scope, { inspect: c.inspect, httpsInspection: true, upstreamCaFiles: [pki.caCertPath] });
    const ca = readFileSync(m.caCertPath!, 'utf8');
    const key = fakeAnthropicKey();
    const cases: Array<{ method: string; path: string; body?: string }> = [
      { method: 'POST', path: '/h2/small', body: `key=${key}` },
      { method: 'GET', path: '/h2/none' },
      { method: 'POST', path: '/h2/large', body: 'x'.repeat(100_000) + key },
    ];
    for (const { method, path, body } of cases) {
      const socket = await connectTunnel(m.port, `localhost:${up.port}`);
      const client = http2.connect(`https://localhost:${up.port}`, {
        createConnection: () => tls.connect({ socket, servername: 'localhost', ca, ALPNProtocols: ['h2'] }),
      });
      scope.track(() => client.destroy());
      const got = await new Promise<string>((resolve, reject) => {
        const req = client.request({ ':method': method, ':path': path });
        const chunks: Buffer[] = [];
        req.on('data', (d: Buffer) => chunks.push(d));
        req.on('end', () => resolve(Buffer.concat(chunks).toString()));
        req.on('error', reject);
        req.end(body);
      });
      client.close();
      const echoed = `echo:${body ?? ''}`;
      assert.equal(got, echoed, `${path}: the client got the upstream's answer`);
      const out = await c.waitFor((r) => r.direction === 'outbound' && r.path === path, `outbound ${path}`);
      assert.equal(out.protocol, 'https');
      assert.equal(part(out, 'body'), body, `${path}: request body scanned whole`);
      const inbound = await c.waitFor((r) => r.direction === 'inbound' && r.path === path, `inbound ${path}`);
      assert.equal(part(inbound, 'body'), echoed, `${path}: response body scanned whole, not doubled`);
      assert.equal(inbound.parts.filter((p) => p.location === 'body').length, 1);
    }
    assert.equal(m.faults().internal_errors, 0, JSON.stringify(m.faults()));
    assert.deepEqual({ requests: m.stats().requests, responses: m.stats().responses }, { requests: 3, responses: 3 });
  } finally {
    await scope.close();
  }
});

test('a response whose end(chunk) writes the chunk through write() (as HTTP/2 responses do) is captured once', async () => {
  const c = collector();
  const counters = new Counters();
  const tap = new HttpTap(createSink({ platform: 'openclaw', maxScanBytes: 1024, budget: createCaptureBudget(1 << 20), counters, inspect: c.inspect }));
  try {
    const written: string[] = [];
    // the shape of Http2ServerResponse: end() hands its chunk to this.write()
    const res = {
      statusCode: 200,
      getRawHeaders: () => [['content-type', 'text/plain']],
      getHeaders: () => ({ 'content-type': 'text/plain' }),
      writeHead(this: { statusCode: number }, status: number) {
        this.statusCode = status;
        return this;
      },
      write(chunk: string) {
        written.push(chunk);
        return true;
      },
      end(this: { write(chunk: string): boolean }, chunk?: string) {
        if (chunk !== undefined) this.write(chunk);
        return this;
      },
    };
    const req: StartedRequest = {
      id: 'x1',
      protocol: 'https',
      method: 'GET',
      url: 'https://example.test/h2/end',
      remoteIpAddress: '127.0.0.1',
      remotePort: 50000,
      destination: { hostname: 'example.test', port: 443 },
      rawHeaders: [[':path', '/h2/end']],
      headers: {},
      httpVersionMajor: 2,
      tags: [],
      body: { asStream: () => { throw new Error('not read in this test'); } },
    };
    tap.requestStarted(req, undefined, res as unknown as RawResponse);
    res.writeHead(200);
    res.write('first,');
    res.end('last');
    assert.deepEqual(written, ['first,', 'last'], 'the client got each chunk once');
    const inbound = await c.waitFor((r) => r.direction === 'inbound', 'inbound scan');
    assert.equal(part(inbound, 'body'), 'first,last');
    assert.equal(part(inbound, 'header:content-type'), 'text/plain');
    assert.ok(c.seen.some((r) => r.direction === 'outbound' && r.path === '/h2/end'), 'the request half is scanned with the response');
    assert.equal(tap.pending, 0, 'the exchange is over');
    assert.equal(counters.faults().internal_errors, 0);
  } finally {
    tap.stop();
  }
});
