import type { PatternRecord } from '../types.ts';

// TODO(pattern author): records of this family.
export const WHATSAPP_SESSION_PATH_PATTERNS: PatternRecord[] = [];
