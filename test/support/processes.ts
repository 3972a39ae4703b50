// Process checks shared by the test suites that start monitors (lifecycle, safety): is a PID
// alive, and is it the monitor of a given home. Linux reads /proc; elsewhere kill(pid, 0).
import { existsSync, readFileSync } from 'node:fs';

/** The process runs (a zombie does not: in containers whose init never reaps, exited monitors linger as zombies). */
export function pidAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0];
    return state !== 'Z' && state !== 'X';
  } catch {
    if (existsSync('/proc/self/stat')) return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Linux: the process's command line has `marker` as one argument (a monitor's --home); elsewhere: it lives. */
export function commandLineHas(pid: number, marker: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(marker);
  } catch {
    return !existsSync('/proc/self/cmdline') && pidAlive(pid);
  }
}
