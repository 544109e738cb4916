/**
 * What a run would leave on databases given by URL should it be killed, in a journal per run under
 * `<tmp>/dbspec-runs/`: the specs it has in flight with the cleanup each still owes, and the databases it
 * is creating (worker copies, upgrade steps' fresh databases). Each entry is written before the statement
 * that makes the thing it names, so that no moment of a kill leaves something the journal does not name:
 * a spec's setup runs after its cleanup is recorded, CREATE DATABASE after the name is. The next run on
 * the same databases runs the owed cleanup, drops the databases, and removes the journal; a run that
 * finishes owing nothing removes its own. An embedded server's databases go with its folder (see
 * embedded-leftovers.ts) and are not recorded.
 *
 * Append-only, one JSON line per change, on a file descriptor held open for the run: a spec costs one
 * write() when it starts and one when it settles. Rewriting a whole file and renaming it into place on
 * every change cost 1.2 s of a 500-spec run (issue 18). A SIGKILL cannot tear a write() the kernel has
 * taken, and the page cache outlives the process, so the next run reads every line written; a torn last
 * line (a crash of the machine) is ignored, leaving the state before it. Not fsynced: a power loss is not
 * survived anyway by a file in the temp folder, which a reboot commonly empties.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParamValue } from './query-result.ts';
import { currentOwner, describeOwner, ownerRunning, parseOwner, type Owner } from './run-owner.ts';

export type OwedStatement = { readonly sql: string; readonly params: readonly ParamValue[] };
/** One cleanup block: its statements run in one transaction on the database `target` names. */
export type OwedBlock = { readonly target: string; readonly db: string; readonly statements: readonly OwedStatement[] };
export type InFlight = { readonly spec: string; readonly file: string; readonly cleanup: readonly OwedBlock[] };
/** Databases a run created (or was creating) on the server of the configured database `target` names. */
export type MadeDatabases = { readonly target: string; readonly names: readonly string[] };

type RunFile = { readonly owner: Owner; readonly inFlight: readonly InFlight[]; readonly databases: readonly MadeDatabases[] };

/** A record older than this whose databases no run has opened since is given up. */
const GIVE_UP_MS = 7 * 24 * 3600 * 1000;

/** A journal past this size is compacted to what is still owed and made. */
const COMPACT_BYTES = 1 << 20;

export const registryDir = (): string => join(tmpdir(), 'dbspec-runs');

/**
 * Names a database without holding its URL (and so its password) in the file: by user, host, port and
 * database only, so that the next run finds it after a password change too.
 */
export const targetKey = (url: string): string => {
  let identity = url;
  try {
    const parsed = new URL(url);
    // A socket folder may come as ?host=...
    const host = parsed.searchParams.get('host') ?? parsed.hostname;
    identity = `${decodeURIComponent(parsed.username)}@${host}:${parsed.port || '5432'}${decodeURIComponent(parsed.pathname)}`;
  } catch {
    // Not a URL the runs could open anyway: the whole text names it.
  }
  return createHash('sha256').update(identity).digest('hex').slice(0, 24);
};

const toJson = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/**
 * A journal's lines: the owner first, then `set` (what spec `id` owes now) and `clear` entries, and
 * `creating` (names about to be created on a target's server) and `dropped` entries.
 */
type JournalLine =
  | { readonly owner: Owner }
  | { readonly set: number; readonly inFlight: InFlight }
  | { readonly clear: number }
  | { readonly creating: string; readonly names: readonly string[] }
  | { readonly dropped: string; readonly names: readonly string[] };

/** The journal of a state: what is owed (as JSON text, by spec id) and what is made (by target). */
const journalText = (owner: Owner, owed: Iterable<readonly [number, string]>, made: readonly MadeDatabases[]): string =>
  [
    toJson({ owner }),
    ...[...owed].map(([id, text]) => `{"set":${id},"inFlight":${text}}`),
    ...made.filter((each) => each.names.length > 0).map((each) => toJson({ creating: each.target, names: each.names })),
  ].join('\n') + '\n';

/** Replaces `path` whole (temp file renamed into place: a kill mid-write leaves the previous one). */
const replaceFile = (path: string, text: string): void => {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
};

/** A temporary file of a writer killed mid-replace; the journal it was to replace is still whole. */
const deadWritersTemp = (name: string): boolean => {
  const pid = /\.jsonl?\.(\d+)\.tmp$/.exec(name)?.[1];
  return pid !== undefined && Number(pid) !== process.pid && !existsSync(`/proc/${pid}`);
};

export type RunRecord = {
  /** Records (or, with undefined, clears) what spec `id` still owes. */
  set(id: number, inFlight: InFlight | undefined): void;
  /** Records databases about to be created on `target`'s server: call before CREATE DATABASE. */
  creating(target: string, names: readonly string[]): void;
  /** Clears databases that were dropped (or never made). */
  dropped(target: string, names: readonly string[]): void;
  /** The run is over: removes the journal unless something is still owed or made (then the next run acts on it). */
  close(): void;
};

/** Records made by this process so far: each run of an in-process caller (tests, watch) has its own journal. */
let recordsMade = 0;

/** This run's record; its journal exists from the first thing recorded until the run closes owing nothing. */
export const createRunRecord = (dir: string = registryDir()): RunRecord => {
  const owner = currentOwner();
  const owed = new Map<number, string>();
  const made = new Map<string, Set<string>>();
  recordsMade += 1;
  const file = join(dir, `${owner.run}${recordsMade === 1 ? '' : `-${recordsMade}`}.jsonl`);
  const state = (): string =>
    journalText(
      owner,
      owed,
      [...made].map(([target, names]) => ({ target, names: [...names] })),
    );
  let fd: number | undefined;
  let size = 0;
  const onExit = (): void => close();
  /** Appends the line of a change already applied to the state; the first one writes the whole state. */
  const append = (line: string): void => {
    if (fd === undefined) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      fd = openSync(file, 'w', 0o600);
      size = writeSync(fd, state());
      process.once('exit', onExit);
      return;
    }
    size += writeSync(fd, `${line}\n`);
    if (size > COMPACT_BYTES) {
      closeSync(fd);
      const text = state();
      replaceFile(file, text);
      fd = openSync(file, 'a', 0o600);
      size = Buffer.byteLength(text);
    }
  };
  const close = (): void => {
    if (fd === undefined) return;
    closeSync(fd);
    fd = undefined;
    process.removeListener('exit', onExit);
    if (owed.size === 0 && [...made.values()].every((names) => names.size === 0)) rmSync(file, { force: true });
  };
  const safely = (fn: () => void): void => {
    try {
      fn();
    } catch {
      // The record is a safety net; a run never fails over it.
    }
  };
  return {
    set: (id, inFlight) =>
      safely(() => {
        if (inFlight === undefined || inFlight.cleanup.length === 0) {
          if (owed.delete(id)) append(`{"clear":${id}}`);
          return;
        }
        const text = toJson(inFlight);
        // After most steps nothing the cleanup binds has changed: nothing to write.
        if (owed.get(id) === text) return;
        owed.set(id, text);
        append(`{"set":${id},"inFlight":${text}}`);
      }),
    creating: (target, names) =>
      safely(() => {
        const known = made.get(target) ?? new Set();
        made.set(target, known);
        for (const name of names) known.add(name);
        append(toJson({ creating: target, names }));
      }),
    dropped: (target, names) =>
      safely(() => {
        const known = made.get(target);
        if (!known || !names.some((name) => known.delete(name))) return;
        append(toJson({ dropped: target, names }));
      }),
    close: () => safely(close),
  };
};

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
