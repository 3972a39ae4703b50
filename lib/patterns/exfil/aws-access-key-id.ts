import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const AWS_ACCESS_KEY_ID_PATTERNS: PatternRecord[] = [];
