import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const SENSITIVE_UNIX_PATH_PATTERNS: PatternRecord[] = [];
