/**
 * The next run's side of the run registry (run-registry.ts): the journals of runs no longer running,
 * replayed, their owed cleanup run and the databases they made dropped, on the targets this run reaches.
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeOwner, ownerRunning, parseOwner, type Owner } from './run-owner.ts';
import {
  deadWritersTemp,
  GIVE_UP_MS,
  journalText,
  registryDir,
  replaceFile,
  toJson,
  type InFlight,
  type JournalLine,
  type MadeDatabases,
  type OwedBlock,
  type RunFile,
} from './run-registry.ts';

/** Runs one owed block; undefined when it ran, else why not. */
export type BlockRunner = (block: OwedBlock) => Promise<string | undefined>;
/** Drops those of `names` that exist; returns the ones it dropped, or why it could not. */
export type DatabaseDropper = (names: readonly string[]) => Promise<{ readonly dropped: readonly string[] } | { readonly problem: string }>;

/** How the next run reaches each configured database, by target key. */
export type LeftoverReach = { readonly runners: ReadonlyMap<string, BlockRunner>; readonly droppers: ReadonlyMap<string, DatabaseDropper> };

/** A journal replayed (or a whole-file record of dbspec 0.2); undefined for anything else. */
const readRunFile = (path: string): RunFile | undefined => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  if (path.endsWith('.json')) {
    try {
      const parsed = JSON.parse(text) as { owner?: unknown; inFlight?: unknown };
      const owner = parseOwner(parsed.owner);
      return owner && Array.isArray(parsed.inFlight) ? { owner, inFlight: parsed.inFlight as InFlight[], databases: [] } : undefined;
    } catch {
      return undefined;
    }
  }
  let owner: Owner | undefined;
  const inFlight = new Map<number, InFlight>();
  const made = new Map<string, Set<string>>();
  for (const line of text.split('\n')) {
    let entry: JournalLine;
    try {
      entry = JSON.parse(line) as JournalLine;
    } catch {
      continue;
    }
    if ('owner' in entry) owner = parseOwner(entry.owner);
    else if ('set' in entry) inFlight.set(entry.set, entry.inFlight);
    else if ('clear' in entry) inFlight.delete(entry.clear);
    else if ('creating' in entry) for (const name of entry.names) made.set(entry.creating, (made.get(entry.creating) ?? new Set()).add(name));
    else if ('dropped' in entry) for (const name of entry.names) made.get(entry.dropped)?.delete(name);
  }
  const databases = [...made].filter(([, names]) => names.size > 0).map(([target, names]) => ({ target, names: [...names] }));
  return owner && { owner, inFlight: [...inFlight.values()], databases };
};

type Settled<T> = { readonly still: T[]; readonly notices: string[] };

/** Runs each spec's owed cleanup on the targets this run reaches; keeps what it could not reach. */
const settleInFlight = async (record: RunFile, runners: LeftoverReach['runners']): Promise<Settled<InFlight>> => {
  const still: InFlight[] = [];
  const notices: string[] = [];
  for (const inFlight of record.inFlight) {
    const left: OwedBlock[] = [];
    const problems: string[] = [];
    for (const block of inFlight.cleanup) {
      const run = runners.get(block.target);
      const problem = run ? await run(block) : 'not opened by this run';
      // A block that failed on an open database is reported once, not retried by every later run.
      if (problem !== undefined && !run) left.push(block);
      if (run && problem !== undefined) problems.push(`${block.db}: ${problem}`);
    }
    const ran = inFlight.cleanup.length - left.length;
    if (ran > 0 || problems.length > 0)
      notices.push(
        `the last ${describeOwner(record.owner)} stopped during spec "${inFlight.spec}" (${inFlight.file}); ` +
          (problems.length === 0 ? 'ran its cleanup' : `its cleanup failed: ${problems.join('; ')}`),
      );
    if (left.length > 0) still.push({ ...inFlight, cleanup: left });
  }
  return { still, notices };
};

/**
 * Drops the databases the record names on the servers this run reaches: the ones a kill left before they
 * were marked (see copies.ts); those already dropped by their mark are simply gone.
 */
const settleDatabases = async (record: RunFile, droppers: LeftoverReach['droppers']): Promise<Settled<MadeDatabases>> => {
  const still: MadeDatabases[] = [];
  const dropped: string[] = [];
  const problems: string[] = [];
  for (const made of record.databases) {
    const drop = droppers.get(made.target);
    if (!drop) {
      still.push(made);
      continue;
    }
    const outcome = await drop(made.names);
    if ('problem' in outcome) problems.push(outcome.problem);
    else dropped.push(...outcome.dropped);
  }
  const owner = describeOwner(record.owner);
  return {
    still,
    notices: [
      ...(dropped.length > 0 ? [`dropped ${dropped.length} database${dropped.length === 1 ? '' : 's'} left by ${owner}: ${dropped.join(', ')}`] : []),
      ...(problems.length > 0 ? [`could not drop the databases left by ${owner}: ${problems.join('; ')}`] : []),
    ],
  };
};

/**
 * For every record of a run no longer running: runs the cleanup it owes and drops the databases it made, on
 * the targets this run reaches, and removes the record when nothing is left in it. One line per thing done.
 */
export const settleLeftRecords = async (reach: LeftoverReach, dir: string = registryDir()): Promise<string[]> => {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  for (const name of names.filter(deadWritersTemp)) rmSync(join(dir, name), { force: true });
  const notices: string[] = [];
  for (const name of names.filter((each) => each.endsWith('.jsonl') || each.endsWith('.json'))) {
    const path = join(dir, name);
    const record = readRunFile(path);
    if (record === undefined || ownerRunning(record.owner)) continue;
    const flights = await settleInFlight(record, reach.runners);
    const databases = await settleDatabases(record, reach.droppers);
    notices.push(...flights.notices, ...databases.notices);
    try {
      const stale = Date.now() - statSync(path).mtimeMs > GIVE_UP_MS;
      if ((flights.still.length === 0 && databases.still.length === 0) || stale) rmSync(path, { force: true });
      else if (flights.still.length !== record.inFlight.length || databases.still.length !== record.databases.length)
        replaceFile(
          path,
          path.endsWith('.json')
            ? toJson({ owner: record.owner, inFlight: flights.still })
            : journalText(
                record.owner,
                flights.still.map((each, i) => [i, toJson(each)] as const),
                databases.still,
              ),
        );
    } catch {
      // Another run settled the same record meanwhile.
    }
  }
  return notices;
};
