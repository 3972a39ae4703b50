// Not an open proxy: only loopback and the configured CIDRs are served, proven with a real
// connection from a non-loopback address of this machine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as http from 'node:http';
import * as net from 'node:net';
import { Scope, collector, httpUpstream, listen, monitor, nonLoopbackAddress, viaProxy } from './helpers.ts';
import { getLocal } from 'mockttp';
import { createClientFilter } from '../../../host-services/proxy/client-filter.ts';
import { hookMockttp } from '../../../host-services/proxy/mockttp-internals.ts';
import { GuardianError } from '../../../lib/errors.ts';

const external = nonLoopbackAddress();
const noExternal = external ? false : 'this machine has no non-loopback IPv4 address to connect from';

/** Resolves with the status, or the error code when the proxy drops the connection. */
async function attempt(proxyHost: string, proxyPort: number, url: string, localAddress?: string): Promise<number | string> {
  try {
    return (await viaProxy(proxyPort, url, { proxyHost, ...(localAddress ? { localAddress } : {}) })).status;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code ?? String(err);
  }
}

test('a client at a non-loopback address is dropped before mockttp reads anything; loopback is served', { skip: noExternal }, async () => {
  const scope = new Scope();
  try {
    let upstreamHits = 0;
    const up = await httpUpstream(scope, (_q, res) => {
      upstreamHits++;
      res.end('ok');
    });
    const c = collector();
    // Listening on every interface, so the external address can reach the socket at all.
    const m = await monitor(scope, { inspect: c.inspect, host: '0.0.0.0' });
    const url = `http://127.0.0.1:${up.port}/x`;

    const refused = await attempt(external!, m.port, url, external);
    assert.notEqual(refused, 200);
    assert.match(String(refused), /ECONNRESET|EPIPE|socket hang up/);
    assert.equal(upstreamHits, 0, 'nothing was forwarded for the external client');
    assert.equal(m.faults().dropped_clients, 1);

    // A CONNECT from outside is dropped the same way.
    const tunnel = await new Promise<string>((resolve) => {
      const req = http.request({ host: external, port: m.port, localAddress: external, method: 'CONNECT', path: `127.0.0.1:${up.port}`, agent: false });
      req.on('connect', () => resolve('connected'));
      req.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
      req.end();
    });
    assert.notEqual(tunnel, 'connected');
    assert.equal(m.faults().dropped_clients, 2);

    assert.equal(await attempt('127.0.0.1', m.port, url), 200, 'loopback is always allowed');
    assert.equal(upstreamHits, 1);
    assert.ok(!c.seen.some((r) => r.source === external));
  } finally {
    await scope.close();
  }
});

test('an allowed CIDR is served from the non-loopback address', { skip: noExternal }, async () => {
  const scope = new Scope();
  try {
    // Not a loopback upstream: mockttp resolves `localhost` relative to a remote client (a
    // container's localhost is not the host's), so the upstream listens on the external address.
    const up = await listen(scope, http.createServer((_q, res) => res.end('ok')), external);
    const c = collector();
    const m = await monitor(scope, { inspect: c.inspect, host: '0.0.0.0', allowClients: [`${external}/32`] });
    assert.ok(m.allowClients.includes(`${external}/32`));
    assert.equal(await attempt(external!, m.port, `http://${external}:${up.port}/y`, external), 200);
    const out = await c.waitFor((r) => r.path === '/y', 'scan from the allowed client');
    assert.equal(out.source, external);
    assert.equal(m.faults().dropped_clients, 0);
  } finally {
    await scope.close();
  }
});

