import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const SHELL_EXEC_FLAG_PATTERNS: PatternRecord[] = [];
