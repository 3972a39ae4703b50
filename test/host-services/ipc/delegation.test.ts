// Way B of docs/NANOCLAW.md: NanoClaw v1's own IPC loop carries the tasks and its
// processTaskIpc delegates to handleTrafficIpc first. The loop below mirrors NanoClaw's
// (src/ipc.ts: *.json in data/ipc/<group>/tasks/, parse, process, unlink; a throw moves the
// file to data/ipc/errors/<group>-<file>), with deps from createTrafficIpcDeps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, readdirSync, renameSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTrafficIpcDeps, handleTrafficIpc } from '../../../host-services/ipc/index.ts';
import { createIpcBackend } from '../../../mcp-tools/ipc-backend.ts';
import { makeHome, makeNanoclawRoot } from '../../mcp-tools/support.ts';

type Json = Record<string, any>;

test('processTaskIpc delegation: traffic tasks answered, NanoClaw tasks passed on, bad ones to errors/', async () => {
  const h = makeHome();
  const nc = makeNanoclawRoot(h);
  const deps = createTrafficIpcDeps({ nanoclawRoot: nc.root, layout: h.layout, config: h.config });
  const nanoclawOwn: Array<{ type: string; group: string }> = [];
  const processTaskIpc = async (data: Json, sourceGroup: string, isMain: boolean) => {
    if (await handleTrafficIpc(data, sourceGroup, isMain, deps)) return;
    nanoclawOwn.push({ type: String(data.type), group: sourceGroup }); // NanoClaw's switch(data.type)
  };
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const group of readdirSync(nc.ipcBase).filter((f) => f !== 'errors')) {
        const tasksDir = join(nc.ipcBase, group, 'tasks');
        for (const file of readdirSync(tasksDir).filter((f) => f.endsWith('.json'))) {
          const filePath = join(tasksDir, file);
          try {
            const data = JSON.parse(readFileSync(filePath, 'utf-8')) as Json;
            await processTaskIpc(data, group, group === 'main');
            unlinkSync(filePath);
          } catch {
            mkdirSync(join(nc.ipcBase, 'errors'), { recursive: true });
            renameSync(filePath, join(nc.ipcBase, 'errors', `${group}-${file}`));
          }
        }
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  try {
    const family = createIpcBackend({ ipcDir: nc.groupDir('family'), tasksDir: join(nc.groupDir('family'), 'tasks'), pollMs: 25, timeoutMs: 5000 });
    const out = (await family.call('clawsec_traffic_findings', { agent: 'main' })) as Json;
    assert.equal(out.agent_scope, 'family');
    assert.equal(out.total, 2);
    const main = createIpcBackend({ ipcDir: nc.groupDir('main'), tasksDir: join(nc.groupDir('main'), 'tasks'), pollMs: 25, timeoutMs: 5000 });
    assert.equal(((await main.call('clawsec_traffic_findings', {})) as Json).total, 4);
    const status = (await main.call('clawsec_traffic_status', {})) as Json;
    assert.equal(status.schema_version, 'clawsec-traffic-status/v1');
    assert.ok(!JSON.stringify(status).includes(nc.root), 'no NanoClaw path in the answer');

    writeFileSync(join(nc.groupDir('main'), 'tasks', 'own.json'), JSON.stringify({ type: 'schedule_task', prompt: 'x' }));
    writeFileSync(join(nc.groupDir('family'), 'tasks', 'bad.json'), JSON.stringify({ type: 'clawsec_traffic_status', requestId: '../../x' }));
    await new Promise((r) => setTimeout(r, 300));
    assert.deepEqual(nanoclawOwn, [{ type: 'schedule_task', group: 'main' }]);
    assert.deepEqual(readdirSync(join(nc.ipcBase, 'errors')), ['family-bad.json']);
  } finally {
    stopped = true;
    await loop;
    h.cleanup();
  }
});
