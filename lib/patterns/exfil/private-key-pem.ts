import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const PRIVATE_KEY_PEM_PATTERNS: PatternRecord[] = [];
