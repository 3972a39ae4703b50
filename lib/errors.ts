// One error type for the whole guardian. `code` is stable (scripts and IPC results match on it);
// `message` names what is wrong and `fix` says what to do about it. Messages never echo traffic.

export const ERROR_CODES = [
  'CONFIG_INVALID',
  'USAGE',
  'HOME_UNSAFE',
  'LISTEN_FAILED',
  'ALREADY_RUNNING',
  'NOT_RUNNING',
  'CA_FAILED',
  'IPC_INVALID_TASK',
  'IPC_UNKNOWN_TYPE',
  'IPC_TOO_LARGE',
  'IPC_FORBIDDEN',
  'IPC_TIMEOUT',
  'LOG_WRITE_FAILED',
  'INPUT_UNREADABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface FieldProblem {
  /** dotted field path, e.g. `max_scan_bytes` or `allow_clients[1]` */
  path: string;
  message: string;
}

export class GuardianError extends Error {
  readonly code: ErrorCode;
  readonly fix: string | undefined;
  readonly problems: FieldProblem[];

  constructor(code: ErrorCode, message: string, opts: { fix?: string; problems?: FieldProblem[]; cause?: unknown } = {}) {
    super(message, opts.cause === undefined ? undefined : { cause: opts.cause });
    this.name = 'GuardianError';
    this.code = code;
    this.fix = opts.fix;
    this.problems = opts.problems ?? [];
  }

  toJSON(): { code: ErrorCode; message: string; fix?: string; problems?: FieldProblem[] } {
    return {
      code: this.code,
      message: this.message,
      ...(this.fix ? { fix: this.fix } : {}),
      ...(this.problems.length ? { problems: this.problems } : {}),
    };
  }
}

export function isGuardianError(err: unknown): err is GuardianError {
  return err instanceof GuardianError;
}

/** A safe one-line description of any thrown value (no stack, no traffic). */
export function describeError(err: unknown): string {
  if (err instanceof GuardianError) return `${err.code}: ${err.message}${err.fix ? ` (fix: ${err.fix})` : ''}`;
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}
