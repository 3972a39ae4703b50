// startMonitor's own contract: option errors name their field, a busy port is LISTEN_FAILED,
// stop() is idempotent and really closes the listener, the handle reports what it runs with.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Scope, listen, monitor } from './helpers.ts';
import { GuardianError } from '../../../lib/errors.ts';

const isError = (code: string, path?: string) => (err: unknown): boolean => {
  assert.ok(err instanceof GuardianError, String(err));
  assert.equal(err.code, code);
  if (path) assert.ok(err.problems.some((p) => p.path === path), JSON.stringify(err.problems));
  return true;
};

test('invalid options are refused with the field named', async () => {
  const scope = new Scope();
  try {
    const dir = scope.tempDir();
    const notPem = join(dir, 'not.pem');
    writeFileSync(notPem, 'hello');
    await assert.rejects(monitor(scope, { inspect: () => {}, maxScanBytes: 0 }), isError('CONFIG_INVALID', 'maxScanBytes'));
    await assert.rejects(monitor(scope, { inspect: () => {}, maxScanBytes: 64 * 1024 * 1024 }), isError('CONFIG_INVALID', 'maxScanBytes'));
    await assert.rejects(monitor(scope, { inspect: () => {}, port: 70000 }), isError('CONFIG_INVALID', 'port'));
    await assert.rejects(monitor(scope, { inspect: () => {}, allowClients: ['10.0.0.0/99'] }), isError('CONFIG_INVALID', 'allowClients[0]'));
    await assert.rejects(monitor(scope, { inspect: () => {}, upstreamProxy: 'socks5://127.0.0.1:1080' }), isError('CONFIG_INVALID', 'upstreamProxy'));
    await assert.rejects(monitor(scope, { inspect: () => {}, upstreamCaFiles: [join(dir, 'missing.pem'), notPem] }), (err: unknown) => {
      isError('CONFIG_INVALID')(err);
      assert.deepEqual((err as GuardianError).problems.map((p) => p.path), ['upstreamCaFiles[0]', 'upstreamCaFiles[1]']);
      return true;
    });
  } finally {
    await scope.close();
  }
});

test('a busy port is LISTEN_FAILED with a fix; nothing is left running', async () => {
  const scope = new Scope();
  try {
    const { port } = await listen(scope, net.createServer());
    await assert.rejects(monitor(scope, { inspect: () => {}, port }), (err: unknown) => {
      isError('LISTEN_FAILED')(err);
      assert.match((err as GuardianError).fix ?? '', /--port/);
      return true;
    });
  } finally {
    await scope.close();
  }
});

test('the handle describes the monitor; stop() closes the listener and is idempotent', async () => {
  const scope = new Scope();
  try {
    const m = await monitor(scope, { inspect: () => {}, allowClients: ['172.17.0.0/16'] });
    assert.equal(m.host, '127.0.0.1');
    assert.equal(m.proxyUrl, `http://127.0.0.1:${m.port}`);
    assert.equal(m.httpsInspection, false);
    assert.deepEqual([...m.allowClients], ['127.0.0.0/8', '::1/128', '172.17.0.0/16']);
    assert.deepEqual(m.faults().upstream_errors, 0);
    await Promise.all([m.stop(), m.stop()]);
    await m.stop();
    const code = await new Promise<string>((resolve) => {
      const s = net.connect({ host: '127.0.0.1', port: m.port });
      s.on('connect', () => {
        s.destroy();
        resolve('connected');
      });
      s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? 'error'));
    });
    assert.equal(code, 'ECONNREFUSED');
    // The console is ours again once no monitor runs.
    assert.equal(console.log.name, 'log');
  } finally {
    await scope.close();
  }
});
