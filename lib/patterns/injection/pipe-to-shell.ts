import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const PIPE_TO_SHELL_PATTERNS: PatternRecord[] = [];