test('the default listener is bound to the given host only: the external address is not even listening', { skip: noExternal }, async () => {
  const scope = new Scope();
  try {
    const m = await monitor(scope, { inspect: () => {} });
    const code = await new Promise<string>((resolve) => {
      const s = net.connect({ host: external!, port: m.port });
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(code, 'ECONNREFUSED');
  } finally {
    await scope.close();
  }
});

test('client filter: loopback always, CIDRs and IPv4-mapped IPv6, every malformed range reported with its path', () => {
  const f = createClientFilter(['172.17.0.0/16', 'fd00::/8']);
  assert.ok(f.allows('127.0.0.1'));
  assert.ok(f.allows('127.8.9.10'));
  assert.ok(f.allows('::1'));
  assert.ok(f.allows('::ffff:127.0.0.1'));
  assert.ok(f.allows('172.17.3.4'));
  assert.ok(f.allows('::ffff:172.17.0.9'));
  assert.ok(f.allows('fd00::2'));
  assert.ok(!f.allows('172.18.0.1'));
  assert.ok(!f.allows('192.0.2.2'));
  assert.ok(!f.allows('fe80::1'));
  assert.ok(!f.allows(undefined));
  assert.ok(!f.allows('not-an-ip'));
  assert.ok(!createClientFilter([]).allows('10.0.0.1'));

  assert.throws(
    () => createClientFilter(['10.0.0.0/33', 'bogus', '10.1.2.3']),
    (err: unknown) => {
      assert.ok(err instanceof GuardianError);
      assert.equal(err.code, 'CONFIG_INVALID');
      assert.deepEqual(err.problems.map((p) => p.path), ['allowClients[0]', 'allowClients[1]']);
      return true;
    },
  );
});

test('client filter: an address it cannot read is refused (fail closed), never thrown', () => {
  const f = createClientFilter(['10.0.0.0/8']);
  const hostile: unknown[] = [
    { toString: () => { throw new Error('filter input bug'); } },
    Symbol('address'),
    42,
    null,
    ['127.0.0.1'],
    '',
    '127.0.0.1\n',
    '10.0.0.1/8',
    `${'1'.repeat(100_000)}`,
  ];
  for (const address of hostile) {
    assert.doesNotThrow(() => f.allows(address as string), String(typeof address));
    assert.equal(f.allows(address as string), false, `refused: ${typeof address === 'symbol' ? 'symbol' : JSON.stringify(address)}`);
  }
  assert.equal(f.allows('10.1.2.3'), true, 'still judges real addresses afterwards');
});

test('an exception inside the connection filter drops that socket before mockttp reads it; the listener keeps serving', async () => {
  const scope = new Scope();
  const escaped: unknown[] = [];
  const onUncaught = (err: unknown): void => void escaped.push(err);
  process.on('uncaughtException', onUncaught);
  try {
    let upstreamHits = 0;
    const up = await httpUpstream(scope, (_q, res) => {
      upstreamHits++;
      res.end('ok');
    });
    // the monitor's wiring (mockttp-internals) around a filter that fails on its first socket
    const proxy = getLocal({ recordTraffic: false, maxBodySize: 0 });
    let judged = 0;
    const hooked = hookMockttp(proxy, {
      host: '127.0.0.1',
      acceptSocket() {
        judged++;
        if (judged === 1) throw new TypeError('client filter bug');
        return true;
      },
      onConnect() {},
      onRequestStart() {},
      passthrough: (original, type, socket, hostname, port) => original(type, socket, hostname, port),
    });
    await proxy.forAnyRequest().thenPassThrough();
    await proxy.start(0);
    scope.track(() => proxy.stop());
    hooked.verify();
    const url = `http://127.0.0.1:${up.port}/x`;

    const first = await attempt('127.0.0.1', proxy.port, url);
    assert.notEqual(first, 200, 'the socket whose check threw is not served');
    assert.match(String(first), /ECONNRESET|EPIPE|socket hang up/);
    assert.equal(upstreamHits, 0, 'nothing was forwarded for it');

    assert.equal(await attempt('127.0.0.1', proxy.port, url), 200, 'the next client is served');
    assert.equal(upstreamHits, 1);
    assert.equal(judged, 2, 'every socket was judged');
    assert.deepEqual(escaped, [], 'nothing escaped into the process');
  } finally {
    process.off('uncaughtException', onUncaught);
    await scope.close();
  }
});
