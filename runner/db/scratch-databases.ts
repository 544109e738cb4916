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

/** The servers, their pristine templates and every database made from them (dropped on close). */
class Scratch implements ScratchServers {
  readonly facts: Record<string, { serverVersion: string; embedded: boolean }> = {};
  private server: EmbeddedServer | undefined;
  private readonly tag = randomBytes(3).toString('hex');
  private counter = 0;
  private readonly made = new Map<Home, Set<string>>();
  private readonly homes = new Map<string, Home>();
  private readonly pristine = new Map<string, string>();
  private readonly config: Config;
  private readonly wanted: readonly DatabaseConfig[];
  private readonly options: ScratchOptions;

  constructor(config: Config, wanted: readonly DatabaseConfig[], options: ScratchOptions) {
    this.config = config;
    this.wanted = wanted;
    this.options = options;
  }

  private connectUrl(home: Home, url: string): Promise<Database> {
    return connectDatabase(home.name, url, {
      embedded: home.embedded,
      ...(this.options.statementTimeoutMs !== undefined && { statementTimeoutMs: this.options.statementTimeoutMs }),
      ...(this.options.poolSize !== undefined && { poolSize: this.options.poolSize }),
    });
  }

  // Every database here is embedded or disposable, so upgrade steps may create theirs beside it (from the
  // configured migrations folder: an upgrade step's database never has the mutant).
  private async connect(home: Home, database: string): Promise<Database> {
    const db = await this.connectUrl(home, home.urlOf(database));
    const configured = this.wanted.find((each) => each.name === home.name)!;
    return {
      ...db,
      fresh: freshDatabaseFactory(home.name, {
        url: home.urlOf(database),
        migrationsDir: join(this.config.root, configured.migrations),
        displayRoot: this.config.root,
        connect: (_name, url) => this.connectUrl(home, url),
      }),
    };
  }

  private async create(home: Home, label: string, template?: string): Promise<string> {
    const name = copyName(home.base, this.counter++, `${label}${this.tag}`);
    await createDatabaseVia(home.adminUrl, name, template);
    this.made.get(home)?.add(name);
    return name;
  }

  private async drop(home: Home, name: string): Promise<void> {
    await dropDatabasesVia(home.adminUrl, [name]).catch(() => undefined);
    this.made.get(home)?.delete(name);
  }

  /** Each configured database migrated once into its pristine template. */
  async open(): Promise<void> {
    if (this.wanted.some((database) => database.url === undefined))
      this.server = await startEmbeddedServer(this.options.logFile !== undefined ? { logFile: this.options.logFile } : {});
    for (const database of this.wanted) {
      const home = homeOf(database, this.server);
      this.homes.set(database.name, home);
      this.made.set(home, new Set());
      const name = await this.create(home, 'p');
      const db = await this.connect(home, name);
      try {
        await applyMigrationTexts(db, this.options.originals.get(database.name) ?? []);
        this.facts[database.name] = { serverVersion: db.serverVersion, embedded: home.embedded };
      } finally {
        await db.end();
      }
      this.pristine.set(database.name, name);
    }
  }

  private async buildOne(home: Home, build: DatabaseBuild): Promise<{ name: string; db: Database }> {
    const name = await this.create(home, 'm', build.kind === 'migrate' ? undefined : this.pristine.get(home.name));
    const db = await this.connect(home, name);
    try {
      if (build.kind === 'migrate') await applyMigrationTexts(db, build.migrations);
      if (build.kind === 'copy-then') await db.query(build.sql);
    } catch (error) {
      await db.end().catch(() => undefined);
      await this.drop(home, name);
      const message = error instanceof DbspecError ? error.message : toDbError(error).message;
      throw new BuildFailed(home.name, message);
    }
    return { name, db };
  }

  async build(builds: ReadonlyMap<string, DatabaseBuild>): Promise<ScratchSet> {
    const built: { home: Home; name: string; db: Database }[] = [];
    const dropAll = async (): Promise<void> => {
      await Promise.allSettled(built.map((b) => b.db.end()));
      await Promise.allSettled(built.map((b) => this.drop(b.home, b.name)));
    };
    try {
      for (const [name, each] of builds) {
        const home = this.homes.get(name);
        if (!home) throw new Error(`internal: database \`${name}\` was not opened for building`);
        built.push({ home, ...(await this.buildOne(home, each)) });
      }
    } catch (error) {
      await dropAll();
      throw error;
    }
    return { databases: new Map(built.map((b) => [b.home.name, b.db])), drop: dropAll };
  }

  async close(): Promise<void> {
    if (!this.server) await Promise.allSettled([...this.made].map(([home, databases]) => dropDatabasesVia(home.adminUrl, [...databases])));
    await this.server?.stop();
  }
}

export const openScratchServers = async (config: Config, names: readonly string[], options: ScratchOptions): Promise<ScratchServers> => {
  const wanted = names.map((name) => config.databases.find((database) => database.name === name)).filter((d): d is DatabaseConfig => d !== undefined);
  refuseShared(wanted);
  const scratch = new Scratch(config, wanted, options);
  try {
    await scratch.open();
  } catch (error) {
    await scratch.close().catch(() => undefined);
    throw error;
  }
  return scratch;
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
