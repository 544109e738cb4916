/**
 * What killed runs left on the databases a run is about to use, removed before its first spec: database
 * copies marked with their owner (copy-leftovers.ts), and what their records name (run-registry.ts): the
 * cleanup of the specs they had in flight and the databases they were creating.
 */
import { dropNamedDatabases, removeLeftoverCopies } from './copy-leftovers.ts';
import type { Database } from './database.ts';
import { targetKey, type OwedBlock } from './run-registry.ts';
import { settleLeftRecords, type BlockRunner, type DatabaseDropper } from './run-registry-settle.ts';

/** An owed block runs as a cleanup does: its statements in one transaction. */
const blockRunner =
  (database: Database): BlockRunner =>
  async (block: OwedBlock) => {
    try {
      await database.withSession(async (session) => {
        await session.query('begin');
        try {
          for (const statement of block.statements) await session.query(statement.sql, statement.params);
          await session.query('commit');
        } catch (error) {
          await session.query('rollback').catch(() => undefined);
          throw error;
        }
      });
      return undefined;
    } catch (error) {
      return (error as Error).message;
    }
  };

/** The server part of a URL (copies are per server, so each server is searched once). */
const serverOf = (url: string): string => {
  try {
    const parsed = new URL(url);
    return `${parsed.hostname}:${parsed.port}`;
  } catch {
    return url;
  }
};

/** A configured database this run does not use: opened only if a killed run owes it a cleanup. */
const lazyRunner = (connect: () => Promise<Database>): BlockRunner => {
  return async (block) => {
    let database: Database;
    try {
      database = await connect();
    } catch (error) {
      return (error as Error).message;
    }
    try {
      return await blockRunner(database)(block);
    } finally {
      await database.end();
    }
  };
};

export type LeftoverTargets = {
  /** Databases by URL that this run has opened. */
  readonly opened: readonly { readonly url: string; readonly database: Database }[];
  /** Other configured databases by URL, and how to open one. */
  readonly others: readonly { readonly url: string; readonly connect: () => Promise<Database> }[];
};

export const removeLeftovers = async ({ opened, others }: LeftoverTargets): Promise<string[]> => {
  const notices: string[] = [];
  const servers = new Map(opened.map((each) => [serverOf(each.url), each.url]));
  for (const url of servers.values()) notices.push(...(await removeLeftoverCopies(url)));
  const runners = new Map<string, BlockRunner>([
    ...others.map((each) => [targetKey(each.url), lazyRunner(each.connect)] as const),
    ...opened.map((each) => [targetKey(each.url), blockRunner(each.database)] as const),
  ]);
  // Databases are dropped through a connection of their own to the server: nothing to open lazily.
  const droppers = new Map<string, DatabaseDropper>(
    [...others, ...opened].map((each) => [targetKey(each.url), (names: readonly string[]) => dropNamedDatabases(each.url, names)] as const),
  );
  notices.push(...(await settleLeftRecords({ runners, droppers })));
  return notices;
};
