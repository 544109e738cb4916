/**
 * Fresh databases for upgrade steps: created empty on the server of a configured database, migrated one
 * release at a time from that database's migrations folder, and dropped when the spec ends. The name
 * carries a random tag, so runs on one server never collide and a leftover is easy to recognise.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { Database, FreshDatabase } from './database.ts';
import { copyName, databaseOf, dropCopies, markDatabase, urlWithDatabase } from './copies.ts';
import { applyMigrations } from './migrations.ts';
import { APPLICATION_NAME } from './text-driver.ts';
import { quoteIdent } from '../sql/quote.ts';

export type FreshOptions = {
  /** The configured database's URL: the new one lives on the same server. */
  readonly url: string;
  readonly migrationsDir: string;
  readonly displayRoot: string;
  readonly connect: (name: string, url: string) => Promise<Database>;
  /** Where the run records the databases it makes on a server given by URL (see run-registry.ts). */
  readonly record?: { creating(name: string): void; dropped(name: string): void };
};

/** Created and marked with its owner, like a worker's copy: a run killed mid-spec leaves it for the next to drop. */
const createDatabase = async (url: string, name: string): Promise<void> => {
  const client = new pg.Client({ connectionString: url, application_name: APPLICATION_NAME });
  client.on('error', () => undefined);
  await client.connect();
  try {
    await client.query(`create database ${quoteIdent(name)}`);
    await markDatabase(client, name);
  } catch (error) {
    await client.query(`drop database if exists ${quoteIdent(name)} with (force)`).catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** A factory for `Database.fresh`, bound to one configured database. */
export const freshDatabaseFactory = (configName: string, options: FreshOptions) => async (): Promise<FreshDatabase> => {
  const base = databaseOf(options.url) ?? configName;
  const name = copyName(base, 0, `up_${randomBytes(3).toString('hex')}`).replace('_w0_', '_');
  const drop = async (): Promise<void> => {
    await dropCopies(options.url, [name]);
    options.record?.dropped(name);
  };
  options.record?.creating(name);
  let database: Database;
  try {
    await createDatabase(options.url, name);
    database = await options.connect(configName, urlWithDatabase(options.url, name));
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
  return {
    database,
    migrate: (upTo) => applyMigrations(database, { dir: options.migrationsDir, displayRoot: options.displayRoot }, upTo),
    drop: async () => {
      await database.end();
      await drop();
    },
  };
};
