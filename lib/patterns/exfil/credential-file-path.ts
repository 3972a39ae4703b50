import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const CREDENTIAL_FILE_PATH_PATTERNS: PatternRecord[] = [];
