/**
 * Embedded servers left by a run that was killed (SIGKILL runs no exit hook): each server's folder holds an
 * owner file (see embedded.ts); a folder whose owner is no longer running has its postmaster stopped and is
 * removed. The folder's name carries its owner's pid and start time too, so that one without an owner file
 * (a run killed between creating the folder and writing the file, or while removing it) is told apart
 * from a run still creating it. An older folder without either is removed only when no process names it
 * and it is older than ABANDONED_AFTER_MS.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { livePostmaster, stopPostmasterSync } from './postmaster.ts';
import { currentOwner, describeOwner, ownerRunning, parseOwner, type Owner } from './run-owner.ts';

/** Temp folders of embedded servers are named so (see embedded.ts). */
export const EMBEDDED_DIR_PREFIX = 'dbspec-pg-';

/** `dbspec-pg-<pid>.<start>-`: the prefix of this process's folders (mkdtemp adds the random part). */
export const embeddedDirPrefix = (): string => `${EMBEDDED_DIR_PREFIX}${currentOwner().pid}.${currentOwner().pidStart}-`;

/** The owner a folder's name gives, on this host (the temp folder is this machine's); the run id is unknown. */
const ownerInName = (name: string): Owner | undefined => {
  const found = /^dbspec-pg-(\d+)\.(\d+)-/.exec(name);
  if (!found) return undefined;
  return { run: '', pid: Number(found[1]), pidStart: Number(found[2]), host: hostname(), startedAt: '' };
};
/** The file in an embedded server's folder naming its owner and port. */
export const EMBEDDED_OWNER_FILE = 'owner.json';

/** A folder without an owner file and without a process this long is nobody's. */
const ABANDONED_AFTER_MS = 5 * 60_000;

const abandoned = (dir: string): boolean => {
  try {
    return Date.now() - statSync(dir).mtimeMs > ABANDONED_AFTER_MS && processesNaming(dir).length === 0;
  } catch {
    return false;
  }
};

/** Processes whose command line names `dir` (initdb, a postmaster): found in /proc. */
const processesNaming = (dir: string): number[] => {
  const found: number[] = [];
  let pids: string[];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(`${dir}/`)) found.push(Number(pid));
    } catch {
      // Exited meanwhile.
    }
  }
  return found;
};

const killQuietly = (pid: number): void => {
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // Exited meanwhile.
  }
};

/** Removes every embedded server a dead run left in `root` (default: the temp dir); one line per server removed. */
export const removeLeftoverEmbedded = (root: string = tmpdir()): string[] => {
  const notices: string[] = [];
  let names: string[];
  try {
    names = readdirSync(root).filter((name) => name.startsWith(EMBEDDED_DIR_PREFIX));
  } catch {
    return notices;
  }
  for (const name of names) {
    const dir = join(root, name);
    let owner: Owner | undefined;
    try {
      owner = parseOwner(JSON.parse(readFileSync(join(dir, EMBEDDED_OWNER_FILE), 'utf8')));
    } catch {
      owner = ownerInName(name);
      if (owner === undefined && abandoned(dir)) {
        rmSync(dir, { recursive: true, force: true });
        notices.push(`removed an abandoned embedded server folder ${dir} (no owner recorded, nothing running in it)`);
      }
      if (owner === undefined) continue;
    }
    if (owner === undefined || ownerRunning(owner)) continue;
    const dataDir = join(dir, 'data');
    const pid = livePostmaster(dataDir);
    if (pid !== undefined) stopPostmasterSync(pid, () => livePostmaster(dataDir) === pid);
    // An initdb killed with its parent may still wait on the password pipe (or write the data dir).
    for (const other of processesNaming(dir)) killQuietly(other);
    rmSync(dir, { recursive: true, force: true });
    const by = owner.run === '' ? `a run (pid ${owner.pid}, no longer running) before it had written its owner file` : describeOwner(owner);
    notices.push(`removed an embedded server left by ${by}${pid !== undefined ? `; its postmaster (pid ${pid}) was still running` : ''}`);
  }
  return notices;
};
