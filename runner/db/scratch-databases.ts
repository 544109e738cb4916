/**
 * Databases built to order, many times over, for `dbspec prove`: each configured database is migrated once
 * into a pristine template, then every `build` makes a fresh set (a copy of the template, a copy changed by
 * one statement, or an empty database given its own migrations) and `drop` removes it. Only the embedded
 * server or databases marked disposable: this creates and drops databases on the server. Knows nothing of
 * specs or mutants.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config, DatabaseConfig } from '../config.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { redactUrl } from '../redact.ts';
import { connectDatabase } from './connect.ts';
import { copyName, createDatabaseVia, databaseOf, dropDatabasesVia, urlWithDatabase } from './copies.ts';
import type { Database } from './database.ts';
import { toDbError } from './db-error.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded.ts';
import { freshDatabaseFactory } from './fresh-database.ts';
import { applyMigrationTexts, type MigrationText } from './migrations.ts';
import { restoreStatements, schemaSignature, type RestoreTarget } from './schema-restore.ts';

export type DatabaseBuild =
  | { readonly kind: 'copy' }
  | { readonly kind: 'copy-then'; readonly sql: string }
  | { readonly kind: 'migrate'; readonly migrations: readonly MigrationText[] };

/** A build that could not be made: the statement or migration PostgreSQL refused. */
export class BuildFailed extends Error {
  readonly database: string;
  constructor(database: string, message: string) {
    super(message);
    this.database = database;
  }
}

export type ScratchSet = { readonly databases: ReadonlyMap<string, Database>; drop(): Promise<void> };

export type ScratchServers = {
  /** One database per name in `builds`, built as asked. @throws BuildFailed */
  build(builds: ReadonlyMap<string, DatabaseBuild>): Promise<ScratchSet>;
  readonly facts: Readonly<Record<string, { readonly serverVersion: string; readonly embedded: boolean }>>;
  close(): Promise<void>;
};

export type ScratchOptions = {
  readonly originals: ReadonlyMap<string, readonly MigrationText[]>;
  readonly statementTimeoutMs?: number;
  readonly poolSize?: number;
  readonly logFile?: string;
};

type Home = {
  readonly name: string;
  readonly adminUrl: string;
  readonly urlOf: (database: string) => string;
  readonly base: string;
  readonly embedded: boolean;
};

const refuseShared = (databases: readonly DatabaseConfig[]): void => {
  const refused: Diagnostic[] = databases
    .filter((database) => database.url !== undefined && !database.disposable)
    .map((database) => ({
      kind: 'config',
      code: 'DBSPEC_NOT_DISPOSABLE',
      message: `refusing to create and drop databases beside \`${database.name}\` at ${redactUrl(database.url as string)}: it is not marked disposable; set \`disposable: true\` for \`${database.name}\` in dbspec.config.yaml, or unset ${database.urlEnv} to use the embedded server`,
    }));
  if (refused.length > 0) throw new DbspecError(refused);
};

const homeOf = (database: DatabaseConfig, server: EmbeddedServer | undefined): Home => {
  if (database.url === undefined) {
    const embedded = server as EmbeddedServer;
    return { name: database.name, adminUrl: embedded.url('postgres'), urlOf: (name) => embedded.url(name), base: database.name, embedded: true };
  }
  const url = database.url;
  const base = databaseOf(url);
  if (base === undefined)
    throw new DbspecError({ kind: 'config', code: 'DBSPEC_USAGE', message: `the URL of \`${database.name}\` is not a postgres:// URL naming its database` });
  return { name: database.name, adminUrl: url, urlOf: (name) => urlWithDatabase(url, name), base, embedded: false };
};

