// Where the guardian keeps its state, resolved the way the guardian itself does
// (lib/home-layout.ts in the guardian; repeated here because this folder must stand alone).
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

export interface HookPaths {
  home: string;
  /** the monitor's state: pid, proxy_url, listen, https_inspection, ca_fingerprint_sha256, ... */
  monitorState: string;
  logDir: string;
  findingsLog: string;
  /** what this hook has reported so far */
  hookState: string;
  /** the user's home directory, replaced by `~` wherever it would show up in a message */
  userHome: string | null;
}

function expand(raw: string, userHome: string | null): string {
  if (userHome !== null && (raw === '~' || raw.startsWith('~/'))) return join(userHome, raw.slice(1));
  return isAbsolute(raw) ? raw : resolve(raw);
}

function safeHomedir(): string | null {
  try {
    const h = homedir();
    return h ? h : null;
  } catch {
    return null;
  }
}

export function resolvePaths(env: Record<string, string | undefined> = process.env, userHome: string | null = safeHomedir()): HookPaths | null {
  const rawHome = env.OPENCLAW_TRAFFIC_GUARDIAN_HOME?.trim();
  let home: string;
  if (rawHome) home = expand(rawHome, userHome);
  else if (userHome !== null) home = join(userHome, '.openclaw', 'security', 'clawsec', 'traffic-guardian');
  else return null;
  const rawLogDir = env.OPENCLAW_TRAFFIC_GUARDIAN_LOG_DIR?.trim();
  const logDir = rawLogDir ? expand(rawLogDir, userHome) : join(home, 'logs');
  return {
    home,
    monitorState: join(home, 'run', 'state.json'),
    logDir,
    findingsLog: join(logDir, 'findings.jsonl'),
    hookState: join(home, 'hook-state.json'),
    userHome,
  };
}
