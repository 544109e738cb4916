/**
 * The specs a run has in flight, with the cleanup each still owes, in a file per run under
 * `<tmp>/dbspec-runs/`. A run killed mid-spec (or one whose cleanup could not reach its server) leaves its
 * file; the next run on the same databases runs the owed cleanup and removes the file. Only databases given
 * by URL are recorded: an embedded server's databases go with its folder (see embedded-leftovers.ts).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

export const registryDir = (): string => join(tmpdir(), 'dbspec-runs');

/** Names a database by its URL without holding the URL (and so its password) in the file. */
export const targetKey = (url: string): string => createHash('sha256').update(url).digest('hex').slice(0, 24);

const jsonSafe = (value: ParamValue): ParamValue => (typeof value === 'bigint' ? value.toString() : value);

export type RunRecord = {
  /** Records (or, with undefined, clears) what spec `id` still owes. */
  set(id: number, inFlight: InFlight | undefined): void;
};

/** This run's record; its file exists only while something is owed. */
export const createRunRecord = (dir: string = registryDir()): RunRecord => {
  const owed = new Map<number, InFlight>();
  const file = join(dir, `${currentOwner().run}.json`);
  const save = (): void => {
    try {
      if (owed.size === 0) {
        rmSync(file, { force: true });
        return;
      }
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const content: RunFile = { owner: currentOwner(), inFlight: [...owed.values()] };
      // Renamed into place: a kill mid-write leaves the previous record whole.
      const temp = `${file}.${process.pid}.tmp`;
      writeFileSync(
        temp,
        JSON.stringify(content, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)),
        { mode: 0o600 },
      );
      renameSync(temp, file);
    } catch {
      // The record is a safety net; a run never fails over it.
    }
  };
  return {
    set: (id, inFlight) => {
      if (inFlight === undefined || inFlight.cleanup.length === 0) {
        if (!owed.delete(id)) return;
      } else {
        owed.set(id, {
          ...inFlight,
          cleanup: inFlight.cleanup.map((b) => ({ ...b, statements: b.statements.map((s) => ({ ...s, params: s.params.map(jsonSafe) })) })),
        });
      }
      save();
    },
  };
};

/** Runs one owed block; undefined when it ran, else why not. */
export type BlockRunner = (block: OwedBlock) => Promise<string | undefined>;

const readRunFile = (path: string): RunFile | undefined => {
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as { owner?: unknown; inFlight?: unknown };
    const owner = parseOwner(parsed.owner);
    return owner && Array.isArray(parsed.inFlight) ? { owner, inFlight: parsed.inFlight as InFlight[] } : undefined;
  } catch {
    return undefined;
  }
};

/**
 * For every record of a run no longer running: runs the cleanup it owes on the targets `runners` knows,
 * and removes the record when nothing is owed any more. One line per record acted on.
 */
export const runOwedCleanups = async (runners: ReadonlyMap<string, BlockRunner>, dir: string = registryDir()): Promise<string[]> => {
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json'));
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
    else if (still.length !== record.inFlight.length) writeFileSync(path, JSON.stringify({ owner: record.owner, inFlight: still }), { mode: 0o600 });
  }
  return notices;
};
