/**
 * The databases a run needs, ready to query: URLs from config are checked against the disposable guard;
 * databases without a URL live on one embedded server, created fresh with their migrations applied.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Config, DatabaseConfig } from '../config.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { connectDatabase } from './connect.ts';
import { copyName, createCopies, databaseOf, dropCopies, urlWithDatabase } from './copies.ts';
import type { Database } from './database.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded.ts';
import { applyMigrations, checkMigrated } from './migrations.ts';
import { freshDatabaseFactory } from './fresh-database.ts';
import { removeLeftoverEmbedded } from './embedded-leftovers.ts';
import { removeLeftovers } from './leftovers.ts';
import { createRunRecord, targetKey, type RunRecord } from './run-registry.ts';
import { redactUrl } from '../redact.ts';

export type OpenOptions = {
  allowShared: boolean;
  migrate: boolean;
  statementTimeoutMs?: number;
  poolSize?: number;
  /** Rows one statement may return (see row-limit.ts). */
  maxRows?: number;
  logFile?: string;
  /** Total bounded retry when connecting; default 10000. */
  connectTimeoutMs?: number;
  /** Parallel workers: each one past the first gets its own copy of every database (see copies.ts). */
  workers?: number;
  /**
   * The caller commits nothing (`--db-check` only PREPAREs, and runs a spec's own DDL in a transaction it
   * always rolls back), so databases not marked disposable are opened without --allow-shared.
   */
  readOnly?: boolean;
};

export type OpenDatabases = {
  readonly databases: ReadonlyMap<string, Database>;
  /**
   * The databases of each parallel worker: the first is `databases`, the others their copies. Just
   * `[databases]` when one worker was asked for or copies could not be made.
   */
  readonly workers: readonly ReadonlyMap<string, Database>[];
  /** Why the workers share the databases after all (e.g. the role may not create databases). */
  readonly copiesRefused?: string;
  readonly embedded: boolean;
  /** Milliseconds the embedded server took from start to ready, when one was started. */
  readonly embeddedStartMs?: number;
  /**
   * Per worker: database name -> the key its cleanup is recorded under (see run-registry.ts), for databases
   * given by URL and not copies; a killed run's owed cleanup is run on them by the next run.
   */
  readonly targets: readonly ReadonlyMap<string, string>[];
  /** Database name -> the URL it was opened at (worker 1); holds passwords, never print unredacted. */
  readonly urls: ReadonlyMap<string, string>;
  /** What was removed that killed runs had left (embedded servers, copies, owed cleanup): one line each. */
  readonly notices: readonly string[];
  /** This run's record of what a kill would leave on databases given by URL (see run-registry.ts). */
  readonly record: RunRecord;
  /** Ends pools, stops the embedded server and removes its temp dir; idempotent. */
  close(): Promise<void>;
};

const configsFor = (config: Config, names: readonly string[]): DatabaseConfig[] => {
  const unknown = names.filter((name) => !config.databases.some((database) => database.name === name));
  if (unknown.length > 0) {
    const known = config.databases.map((database) => database.name).join(', ') || 'none';
    throw new DbspecError(
      unknown.map((name) => ({ kind: 'config', code: 'DBSPEC_UNKNOWN_DATABASE', message: `database \`${name}\` is not configured (configured: ${known})` })),
    );
  }
  return [...new Set(names)].map((name) => config.databases.find((database) => database.name === name) as DatabaseConfig);
};

/** A shared server may hold someone's data: write to it only when told it is disposable. */
const guardShared = (databases: readonly DatabaseConfig[], allowShared: boolean): void => {
  const refused: Diagnostic[] = databases
    .filter((database) => database.url !== undefined && !database.disposable && !allowShared)
    .map((database) => ({
      kind: 'config',
      code: 'DBSPEC_NOT_DISPOSABLE',
      message: `refusing to run against database \`${database.name}\` at ${redactUrl(database.url as string)}: it is not marked disposable and specs write to it; pass --allow-shared or set \`disposable: true\` for \`${database.name}\` in dbspec.config.yaml`,
    }));
  if (refused.length > 0) throw new DbspecError(refused);
};

const startEmbedded = async (logFile: string | undefined): Promise<EmbeddedServer> => {
  try {
    return await startEmbeddedServer(logFile !== undefined ? { logFile } : {});
  } catch (error) {
    const [first, ...log] = (error as Error).message.split('\n');
    throw new DbspecError({ kind: 'connection', code: 'DBSPEC_EMBEDDED_START', message: first ?? 'embedded PostgreSQL failed to start', hint: log.join('\n') });
  }
};

type Copy = { readonly name: string; readonly templateUrl: string; readonly copies: readonly string[] };

/**
 * Where the databases made on the server of `database` are recorded before they are created: only a
 * database given by URL; an embedded server's go with its folder.
 */
const recordFor = (record: RunRecord, database: DatabaseConfig) => {
  const target = database.url === undefined ? undefined : targetKey(database.url);
  return {
    creating: (names: readonly string[]) => target !== undefined && record.creating(target, names),
    dropped: (names: readonly string[]) => target !== undefined && record.dropped(target, names),
  };
};

