/**
 * The specs a run has in flight, with the cleanup each still owes, in a journal per run under
 * `<tmp>/dbspec-runs/`. A run killed mid-spec (or one whose cleanup could not reach its server) leaves its
 * journal; the next run on the same databases runs the owed cleanup and removes it. Only databases given
 * by URL are recorded: an embedded server's databases go with its folder (see embedded-leftovers.ts).
 *
 * Append-only, one JSON line per change, on a file descriptor held open for the run: a spec costs one
 * write() when it starts and one when it settles. Rewriting a whole file and renaming it into place on
 * every change cost 1.2 s of a 500-spec run (issue 18). A SIGKILL cannot tear a write() the kernel has
 * taken, and a torn last line (a crash of the machine) is ignored, leaving the state before it.
 */
import { createHash } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ParamValue } from './query-result.ts';
import { currentOwner, describeOwner, ownerRunning, parseOwner, type Owner } from './run-owner.ts';

export type OwedStatement = { readonly sql: string; readonly params: readonly ParamValue[] };
/** One cleanup block: its statements run in one transaction on the database `target` names. */
export type OwedBlock = { readonly target: string; readonly db: string; readonly statements: readonly OwedStatement[] };
export type InFlight = { readonly spec: string; readonly file: string; readonly cleanup: readonly OwedBlock[] };

type RunFile = { readonly owner: Owner; readonly inFlight: readonly InFlight[] };

/** A record older than this whose databases no run has opened since is given up. */
const GIVE_UP_MS = 7 * 24 * 3600 * 1000;

/** A journal past this size is compacted to the specs still in flight. */
const COMPACT_BYTES = 1 << 20;

export const registryDir = (): string => join(tmpdir(), 'dbspec-runs');

/** Names a database by its URL without holding the URL (and so its password) in the file. */
export const targetKey = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 24);

const toJson = (value: unknown): string => JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));

/** A journal's lines: the owner first, then `set` (what spec `id` owes now) and `clear` entries. */
type JournalLine = { readonly owner: Owner } | { readonly set: number; readonly inFlight: InFlight } | { readonly clear: number };

const journalText = (owner: Owner, inFlight: ReadonlyMap<number, string>): string =>
  [toJson({ owner }), ...[...inFlight].map(([id, text]) => `{"set":${id},"inFlight":${text}}`)].join('\n') + '\n';

/** Replaces `path` whole (temp file renamed into place: a kill mid-write leaves the previous one). */
const replaceFile = (path: string, text: string): void => {
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, text, { mode: 0o600 });
  renameSync(temp, path);
};

export type RunRecord = {
  /** Records (or, with undefined, clears) what spec `id` still owes. */
  set(id: number, inFlight: InFlight | undefined): void;
};

/** This run's record; its journal exists from the first spec that owes a cleanup until the process exits owing nothing. */
export const createRunRecord = (dir: string = registryDir()): RunRecord => {
  const owner = currentOwner();
  const owed = new Map<number, string>();
  const file = join(dir, `${owner.run}.jsonl`);
  let fd: number | undefined;
  let size = 0;
  const append = (line: string): void => {
    if (fd === undefined) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      fd = openSync(file, 'w', 0o600);
      size = writeSync(fd, `${toJson({ owner })}\n`);
      process.once('exit', () => finish());
    }
    size += writeSync(fd, `${line}\n`);
    if (size > COMPACT_BYTES) {
      closeSync(fd);
      const text = journalText(owner, owed);
      replaceFile(file, text);
      fd = openSync(file, 'a', 0o600);
      size = Buffer.byteLength(text);
    }
  };
  // At exit: a run that owes nothing leaves no journal (its cleanups ran, or it never wrote).
  const finish = (): void => {
    if (fd === undefined) return;
    closeSync(fd);
    fd = undefined;
    if (owed.size === 0) rmSync(file, { force: true });
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
  };
};

/** Runs one owed block; undefined when it ran, else why not. */
export type BlockRunner = (block: OwedBlock) => Promise<string | undefined>;

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
      return owner && Array.isArray(parsed.inFlight) ? { owner, inFlight: parsed.inFlight as InFlight[] } : undefined;
    } catch {
      return undefined;
    }
  }
  let owner: Owner | undefined;
  const inFlight = new Map<number, InFlight>();
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
  }
  return owner && { owner, inFlight: [...inFlight.values()] };
};

/**
 * For every record of a run no longer running: runs the cleanup it owes on the targets `runners` knows,
 * and removes the record when nothing is owed any more. One line per record acted on.
 */
export const runOwedCleanups = async (runners: ReadonlyMap<string, BlockRunner>, dir: string = registryDir()): Promise<string[]> => {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.jsonl') || name.endsWith('.json'));
  } catch {
    return [];
  }
  const notices: string[] = [];
  for (const name of names) {
    const path = join(dir, name);
    const record = readRunFile(path);
    if (record === undefined || ownerRunning(record.owner)) continue;
    const still: InFlight[] = [];
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
    const stale = Date.now() - statSync(path).mtimeMs > GIVE_UP_MS;
    if (still.length === 0 || stale) rmSync(path, { force: true });
    else if (still.length !== record.inFlight.length)
      replaceFile(
        path,
        path.endsWith('.json') ? toJson({ owner: record.owner, inFlight: still }) : journalText(record.owner, new Map(still.map((s, i) => [i, toJson(s)]))),
      );
  }
  return notices;
};
