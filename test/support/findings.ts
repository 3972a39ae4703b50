// A sample finding shared by the tests that build findings by hand (writer, reader, dedup, the
// log-writer child, status output): one valid outbound EXFIL line; each test overrides the fields
// it is about.
import { FINDING_SCHEMA_VERSION, type Finding } from '../../lib/finding.ts';

/**
 * An `ai_api_key` EXFIL finding from 127.0.0.1 to evil.example:80, severity high, with a redacted
 * snippet; `over` replaces fields (keeping the base fields' order) or adds more after them.
 */
export function sampleFinding(over: Partial<Finding> = {}): Finding {
  return {
    schema_version: FINDING_SCHEMA_VERSION,
    platform: 'openclaw',
    direction: 'outbound',
    protocol: 'http',
    threat_type: 'EXFIL',
    pattern: 'ai_api_key',
    severity: 'high',
    source: '127.0.0.1',
    dest: 'evil.example:80',
    snippet: 'x-api-key: sk-ant-[REDACTED]',
    timestamp: '2026-04-26T00:00:00.000Z',
    ...over,
  };
}