export const openDatabases = async (config: Config, names: readonly string[], options: OpenOptions): Promise<OpenDatabases> => {
  const wanted = configsFor(config, names);
  guardShared(wanted, options.allowShared || options.readOnly === true);
  const opened = new Map<string, Database>();
  const workers: Map<string, Database>[] = [opened];
  const copied: Copy[] = [];
  const record = createRunRecord();
  const copyRecord = (name: string) => recordFor(record, wanted.find((database) => database.name === name) as DatabaseConfig);
  const drop = async (copy: Copy): Promise<void> => {
    await dropCopies(copy.templateUrl, copy.copies);
    copyRecord(copy.name).dropped(copy.copies);
  };
  let copiesRefused: string | undefined;
  let server: EmbeddedServer | undefined;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await Promise.allSettled(workers.flatMap((each) => [...each.values()].map((database) => database.end())));
      // An embedded server's copies go with its folder.
      if (!server) await Promise.allSettled(copied.map(drop));
      await server?.stop();
      // A run that owes nothing and made nothing that is still there leaves no record.
      record.close();
    })());
  const connect = (name: string, url: string, embedded: boolean): Promise<Database> =>
    connectDatabase(name, url, {
      embedded,
      ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
      ...(options.statementTimeoutMs !== undefined && { statementTimeoutMs: options.statementTimeoutMs }),
      ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
      ...(options.maxRows !== undefined && { maxRows: options.maxRows }),
    });
  const urlOf = (database: DatabaseConfig): string => database.url ?? (server as EmbeddedServer).url(database.name);
  // Upgrade steps may create databases beside an embedded or disposable one (or a worker's copy of one),
  // never beside a shared one.
  const withFresh = (database: DatabaseConfig, db: Database, url = urlOf(database)): Database => {
    if (database.url !== undefined && !database.disposable) return db;
    const made = recordFor(record, database);
    return {
      ...db,
      fresh: freshDatabaseFactory(database.name, {
        url,
        migrationsDir: join(config.root, database.migrations),
        displayRoot: config.root,
        connect: (name, freshUrl) => connect(name, freshUrl, database.url === undefined),
        record: { creating: (name) => made.creating([name]), dropped: (name) => made.dropped([name]) },
      }),
    };
  };

  const notices: string[] = [];
  try {
    if (options.readOnly !== true) notices.push(...removeLeftoverEmbedded());
    if (wanted.some((database) => database.url === undefined)) {
      server = await startEmbedded(options.logFile);
      for (const database of wanted.filter((each) => each.url === undefined)) await server.createDatabase(database.name);
    }
    const copying = Math.max(1, options.workers ?? 1) > 1;
    for (const database of wanted) {
      const embedded = database.url === undefined;
      const connected = await connect(database.name, urlOf(database), embedded);
      opened.set(database.name, withFresh(database, connected));
      // A fresh embedded database always gets the system's schema; a given one only when asked, and is
      // refused when it lacks some (a run would only report one missing table after another).
      const source = {
        dir: join(config.root, database.migrations),
        displayRoot: config.root,
        ...(database.migrationsAt && { configuredAt: database.migrationsAt }),
      };
      if (embedded || options.migrate) await applyMigrations(connected, source);
      else await checkMigrated(connected, source, database.urlEnv);
    }
    // Before any copy is made, so that no copy inherits the rows a killed run left. Never from a read-only command.
    if (options.readOnly !== true)
      notices.push(
        ...(await removeLeftovers({
          opened: wanted.filter((each) => each.url !== undefined).map((each) => ({ url: each.url as string, database: opened.get(each.name) as Database })),
          others: config.databases
            .filter((each) => each.url !== undefined && !wanted.includes(each) && (each.disposable || options.allowShared))
            .map((each) => ({ url: each.url as string, connect: () => connect(each.name, each.url as string, false) })),
        })),
      );
    // A template may not be in use while it is copied: the pools reconnect after the copies are made.
    if (copying) {
      for (const database of wanted) await opened.get(database.name)?.end();
      opened.clear();
    }
    if (copying) {
      copiesRefused = await copyForWorkers(
        wanted.map((database) => ({ name: database.name, url: urlOf(database), record: copyRecord(database.name) })),
        options.workers as number,
        copied,
        drop,
      );
      for (const database of wanted) opened.set(database.name, withFresh(database, await connect(database.name, urlOf(database), database.url === undefined)));
      const copies = copiesRefused === undefined ? (options.workers as number) - 1 : 0;
      for (let worker = 2; worker <= copies + 1; worker++) {
        const databases = new Map<string, Database>();
        workers.push(databases);
        for (const [i, database] of wanted.entries()) {
          const copy = copied[i]!;
          const url = urlWithDatabase(copy.templateUrl, copy.copies[worker - 2]!);
          databases.set(database.name, withFresh(database, await connect(database.name, url, database.url === undefined), url));
        }
      }
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return {
    databases: opened,
    workers,
    ...(copiesRefused !== undefined && { copiesRefused }),
    embedded: server !== undefined,
    ...(server !== undefined && { embeddedStartMs: server.startMs }),
    targets: workers.map((_, k) => (k === 0 ? new Map(wanted.filter((d) => d.url !== undefined).map((d) => [d.name, targetKey(d.url as string)])) : new Map())),
    notices,
    record,
    urls: new Map(wanted.map((d) => [d.name, urlOf(d)])),
    close,
  };
};

type CopySource = { readonly name: string; readonly url: string; readonly record: ReturnType<typeof recordFor> };

/**
 * Copies every database for workers 2..N, recording what it made in `copied`. All or nothing: when one
 * database cannot be copied (no CREATEDB, someone else connected to it, a URL in another form) the copies
 * made so far are dropped and the reason returned.
 */
const copyForWorkers = async (
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
