// What one agent process needs in its environment to go through the guardian, per target.
// Pure: it takes where the monitor listens, the CA and the (already written) trust bundle, and
// returns variables, explanations and the one-line form. Rendering for a shell is render.ts.
//
// Targets:
//   generic             HTTP_PROXY/HTTPS_PROXY in both cases (curl ignores upper-case HTTP_PROXY
//                       for http:// URLs), NO_PROXY/no_proxy = loopback, NODE_USE_ENV_PROXY=1
//   openclaw            OpenClaw 2026.4.27+ has a managed proxy: OPENCLAW_PROXY_URL routes fetch,
//                       node:http(s) and WebSockets itself (and clears NO_PROXY while active);
//                       older versions follow HTTP(S)_PROXY through undici's env agent, with
//                       gaps. Unknown version: both, explained.
//   nanoclaw-container  the same variables for INSIDE an agent container: the proxy is reached at
//                       host.docker.internal, the CA and bundle are mounted read-only
// Trust (HTTPS inspection on): NODE_EXTRA_CA_CERTS = the guardian CA (Node adds it to its roots);
// SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE, GIT_SSL_CAINFO REPLACE their client's store,
// so they get the combined bundle (system roots + guardian CA), never the CA alone.
import { isIP } from 'node:net';
import { nodeHonoursEnvProxy, oldNodeNote, type NodeVersion } from './node-support.ts';

export const TARGETS = ['openclaw', 'nanoclaw-container', 'generic'] as const;
export type Target = (typeof TARGETS)[number];

/** OpenClaw's managed proxy (proxy.proxyUrl / OPENCLAW_PROXY_URL) exists from this version on. */
export const OPENCLAW_MANAGED_PROXY_SINCE = '2026.4.27';

export type OpenClawProxyMode = 'managed' | 'env' | 'both';

/** Destinations that stay direct: the host's (or the container's) own loopback. */
export const LOOPBACK_NO_PROXY = ['localhost', '127.0.0.1', '::1'] as const;

/** Where the guardian's files appear inside an agent container (mounted read-only). */
export const CONTAINER_CA_DIR = '/etc/clawsec-traffic-guardian';
export const CONTAINER_CA_PATH = `${CONTAINER_CA_DIR}/ca.pem`;
export const CONTAINER_BUNDLE_PATH = `${CONTAINER_CA_DIR}/trust-bundle.pem`;
export const CONTAINER_HOST = 'host.docker.internal';

/** Clients whose CA variable replaces their whole trust store. */
export const REPLACING_CA_VARIABLES = ['SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE', 'CURL_CA_BUNDLE', 'GIT_SSL_CAINFO'] as const;

/** The status fields setup needs; the contract's `status --json` object satisfies it. */
export interface SetupStatus {
  running: boolean;
  platform: 'openclaw' | 'nanoclaw';
  proxy_url: string | null;
  listen: { host: string; port: number } | null;
  https_inspection: boolean;
  ca_cert_path: string | null;
  ca_fingerprint_sha256: string | null;
  home: string;
}

export interface EnvPlanInput {
  target: Target;
  /** where the monitor listens (a wildcard address is fine: clients get loopback) */
  listen: { host: string; port: number };
  httpsInspection: boolean;
  /** the guardian CA on the host, when it exists */
  ca: { path: string; fingerprint: string } | null;
  /** the combined bundle on the host, when written */
  trustBundle: string | null;
  /** agent name for attribution (`http://NAME@host:port`) */
  agent?: string;
  /** only for target openclaw */
  openclawProxy?: OpenClawProxyMode;
  /** the Node that runs the agent, when known */
  node?: NodeVersion | null;
}

export interface EnvPlan {
  target: Target;
  proxyUrl: string;
  /** ordered; every value is set for the one process only */
  variables: Array<[string, string]>;
  /** explanation shown before the variables */
  header: string[];
  /** explanations shown after the variables */
  notes: string[];
  /** the command the one-line form runs (a placeholder for generic), or null (containers) */
  command: string | null;
  /** `docker run` arguments for the container target (mounts, host gateway, -e ...) */
  dockerArgs: string[];
  /** host file -> container path, read-only (container target with inspection) */
  mounts: Array<{ host: string; container: string }>;
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h === '::1') return true;
  return isIP(h) === 4 && h.startsWith('127.');
}

