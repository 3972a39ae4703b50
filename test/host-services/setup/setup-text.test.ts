// renderSetupText(): the text `start` prints. Checked as text (what it promises to show) and by
// running its one-line form in a real bash with a home path full of quotes and spaces.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { renderSetupText } from '../../../host-services/setup/setup-text.ts';
import type { SetupStatus } from '../../../host-services/setup/plan.ts';
import type { TrafficStatus } from '../../../host-services/lifecycle/status.ts';
import { defaultHome } from '../../../lib/home-layout.ts';
import { parseEnv0 } from './helpers.ts';

const FP = 'AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89';
const USER_HOME = '/home/u';

function status(over: Partial<SetupStatus> = {}): SetupStatus {
  return {
    running: true,
    platform: 'openclaw',
    proxy_url: 'http://127.0.0.1:18787',
    listen: { host: '127.0.0.1', port: 18787 },
    https_inspection: false,
    ca_cert_path: null,
    ca_fingerprint_sha256: null,
    home: defaultHome('openclaw', USER_HOME),
    ...over,
  };
}

// the status object `status --json` / buildStatus() returns is accepted as is (compile-time check)
export function acceptsTrafficStatus(s: TrafficStatus): string {
  return renderSetupText(s);
}

test('inspection off: proxy URL, HTTPS tunnelled, the one-line OpenClaw command, both mechanisms, env pointer', () => {
  const text = renderSetupText(status(), { userHome: USER_HOME, nodeVersion: 'v24.1.0' });
  assert.match(text, /monitoring at http:\/\/127\.0\.0\.1:18787 \(detect and log only\)/);
  assert.match(text, /Nothing host-wide was changed/);
  assert.match(text, /HTTPS: tunnelled without inspection/);
  assert.match(text, /^ {2}HTTP_PROXY='http:\/\/127\.0\.0\.1:18787' HTTPS_PROXY=.* openclaw gateway run$/m);
  assert.match(text, /OPENCLAW_PROXY_URL='http:\/\/127\.0\.0\.1:18787' openclaw gateway run$/m);
  assert.match(text, /clawsec-traffic-guardian env --shell bash\|zsh\|fish\|powershell --target openclaw$/m);
  assert.doesNotMatch(text, /--home/, 'default home: no --home needed');
  assert.doesNotMatch(text, /SHA-256/);
  assert.doesNotMatch(text, /fetch\(\) ignores/);
});

test('header: false leaves out only the summary lines', () => {
  const full = renderSetupText(status(), { userHome: USER_HOME });
  const body = renderSetupText(status(), { userHome: USER_HOME, header: false });
  assert.doesNotMatch(body, /monitoring at/);
  assert.ok(full.endsWith(body));
  assert.match(body, /^HTTPS: tunnelled/);
});

test('inspection on: CA path and fingerprint, NODE_EXTRA_CA_CERTS in the one-liner, bundle pointer', () => {
  const text = renderSetupText(status({ https_inspection: true, ca_cert_path: '/home/u/ca/ca.pem', ca_fingerprint_sha256: FP }), { userHome: USER_HOME });
  assert.ok(text.includes(`SHA-256:        ${FP}`));
  assert.ok(text.includes('CA certificate: /home/u/ca/ca.pem'));
  assert.match(text, /NODE_EXTRA_CA_CERTS='\/home\/u\/ca\/ca\.pem' openclaw gateway run/);
  assert.match(text, /never system-wide/);
  assert.match(text, /`env` writes a bundle/);
});

test('the Node 20 note for an old Node; not running; nanoclaw; a non-default home', () => {
  const old = renderSetupText(status(), { userHome: USER_HOME, nodeVersion: 'v20.20.2' });
  assert.match(old, /^Node v20\.20\.2: fetch\(\) ignores HTTP_PROXY\/HTTPS_PROXY/m);
  assert.match(old, /^ {2}import \{ setGlobalDispatcher, EnvHttpProxyAgent \} from 'undici'; setGlobalDispatcher\(new EnvHttpProxyAgent\(\)\);$/m);
  const stopped = renderSetupText(status({ running: false, listen: null, proxy_url: null }), { userHome: USER_HOME });
  assert.match(stopped, /is not running/);
  assert.match(stopped, /clawsec-traffic-guardian start$/m);
  const nano = renderSetupText(status({ platform: 'nanoclaw', home: "/srv/guard ian's" }), { userHome: USER_HOME });
  assert.match(nano, /<agent command>$/m);
  assert.match(nano, /--target nanoclaw-container --home '\/srv\/guard ian'\\''s'$/m);
});

test('the one-liner runs in bash with exactly the values shown, for that command only', () => {
  const caPath = `/tmp/it's a "ca" dir/ca.pem`;
  const text = renderSetupText(status({ https_inspection: true, ca_cert_path: caPath, ca_fingerprint_sha256: FP, listen: { host: '0.0.0.0', port: 4242 } }), {
    userHome: USER_HOME,
  });
  const line = text.split('\n').find((l) => l.endsWith(' openclaw gateway run') && l.startsWith('  HTTP_PROXY='));
  assert.ok(line, 'the one-line form is there');
  const cmd = line.trim().replace(/ openclaw gateway run$/, ' env -0');
  const r = spawnSync('bash', ['-c', cmd], { encoding: 'utf8', env: { PATH: process.env.PATH } });
  assert.equal(r.status, 0, r.stderr);
  const vars = parseEnv0(r.stdout);
  assert.equal(vars.HTTP_PROXY, 'http://127.0.0.1:4242', 'a wildcard listener is reached on loopback');
  assert.equal(vars.https_proxy, 'http://127.0.0.1:4242');
  assert.equal(vars.NO_PROXY, 'localhost,127.0.0.1,::1');
  assert.equal(vars.NODE_EXTRA_CA_CERTS, caPath);
});
