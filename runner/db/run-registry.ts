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
import { closeSync, existsSync, mkdirSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParamValue } from './query-result.ts';
import { currentOwner, type Owner } from './run-owner.ts';

export type OwedStatement = { readonly sql: string; readonly params: readonly ParamValue[] };
/** One cleanup block: its statements run in one transaction on the database `target` names. */
export type OwedBlock = { readonly target: string; readonly db: string; readonly statements: readonly OwedStatement[] };
export type InFlight = { readonly spec: string; readonly file: string; readonly cleanup: readonly OwedBlock[] };
/** Databases a run created (or was creating) on the server of the configured database `target` names. */
export type MadeDatabases = { readonly target: string; readonly names: readonly string[] };

export type RunFile = { readonly owner: Owner; readonly inFlight: readonly InFlight[]; readonly databases: readonly MadeDatabases[] };

/** A record older than this whose databases no run has opened since is given up. */
export const GIVE_UP_MS = 7 * 24 * 3600 * 1000;

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

export const toJson = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/**
 * A journal's lines: the owner first, then `set` (what spec `id` owes now) and `clear` entries, and
 * `creating` (names about to be created on a target's server) and `dropped` entries.
 */
export type JournalLine =
  | { readonly owner: Owner }
  | { readonly set: number; readonly inFlight: InFlight }
  | { readonly clear: number }
  | { readonly creating: string; readonly names: readonly string[] }
  | { readonly dropped: string; readonly names: readonly string[] };

/** The journal of a state: what is owed (as JSON text, by spec id) and what is made (by target). */
export const journalText = (owner: Owner, owed: Iterable<readonly [number, string]>, made: readonly MadeDatabases[]): string =>
  [
    toJson({ owner }),
    ...[...owed].map(([id, text]) => `{"set":${id},"inFlight":${text}}`),
    ...made.filter((each) => each.names.length > 0).map((each) => toJson({ creating: each.target, names: each.names })),
  ].join('\n') + '\n';

/** Replaces `path` whole (temp file renamed into place: a kill mid-write leaves the previous one). */
export const replaceFile = (path: string, text: string): void => {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
};

/** A temporary file of a writer killed mid-replace; the journal it was to replace is still whole. */
export const deadWritersTemp = (name: string): boolean => {
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

/**
 * The journal file: opened on the first change (which writes the whole `state`), one line appended per
 * change after that, compacted to `state` past COMPACT_BYTES; `close` removes it when `keep` says nothing is left.
 */
const journalFile = (dir: string, file: string, state: () => string, keep: () => boolean) => {
  let fd: number | undefined;
  let size = 0;
  const close = (): void => {
    if (fd === undefined) return;
    closeSync(fd);
    fd = undefined;
    process.removeListener('exit', close);
    if (!keep()) rmSync(file, { force: true });
  };
  /** Appends the line of a change already applied to the state. */
  const append = (line: string): void => {
    if (fd === undefined) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      fd = openSync(file, 'w', 0o600);
      size = writeSync(fd, state());
      process.once('exit', close);
      return;
    }
    size += writeSync(fd, `${line}\n`);
    if (size <= COMPACT_BYTES) return;
    closeSync(fd);
    const text = state();
    replaceFile(file, text);
    fd = openSync(file, 'a', 0o600);
    size = Buffer.byteLength(text);
  };
  return { append, close };
};

const safely = (fn: () => void): void => {
  try {
    fn();
  } catch {
    // The record is a safety net; a run never fails over it.
  }
};

/** This run's record; its journal exists from the first thing recorded until the run closes owing nothing. */
export const createRunRecord = (dir: string = registryDir()): RunRecord => {
  const owner = currentOwner();
  const owed = new Map<number, string>();
  const made = new Map<string, Set<string>>();
  recordsMade += 1;
  const journal = journalFile(
    dir,
    join(dir, `${owner.run}${recordsMade === 1 ? '' : `-${recordsMade}`}.jsonl`),
    () =>
      journalText(
        owner,
        owed,
        [...made].map(([target, names]) => ({ target, names: [...names] })),
      ),
    () => owed.size > 0 || [...made.values()].some((names) => names.size > 0),
  );
  return {
    set: (id, inFlight) =>
      safely(() => {
        if (inFlight === undefined || inFlight.cleanup.length === 0) {
          if (owed.delete(id)) journal.append(`{"clear":${id}}`);
          return;
        }
        const text = toJson(inFlight);
        // After most steps nothing the cleanup binds has changed: nothing to write.
        if (owed.get(id) === text) return;
        owed.set(id, text);
        journal.append(`{"set":${id},"inFlight":${text}}`);
      }),
    creating: (target, names) =>
      safely(() => {
        const known = made.get(target) ?? new Set();
        made.set(target, known);
        for (const name of names) known.add(name);
        journal.append(toJson({ creating: target, names }));
      }),
    dropped: (target, names) =>
      safely(() => {
        const known = made.get(target);
        if (!known || !names.some((name) => known.delete(name))) return;
        journal.append(toJson({ dropped: target, names }));
      }),
    close: () => safely(journal.close),
  };
};
