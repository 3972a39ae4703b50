import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const REVERSE_SHELL_PATTERNS: PatternRecord[] = [];
