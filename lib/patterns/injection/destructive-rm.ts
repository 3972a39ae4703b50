import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const DESTRUCTIVE_RM_PATTERNS: PatternRecord[] = [];
