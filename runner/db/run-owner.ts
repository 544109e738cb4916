/**
 * Who made a resource (an embedded server's folder, a database copy, a spec in flight): this process, named
 * by pid, its start time (a pid is reused; pid and start time together are not) and host. A later run
 * removes what belongs to an owner that is no longer running.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';

export type Owner = {
  /** A short id for messages, e.g. r7f3k2. */
  readonly run: string;
  readonly pid: number;
  /** The process's start time in clock ticks since boot (/proc/<pid>/stat field 22); 0 when unknown. */
  readonly pidStart: number;
  readonly host: string;
  /** ISO time the owner started. */
  readonly startedAt: string;
};

/** Field 22 of /proc/<pid>/stat, and whether the process is a zombie; undefined when there is no such process. */
const procStat = (pid: number): { readonly start: number; readonly zombie: boolean } | undefined => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: fields are counted after its last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { start: Number(fields[19]), zombie: fields[0] === 'Z' };
  } catch {
    return undefined;
  }
};

let current: Owner | undefined;

/** This process as an owner; the same object for the whole run. */
export const currentOwner = (): Owner =>
  (current ??= {
    run: `r${randomBytes(3).toString('hex')}`,
    pid: process.pid,
    pidStart: procStat(process.pid)?.start ?? 0,
    host: hostname(),
    startedAt: new Date().toISOString(),
  });

/**
 * Is the owner still running? Only answerable on its own host: an owner elsewhere counts as running, so
 * nothing of another machine's run is ever removed.
 */
export const ownerRunning = (owner: Owner): boolean => {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return true;
  const stat = procStat(owner.pid);
  if (stat === undefined || stat.zombie) return false;
  return owner.pidStart === 0 || stat.start === owner.pidStart;
};

/** Reads an owner back from JSON; undefined for anything else (a record of another version, a torn file). */
export const parseOwner = (value: unknown): Owner | undefined => {
  if (value === null || typeof value !== 'object') return undefined;
  const o = value as Record<string, unknown>;
  if (typeof o.run !== 'string' || typeof o.pid !== 'number' || typeof o.host !== 'string') return undefined;
  return {
    run: o.run,
    pid: o.pid,
    pidStart: typeof o.pidStart === 'number' ? o.pidStart : 0,
    host: o.host,
    startedAt: typeof o.startedAt === 'string' ? o.startedAt : '',
  };
};

/** "run r7f3k2 (pid 4121, no longer running)" */
export const describeOwner = (owner: Owner): string => `run ${owner.run} (pid ${owner.pid}, no longer running)`;
