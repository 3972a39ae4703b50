// Which OpenClaw hook event is this? Checked by hand: this folder must work when copied alone
// into ~/.openclaw/hooks/, so it cannot use zod or anything else outside itself.
//
// OpenClaw's internal hook event (src/hooks/internal-hooks.ts, `InternalHookEvent`) is
//   { type: 'command' | 'session' | 'agent' | 'gateway' | 'message', action: string,
//     sessionKey: string, context: Record<string, unknown>, timestamp: Date, messages: string[] }
// and handlers are registered under the combined key `${type}:${action}` (`command:new`,
// `agent:bootstrap`, `gateway:startup`). Some actions hold a colon themselves
// (`session` + `compact:before`). A combined string in `type` (or in `event`/`name`) is accepted
// too, in case a version or a wrapper hands the key over in one piece.

export const HOOK_EVENTS = ['gateway:startup', 'agent:bootstrap', 'command:new'] as const;
export type HookEventKey = (typeof HOOK_EVENTS)[number];

function isHookEventKey(key: string): key is HookEventKey {
  return (HOOK_EVENTS as readonly string[]).includes(key);
}

function str(v: unknown): string | null {
  return typeof v === 'string' && v.length > 0 && v.length <= 200 ? v : null;
}

/** The event's key when it is one this hook handles, otherwise null (never throws on odd input). */
export function eventKey(event: unknown): HookEventKey | null {
  if (event === null || typeof event !== 'object') return null;
  const e = event as Record<string, unknown>;
  const type = str(e.type);
  const action = str(e.action);
  const candidates: string[] = [];
  if (type !== null && action !== null && !type.includes(':')) candidates.push(`${type}:${action}`);
  if (type !== null && type.includes(':')) candidates.push(type);
  for (const field of ['event', 'name', 'key']) {
    const v = str(e[field]);
    if (v !== null && v.includes(':')) candidates.push(v);
  }
  for (const c of candidates) if (isHookEventKey(c)) return c;
  return null;
}

/** The array to push messages onto, or null when the event has none. */
export function messagesOf(event: unknown): unknown[] | null {
  if (event === null || typeof event !== 'object') return null;
  const m = (event as Record<string, unknown>).messages;
  return Array.isArray(m) ? m : null;
}