/** The address a client on this host uses to reach a listener bound to `host`. */
export function clientHost(host: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  if (h === '0.0.0.0' || h === '') return '127.0.0.1';
  if (h === '::') return '[::1]';
  return isIP(h) === 6 ? `[${h}]` : h;
}

export function proxyUrlFor(host: string, port: number, agent?: string): string {
  return `http://${agent ? `${encodeURIComponent(agent)}@` : ''}${host}:${port}`;
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  const pb = b.split(/[.-]/).map((x) => Number.parseInt(x, 10) || 0);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** `2026.4.27` or `v2026.5.1` -> managed or env; anything unparsable -> null. */
export function openclawModeForVersion(version: string): OpenClawProxyMode | null {
  const v = version.trim().replace(/^v/, '');
  if (!/^\d{4}\.\d+\.\d+/.test(v)) return null;
  return compareVersions(v, OPENCLAW_MANAGED_PROXY_SINCE) >= 0 ? 'managed' : 'env';
}

function proxyVariables(url: string, noProxy: readonly string[]): Array<[string, string]> {
  const list = noProxy.join(',');
  return [
    ['HTTP_PROXY', url],
    ['HTTPS_PROXY', url],
    ['http_proxy', url],
    ['https_proxy', url],
    ['NO_PROXY', list],
    ['no_proxy', list],
  ];
}

function trustVariables(caPath: string, bundlePath: string | null): Array<[string, string]> {
  const vars: Array<[string, string]> = [['NODE_EXTRA_CA_CERTS', caPath]];
  if (bundlePath) for (const name of REPLACING_CA_VARIABLES) vars.push([name, bundlePath]);
  return vars;
}

/**
 * A read-only bind mount for `docker run --mount` (CSV fields, so a path with a comma or a
 * quote is quoted; unlike -v, a colon in the path needs nothing).
 */
export function bindMount(hostPath: string, containerPath: string): string {
  const field = (k: string, v: string) => (/[",]/.test(v) ? `"${k}=${v.replace(/"/g, '""')}"` : `${k}=${v}`);
  return `type=bind,${field('src', hostPath)},${field('dst', containerPath)},readonly`;
}

export function buildEnvPlan(input: EnvPlanInput): EnvPlan {
  const container = input.target === 'nanoclaw-container';
  const host = container ? CONTAINER_HOST : clientHost(input.listen.host);
  const proxyUrl = proxyUrlFor(host, input.listen.port, input.agent);
  const header: string[] = [];
  const notes: string[] = [];
  const variables: Array<[string, string]> = [];
  const mounts: EnvPlan['mounts'] = [];
  let command: string | null = null;

  if (input.target === 'openclaw') {
    const mode = input.openclawProxy ?? 'both';
    command = 'openclaw gateway run';
    header.push('For one OpenClaw process only (the shell you paste this into and what it starts); nothing host-wide changes.');
    if (mode !== 'env') variables.push(['OPENCLAW_PROXY_URL', proxyUrl]);
    if (mode !== 'managed') variables.push(...proxyVariables(proxyUrl, LOOPBACK_NO_PROXY), ['NODE_USE_ENV_PROXY', '1']);
    if (mode === 'both') {
      header.push(
        `OpenClaw ${OPENCLAW_MANAGED_PROXY_SINCE}+ uses OPENCLAW_PROXY_URL (its managed proxy); older versions use HTTP(S)_PROXY. Both are set here; pass --openclaw-version X.Y.Z to print only the one your version uses.`,
      );
    }
    if (mode !== 'env') {
      notes.push(
        'OPENCLAW_PROXY_URL: OpenClaw clears NO_PROXY while its managed proxy is active and keeps its own loopback gateway traffic direct (proxy.loopbackMode gateway-only). A proxy.proxyUrl in the OpenClaw config wins over this variable, and some versions also want proxy.enabled=true there; this command never changes that config.',
      );
    }
    notes.push('An installed gateway service does not see these: this command never writes ~/.openclaw/.env or service units.');
  } else if (input.target === 'generic') {
    command = '<agent command>';
    header.push('For one process only (the shell you paste this into and what it starts); nothing host-wide changes.');
    variables.push(...proxyVariables(proxyUrl, LOOPBACK_NO_PROXY), ['NODE_USE_ENV_PROXY', '1']);
  } else {
    header.push(
      "For INSIDE one NanoClaw agent container, not the host shell: pass them to the container (docker run -e NAME=VALUE, or the container runner's environment). Containers reach the host as host.docker.internal.",
    );
    // host.docker.internal stays direct: the guardian runs on the host, where that name may not
    // resolve, and host services (NanoClaw's credential proxy) must stay reachable.
    variables.push(...proxyVariables(proxyUrl, [...LOOPBACK_NO_PROXY, CONTAINER_HOST]), ['NODE_USE_ENV_PROXY', '1']);
    notes.push('host.docker.internal is in NO_PROXY so host services (e.g. NanoClaw\'s credential proxy) stay reachable; that hop is not monitored.');
    if (isLoopbackHost(input.listen.host)) {
      notes.push(
        `WARNING: the monitor listens on ${input.listen.host}, which containers cannot reach. Restart it on the Docker bridge address and allow the container range, e.g. start --host 172.17.0.1 --allow-client 172.17.0.0/16`,
      );
    }
    notes.push('If OneCLI already sets HTTPS_PROXY for the container, keep one chain: start the guardian with --upstream-proxy <OneCLI URL>.');
  }

  if (input.httpsInspection) {
    if (input.ca) {
      if (container) {
        mounts.push({ host: input.ca.path, container: CONTAINER_CA_PATH });
        if (input.trustBundle) mounts.push({ host: input.trustBundle, container: CONTAINER_BUNDLE_PATH });
        variables.push(...trustVariables(CONTAINER_CA_PATH, input.trustBundle ? CONTAINER_BUNDLE_PATH : null));
      } else {
        variables.push(...trustVariables(input.ca.path, input.trustBundle));
      }
      notes.push(
        `HTTPS inspection is on: the guardian CA (SHA-256 ${input.ca.fingerprint}) is trusted by this process only.`,
        "NODE_EXTRA_CA_CERTS adds it to Node's roots; SSL_CERT_FILE, REQUESTS_CA_BUNDLE, CURL_CA_BUNDLE and GIT_SSL_CAINFO replace their client's trust store, so they point at a bundle of the system roots plus the guardian CA, never the CA alone.",
      );
      if (container) notes.push('Mount the CA read-only (the key never leaves the host): see the docker run arguments below.');
    } else {
      notes.push(
        'HTTPS inspection is on but the guardian CA does not exist yet: start the monitor once (it creates the CA), then run this command again for the CA variables. Until then clients would reject intercepted HTTPS.',
      );
    }
  } else {
    notes.push('HTTPS is tunnelled without inspection (no CA to trust); start the monitor with --https-inspection to scan it.');
  }

  if (input.target !== 'openclaw' || (input.openclawProxy ?? 'both') !== 'managed') {
    if (container) {
      notes.push('NODE_USE_ENV_PROXY=1 makes fetch use the proxy on Node 22.21+/24; an older Node in the image ignores the variables.');
    } else if (input.node && !nodeHonoursEnvProxy(input.node)) {
      notes.push(...oldNodeNote(input.node));
    } else {
      notes.push('NODE_USE_ENV_PROXY=1 makes Node 22.21+/24 fetch honour HTTP(S)_PROXY; Node 20\'s fetch ignores proxy variables.');
    }
  }

  const dockerArgs: string[] = [];
  if (container) {
    dockerArgs.push('--add-host=host.docker.internal:host-gateway');
    for (const m of mounts) dockerArgs.push('--mount', bindMount(m.host, m.container));
    for (const [n, v] of variables) dockerArgs.push('-e', `${n}=${v}`);
  }

  return { target: input.target, proxyUrl, variables, header, notes, command, dockerArgs, mounts };
}
