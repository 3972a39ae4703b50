// Keep mockttp's chatter off stdout and stderr while a monitor runs.
//
// mockttp (and libraries it drives) print some errors with console.log / console.warn /
// console.error, a few of them with URLs or header values in the text ("Not forwarding invalid
// header: ...", "Failed to normalize URL ..."). stdout belongs to `--json` output and the MCP
// stdio channel, and stderr must never echo traffic. So while at least one monitor is running
// the console methods are wrapped: a call is swallowed (and counted, without its text) when
//   - a stack frame lies inside mockttp or its @httptoolkit / TLS helper packages, or
//   - its first argument starts with a message mockttp is known to print, or
//   - it is console.error with no caller frame outside Node internals (mockttp's
//     `promise.catch(console.error)`; other console methods are never judged by this rule).
// Every other call passes through untouched. The wrap is reference-counted and removed when the
// last monitor stops.

type ConsoleMethod = 'log' | 'info' | 'warn' | 'error' | 'debug';
const METHODS: ConsoleMethod[] = ['log', 'info', 'warn', 'error', 'debug'];

const MOCKTTP_FRAME = /[\\/]node_modules[\\/](?:mockttp|@httptoolkit|read-tls-client-hello|destroyable-server|http-encoding)[\\/]/;

/** message prefix -> category recorded with the count (the rest of the text is dropped). */
const KNOWN_PREFIXES: Array<[string, string]> = [
  ['Failed to handle request', 'request'],
  ['Failed to handle websocket', 'websocket'],
  ['Response error', 'response'],
  ['Unknown TLS error', 'tls'],
  ['Cert generation error', 'tls'],
  ['TLS client hello data not available', 'tls'],
  ['Error on client socket', 'client'],
  ['Unknown protocol server error', 'client'],
  ['Socket bypass loop', 'tunnel'],
  ['Failed to normalize URL', 'url'],
  ['Not forwarding invalid', 'upstream'],
  ['Failed to forward response trailers', 'upstream'],
  ['Invalid request content-length', 'request'],
  ['Invalid response content-length', 'upstream'],
  ['Error in proxied WebSocket', 'websocket'],
  ['Unexpected websocket response', 'websocket'],
  ['Websocket ', 'websocket'],
  ['Failed to negotiate WebSocket', 'websocket'],
  ['Error receiving WebSocket', 'websocket'],
  ['Failed to reset on socket', 'client'],
];

export type SuppressedListener = (category: string) => void;

const listeners = new Set<SuppressedListener>();
const originals = new Map<ConsoleMethod, (...args: unknown[]) => void>();
const wrappers = new Map<ConsoleMethod, (...args: unknown[]) => void>();

function category(method: ConsoleMethod, args: unknown[]): string | undefined {
  const first = args[0];
  if (typeof first === 'string') {
    for (const [prefix, cat] of KNOWN_PREFIXES) if (first.startsWith(prefix)) return cat;
  }
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 40;
  const stack = new Error().stack ?? '';
  Error.stackTraceLimit = limit;
  const frames = stack.split('\n').slice(3); // Error, this function, the wrapper
  if (frames.some((f) => MOCKTTP_FRAME.test(f))) return 'mockttp';
  if (method === 'error' && frames.every(isInternalFrame)) return 'unattributed';
  return undefined;
}

/** `at fn (node:internal/...)`, `at node:events:1:2`, `at new Promise (<anonymous>)`. */
function isInternalFrame(frame: string): boolean {
  const f = frame.trim();
  if (f === '') return true;
  const paren = /\(([^()]*)\)$/.exec(f);
  const location = paren ? paren[1]! : f.replace(/^at\s+/, '');
  return location.startsWith('node:') || location === '<anonymous>' || location === 'native';
}

function install(): void {
  for (const m of METHODS) {
    const original = console[m] as (...args: unknown[]) => void;
    originals.set(m, original);
    const guarded = function guarded(...args: unknown[]): void {
      const cat = category(m, args);
      if (cat === undefined) return original.apply(console, args);
      for (const l of listeners) {
        try {
          l(cat);
        } catch {
          // a counter never breaks logging
        }
      }
    };
    wrappers.set(m, guarded);
    console[m] = guarded;
  }
}

function uninstall(): void {
  // Only undo our own wrap: if something wrapped console after us, leave its wrapper in place.
  for (const [m, original] of originals) if (console[m] === wrappers.get(m)) console[m] = original;
  originals.clear();
  wrappers.clear();
}

/** Start swallowing mockttp console output; call the returned function to stop. */
export function guardConsole(onSuppressed: SuppressedListener): () => void {
  if (listeners.size === 0) install();
  listeners.add(onSuppressed);
  let released = false;
  return () => {
    if (released) return;
    released = true;
    listeners.delete(onSuppressed);
    if (listeners.size === 0) uninstall();
  };
}