export const openScratchServers = async (config: Config, names: readonly string[], options: ScratchOptions): Promise<ScratchServers> => {
  const wanted = names.map((name) => config.databases.find((database) => database.name === name)).filter((d): d is DatabaseConfig => d !== undefined);
  refuseShared(wanted);
  const tag = randomBytes(3).toString('hex');
  let server: EmbeddedServer | undefined;
  let counter = 0;
  const made = new Map<Home, Set<string>>();
  const facts: Record<string, { serverVersion: string; embedded: boolean }> = {};
  const connectUrl = (home: Home, url: string): Promise<Database> =>
    connectDatabase(home.name, url, {
      embedded: home.embedded,
      ...(options.statementTimeoutMs !== undefined && { statementTimeoutMs: options.statementTimeoutMs }),
      ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
    });
  // Every database here is embedded or disposable, so upgrade steps may create theirs beside it (from the
  // configured migrations folder: an upgrade step's database never has the mutant).
  const connect = async (home: Home, database: string): Promise<Database> => {
    const db = await connectUrl(home, home.urlOf(database));
    const configured = wanted.find((each) => each.name === home.name)!;
    return {
      ...db,
      fresh: freshDatabaseFactory(home.name, {
        url: home.urlOf(database),
        migrationsDir: join(config.root, configured.migrations),
        displayRoot: config.root,
        connect: (_name, url) => connectUrl(home, url),
      }),
    };
  };
  const create = async (home: Home, label: string, template?: string): Promise<string> => {
    const name = copyName(home.base, counter++, `${label}${tag}`);
    await createDatabaseVia(home.adminUrl, name, template);
    made.get(home)?.add(name);
    return name;
  };
  const drop = async (home: Home, name: string): Promise<void> => {
    await dropDatabasesVia(home.adminUrl, [name]).catch(() => undefined);
    made.get(home)?.delete(name);
  };
  const close = async (): Promise<void> => {
    if (!server) await Promise.allSettled([...made].map(([home, databases]) => dropDatabasesVia(home.adminUrl, [...databases])));
    await server?.stop();
  };
  const homes = new Map<string, Home>();
  const pristine = new Map<string, string>();
  try {
    if (wanted.some((database) => database.url === undefined))
      server = await startEmbeddedServer(options.logFile !== undefined ? { logFile: options.logFile } : {});
    for (const database of wanted) {
      const home = homeOf(database, server);
      homes.set(database.name, home);
      made.set(home, new Set());
      const name = await create(home, 'p');
      const db = await connect(home, name);
      try {
        await applyMigrationTexts(db, options.originals.get(database.name) ?? []);
        facts[database.name] = { serverVersion: db.serverVersion, embedded: home.embedded };
      } finally {
        await db.end();
      }
      pristine.set(database.name, name);
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const buildOne = async (home: Home, build: DatabaseBuild): Promise<{ name: string; db: Database }> => {
    const name = await create(home, 'm', build.kind === 'migrate' ? undefined : pristine.get(home.name));
    const db = await connect(home, name);
    try {
      if (build.kind === 'migrate') await applyMigrationTexts(db, build.migrations);
      if (build.kind === 'copy-then') await db.query(build.sql);
    } catch (error) {
      await db.end().catch(() => undefined);
      await drop(home, name);
      const message = error instanceof DbspecError ? error.message : toDbError(error).message;
      throw new BuildFailed(home.name, message);
    }
    return { name, db };
  };
  const build = async (builds: ReadonlyMap<string, DatabaseBuild>): Promise<ScratchSet> => {
    const built: { home: Home; name: string; db: Database }[] = [];
    const dropAll = async (): Promise<void> => {
      await Promise.allSettled(built.map((b) => b.db.end()));
      await Promise.allSettled(built.map((b) => drop(b.home, b.name)));
    };
    try {
      for (const [name, each] of builds) {
        const home = homes.get(name);
        if (!home) throw new Error(`internal: database \`${name}\` was not opened for building`);
        built.push({ home, ...(await buildOne(home, each)) });
      }
    } catch (error) {
      await dropAll();
      throw error;
    }
    return { databases: new Map(built.map((b) => [b.home.name, b.db])), drop: dropAll };
  };
  return { build, facts, close };
};

/** What a database held before a change in place: its schema signature and the row count of every table. */
export type InPlaceReference = { readonly signature: string; readonly counts: ReadonlyMap<string, number> };

export const takeReference = async (db: Database): Promise<InPlaceReference> => ({ signature: await schemaSignature(db), counts: await db.fingerprint() });

/**
 * Changes a database in place with one statement, after reading what puts the object back.
 * @throws BuildFailed when the object is not there or PostgreSQL refuses the statement (nothing changed).
 */
export const changeInPlace = async (db: Database, sql: string, target: RestoreTarget): Promise<readonly string[]> => {
  try {
    const undo = await restoreStatements(db, target);
    await db.query(sql);
    return undo;
  } catch (error) {
    throw new BuildFailed(db.name, error instanceof Error && !('code' in error) ? error.message : toDbError(error).message);
  }
};

/** Puts the object back; true when the database is again exactly as `reference` says (else rebuild it). */
export const undoInPlace = async (db: Database, undo: readonly string[], reference: InPlaceReference): Promise<boolean> => {
  try {
    for (const sql of undo) await db.query(sql);
    if ((await schemaSignature(db)) !== reference.signature) return false;
    const counts = await db.fingerprint();
    return counts.size === reference.counts.size && [...counts].every(([table, n]) => reference.counts.get(table) === n);
  } catch {
    return false;
  }
};
