import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const SSH_KEY_PATH_PATTERNS: PatternRecord[] = [];
