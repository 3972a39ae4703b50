// OpenClaw hook of clawsec-traffic-guardian. OpenClaw imports this file and calls the default
// export with each event listed in HOOK.md (gateway:startup, agent:bootstrap, command:new);
// the handler pushes one redacted status message onto `event.messages`.
//
// Self-contained on purpose: only node: built-ins and ./lib, so the folder works when copied
// alone into ~/.openclaw/hooks/. No network: it only reads files under the guardian home.
// It never throws: whatever goes wrong, the gateway's event carries on without a message.
import { handleEvent } from './lib/report.ts';

export default async function trafficGuardianHook(event: unknown): Promise<void> {
  try {
    handleEvent(event);
  } catch {
    // a status message is never worth disturbing the gateway
  }
}
