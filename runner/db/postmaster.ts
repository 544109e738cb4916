/**
 * An embedded server's postmaster, found and stopped synchronously: for exit hooks (which cannot wait on
 * a promise) and for the leftovers of killed runs.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The pid dataDir's postmaster.pid names, if the file is there. */
export const postmasterPid = (dataDir: string): number | undefined => {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** The postmaster of dataDir, if it still runs: its pid checked against its command line (pids are reused). */
export const livePostmaster = (dataDir: string): number | undefined => {
  const pid = postmasterPid(dataDir);
  try {
    return pid !== undefined && readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(dataDir) ? pid : undefined;
  } catch {
    return undefined;
  }
};

/** Gone, or a zombie waiting for a parent that is exiting (it can no longer touch the data dir). */
export const isGone = (pid: number): boolean => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
};

const sleepSync = (ms: number): void => {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
};

/** SIGQUIT (immediate shutdown: the postmaster takes its backends down with it), SIGKILL if still `running` after 3 s. */
export const stopPostmasterSync = (pid: number, running: () => boolean): void => {
  try {
    process.kill(pid, 'SIGQUIT');
    const deadline = Date.now() + 3000;
    while (running() && Date.now() < deadline) sleepSync(20);
    if (running()) process.kill(pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};
