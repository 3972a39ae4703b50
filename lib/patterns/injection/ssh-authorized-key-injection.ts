import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const SSH_AUTHORIZED_KEY_INJECTION_PATTERNS: PatternRecord[] = [];
