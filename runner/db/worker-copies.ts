/**
 * The copies of every database that workers 2..N run on (see copies.ts for one copy), each name recorded
 * in the run's record before its CREATE DATABASE.
 */
import { randomBytes } from 'node:crypto';
import { copyName, createCopies, databaseOf } from './copies.ts';

export type Copy = { readonly name: string; readonly templateUrl: string; readonly copies: readonly string[] };

/** Where the names of a database's copies are recorded (run-registry.ts). */
type CopyRecord = { creating(names: readonly string[]): unknown; dropped(names: readonly string[]): unknown };

type CopySource = { readonly name: string; readonly url: string; readonly record: CopyRecord };

/**
 * Copies every database for workers 2..N, recording what it made in `copied`. All or nothing: when one
 * database cannot be copied (no CREATEDB, someone else connected to it, a URL in another form) the copies
 * made so far are dropped and the reason returned.
 */
export const copyForWorkers = async (
  databases: readonly CopySource[],
  workers: number,
  copied: Copy[],
  drop: (copy: Copy) => Promise<void>,
): Promise<string | undefined> => {
  const tag = randomBytes(3).toString('hex');
  const refuse = async (reason: string): Promise<string> => {
    await Promise.allSettled(copied.map(drop));
    copied.length = 0;
    return reason;
  };
  for (const { name, url, record } of databases) {
    const base = databaseOf(url);
    if (base === undefined) return refuse(`the URL of \`${name}\` is not a postgres:// URL naming its database`);
    const copies = Array.from({ length: workers - 1 }, (_, i) => copyName(base, i + 2, tag));
    // Recorded first: a kill between CREATE DATABASE and its mark leaves a copy only the record names.
    record.creating(copies);
    try {
      await createCopies(url, copies);
    } catch (error) {
      // createCopies dropped what it made.
      record.dropped(copies);
      return refuse(`cannot copy \`${name}\` for the workers: ${(error as Error).message}`);
    }
    copied.push({ name, templateUrl: url, copies });
  }
  return undefined;
};
