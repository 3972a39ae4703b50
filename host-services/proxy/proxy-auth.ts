// Per-agent attribution: an agent configured with `http://main@127.0.0.1:PORT` sends
// `Proxy-Authorization: Basic base64("main:")` on every proxied request and on CONNECT. The user
// name becomes `agent` on its ScanRequests. The header is a proxy credential, not traffic: it is
// never scanned, and mockttp strips it before forwarding upstream.

const AGENT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** The agent named in a Proxy-Authorization header, or undefined (absent, not Basic, odd name). */
export function agentFromProxyAuth(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const m = /^\s*basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(value);
  if (!m) return undefined;
  let decoded: string;
  try {
    decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  } catch {
    return undefined;
  }
  const colon = decoded.indexOf(':');
  let user = colon === -1 ? decoded : decoded.slice(0, colon);
  try {
    user = decodeURIComponent(user); // some clients keep the URL's percent-encoding
  } catch {
    // keep as is
  }
  // `metadata` is mockttp's own tagging convention, not an agent name.
  if (user === 'metadata' || !AGENT_NAME.test(user)) return undefined;
  return user;
}
