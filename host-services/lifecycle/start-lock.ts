// One monitor per home, even when two `start`s race.
//
// The start lock (`run/start.lock`, created with O_EXCL) is held from the moment a start
// decides nothing runs until the new monitor has written its state file. A background `start`
// creates the lock and hands it to the monitor child through START_LOCK_TOKEN_ENV; the child
// checks the token, rewrites the lock with its own identity (so the lock outlives a `start`
// that was killed meanwhile) and removes it once its state file is in place. A lock whose
// holder is no longer alive (checked as for state files: start time, zombie, reuse) is broken.
import { randomBytes } from 'node:crypto';
import { GuardianError } from '../../lib/errors.ts';
import type { HomeLayout } from '../../lib/home-layout.ts';
import { checkIdentity, currentIdentity, type ProcessIdentity } from './process-identity.ts';
import {
  breakLock,
  ensureRunDir,
  lockAgeMs,
  lockIno,
  readLock,
  removeLock,
  rewriteLock,
  tryCreateLock,
} from './run-files.ts';

/** an unreadable lock younger than this may be one being written right now */
const UNREADABLE_LOCK_GRACE_MS = 5_000;

export interface StartLock {
  /** hand-over value for the monitor child (START_LOCK_TOKEN_ENV) */
  readonly token: string;
  /** removes the lock if it still holds our token; idempotent */
  release(): void;
}

export type LockAttempt = { ok: true; lock: StartLock } | { ok: false; holder: ProcessIdentity | null };

function lockFor(layout: HomeLayout, token: string): StartLock {
  let released = false;
  return {
    token,
    release() {
      if (released) return;
      released = true;
      removeLock(layout, token);
    },
  };
}

/**
 * Takes the start lock, or adopts it when `inheritedToken` matches the lock on disk (the
 * monitor child of a background `start`). Never waits: a live holder is returned instead.
 */
export function tryAcquireStartLock(layout: HomeLayout, inheritedToken?: string): LockAttempt {
  ensureRunDir(layout);
  const me = currentIdentity();
  if (inheritedToken) {
    const held = readLock(layout);
    if (held !== null && held !== 'unreadable' && held.token === inheritedToken) {
      rewriteLock(layout, { token: inheritedToken, process: me, created_at: new Date().toISOString() });
      return { ok: true, lock: lockFor(layout, inheritedToken) };
    }
    // the starter gave up (timeout) and removed its lock: compete like anyone else
  }
  const token = randomBytes(16).toString('hex');
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreateLock(layout, { token, process: me, created_at: new Date().toISOString() })) {
      return { ok: true, lock: lockFor(layout, token) };
    }
    const ino = lockIno(layout);
    const held = readLock(layout);
    if (held === null) continue; // released between our attempt and the read
    if (held === 'unreadable') {
      const age = lockAgeMs(layout);
      if (age !== null && age < UNREADABLE_LOCK_GRACE_MS) return { ok: false, holder: null };
      breakLock(layout, ino);
      continue;
    }
    if (checkIdentity(held.process).alive) return { ok: false, holder: held.process };
    breakLock(layout, ino);
  }
  throw new GuardianError('INTERNAL', `could not take the start lock in ${layout.runDir}`, {
    fix: `make sure no other guardian is starting, remove ${layout.runDir}/start.lock and retry`,
  });
}

/** Sleeps for `ms`. */
export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
