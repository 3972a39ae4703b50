// Which Node versions honour the proxy variables in their built-in HTTP clients.
//   Node 24.0+ and 22.21+   NODE_USE_ENV_PROXY=1 makes fetch (and, from 24.5, node:http/https)
//                           use HTTP_PROXY / HTTPS_PROXY / NO_PROXY
//   Node 20 (and 22 < 22.21, 23)  fetch ignores proxy variables entirely; the process itself
//                           must install undici's EnvHttpProxyAgent (undici 7 supports Node 20)
// The variable is harmless where it is not understood, so `env` always sets it and adds the
// Node 20 explanation when the Node in question is older.

export interface NodeVersion {
  major: number;
  minor: number;
  patch: number;
  text: string;
}

export function parseNodeVersion(raw: string): NodeVersion | null {
  const m = /^v?(\d+)\.(\d+)\.(\d+)/.exec(raw.trim());
  if (!m) return null;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), text: `v${m[1]}.${m[2]}.${m[3]}` };
}

/** True when NODE_USE_ENV_PROXY=1 routes this Node's fetch through HTTP(S)_PROXY. */
export function nodeHonoursEnvProxy(v: NodeVersion): boolean {
  return v.major >= 24 || (v.major === 22 && v.minor >= 21);
}

/** The explanation printed for a Node whose fetch ignores proxy variables (paragraphs; the code line stays whole). */
export function oldNodeNote(v: NodeVersion): string[] {
  return [
    `Node ${v.text}: fetch() ignores HTTP_PROXY/HTTPS_PROXY (NODE_USE_ENV_PROXY needs Node 22.21+ or 24+). A Node agent on this version must route itself, e.g. with undici 7 set up before it starts (a preload file run with node --import ./preload.mjs), or use the agent's own proxy setting:`,
    "  import { setGlobalDispatcher, EnvHttpProxyAgent } from 'undici'; setGlobalDispatcher(new EnvHttpProxyAgent());",
  ];
}
