/**
 * The databases a run needs, ready to query: URLs from config are checked against the disposable guard;
 * databases without a URL live on one embedded server, created fresh with their migrations applied.
 */
import { join } from 'node:path';
import type { Config, DatabaseConfig } from '../config.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { connectDatabase, type ConnectOptions } from './connect.ts';
import { copyForWorkers, dropCopies, urlWithDatabase, type Copy } from './copies.ts';
import type { Database } from './database.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded.ts';
import { applyMigrations, checkMigrated } from './migrations.ts';
import { freshDatabaseFactory } from './fresh-database.ts';
import { vacuumDeadRows } from './dead-rows.ts';
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
  /** The same for each worker (the first is `urls`): where a worker thread connects pools of its own. */
  readonly workerUrls: readonly ReadonlyMap<string, string>[];
  /** How every database here was connected, `embedded` aside (the Database tells). */
  readonly connectOptions: Omit<ConnectOptions, 'embedded'>;
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

/** What openDatabases builds up step by step; its `close` undoes whatever of it exists. */
type Opening = {
  readonly config: Config;
  readonly options: OpenOptions;
  readonly wanted: readonly DatabaseConfig[];
  /** Worker 1's databases, also workers[0]. */
  readonly opened: Map<string, Database>;
  readonly workers: Map<string, Database>[];
  /** The URL of each worker's databases, past worker 1 (whose are urlOf). */
  readonly copyUrls: Map<string, string>[];
  readonly copied: Copy[];
  readonly notices: string[];
  readonly record: RunRecord;
  server?: EmbeddedServer;
  copiesRefused?: string;
};

const connectOptionsOf = (options: OpenOptions): Omit<ConnectOptions, 'embedded'> => ({
  ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
  ...(options.statementTimeoutMs !== undefined && { statementTimeoutMs: options.statementTimeoutMs }),
  ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
  ...(options.maxRows !== undefined && { maxRows: options.maxRows }),
});

const connect = (o: Opening, name: string, url: string, embedded: boolean): Promise<Database> =>
  connectDatabase(name, url, { embedded, ...connectOptionsOf(o.options) });

const urlOf = (o: Opening, database: DatabaseConfig): string => database.url ?? (o.server as EmbeddedServer).url(database.name);

/**
 * A database able to make fresh ones beside it (upgrade steps) when it is embedded or disposable (or a
 * worker's copy of one), never beside a shared one; what it makes is recorded before it is created.
 */
const withFresh = (o: Opening, database: DatabaseConfig, db: Database, url = urlOf(o, database)): Database => {
  if (database.url !== undefined && !database.disposable) return db;
  const made = recordFor(o.record, database);
  return {
    ...db,
    fresh: freshDatabaseFactory(database.name, {
      url,
      migrationsDir: join(o.config.root, database.migrations),
      displayRoot: o.config.root,
      connect: (name, freshUrl) => connect(o, name, freshUrl, database.url === undefined),
      record: { creating: (name) => made.creating([name]), dropped: (name) => made.dropped([name]) },
    }),
  };
};

/** Connected to worker 1's database. */
const connectMain = async (o: Opening, database: DatabaseConfig): Promise<Database> =>
  withFresh(o, database, await connect(o, database.name, urlOf(o, database), database.url === undefined));

/**
 * Each database connected. A fresh embedded database always gets the system's schema; a given one only
 * when asked, and is refused when it lacks some (a run would only report one missing table after another).
 */
const openMigrated = async (o: Opening): Promise<void> => {
  for (const database of o.wanted) {
    const connected = await connectMain(o, database);
    o.opened.set(database.name, connected);
    const source = {
      dir: join(o.config.root, database.migrations),
      displayRoot: o.config.root,
      ...(database.migrationsAt && { configuredAt: database.migrationsAt }),
    };
    if (database.url === undefined || o.options.migrate) await applyMigrations(connected, source);
    else await checkMigrated(connected, source, database.urlEnv);
  }
};

/** What killed runs left on the given databases (and the other disposable ones): before any copy inherits it. */
const removeLeftoversOf = (o: Opening): Promise<string[]> =>
  removeLeftovers({
    opened: o.wanted.filter((each) => each.url !== undefined).map((each) => ({ url: each.url as string, database: o.opened.get(each.name) as Database })),
    others: o.config.databases
      .filter((each) => each.url !== undefined && !o.wanted.includes(each) && (each.disposable || o.options.allowShared))
      .map((each) => ({ url: each.url as string, connect: () => connect(o, each.name, each.url as string, false) })),
  });

/** Disposable databases given by URL, rid of the dead rows earlier runs left (see dead-rows.ts); before any copy is made of them. */
const vacuumDisposable = async (o: Opening): Promise<void> => {
  const disposable = o.wanted.filter((each) => each.url !== undefined && each.disposable);
  await Promise.all(disposable.map((each) => vacuumDeadRows(o.opened.get(each.name) as Database)));
};

/** A worker's copies dropped, and so no longer in the run's record. */
const dropCopy = async (o: Opening, copy: Copy): Promise<void> => {
  await dropCopies(copy.templateUrl, copy.copies);
  recordFor(o.record, o.wanted.find((database) => database.name === copy.name) as DatabaseConfig).dropped(copy.copies);
};

/**
 * Connects every wanted database side by side into `into`, in the config's order (a spec's isolation check
 * names them in it); what did connect is kept there (closing closes it), then the first failure is thrown.
 */
const connectEach = async (o: Opening, into: Map<string, Database>, connectOne: (database: DatabaseConfig) => Promise<Database>): Promise<void> => {
  const outcomes = await Promise.allSettled(o.wanted.map(connectOne));
  for (const [i, database] of o.wanted.entries()) {
    const outcome = outcomes[i]!;
    if (outcome.status === 'fulfilled') into.set(database.name, outcome.value);
  }
  const failed = outcomes.find((outcome) => outcome.status === 'rejected');
  if (failed) throw failed.reason;
};

/** Workers 2..N on copies. A template may not be in use while it is copied: worker 1's pools reconnect after. */
const openCopies = async (o: Opening, workers: number): Promise<void> => {
  for (const database of o.wanted) await o.opened.get(database.name)?.end();
  o.opened.clear();
  o.copiesRefused = await copyForWorkers(
    o.wanted.map((database) => ({ name: database.name, url: urlOf(o, database), record: recordFor(o.record, database) })),
    workers,
    o.copied,
    (copy) => dropCopy(o, copy),
  );
  await connectEach(o, o.opened, (database) => connectMain(o, database));
  const copies = o.copiesRefused === undefined ? workers - 1 : 0;
  for (let worker = 2; worker <= copies + 1; worker++) {
    const databases = new Map<string, Database>();
    const urls = new Map(o.wanted.map((database, i) => [database.name, urlWithDatabase(o.copied[i]!.templateUrl, o.copied[i]!.copies[worker - 2]!)]));
    o.workers.push(databases);
    o.copyUrls.push(urls);
    await connectEach(o, databases, async (database) => {
      const url = urls.get(database.name)!;
      return withFresh(o, database, await connect(o, database.name, url, database.url === undefined), url);
    });
  }
};

const closer = (o: Opening): (() => Promise<void>) => {
  let closed: Promise<void> | undefined;
  return () =>
    (closed ??= (async () => {
      await Promise.allSettled(o.workers.flatMap((each) => [...each.values()].map((database) => database.end())));
      // An embedded server's copies go with its folder.
      if (!o.server) await Promise.allSettled(o.copied.map((copy) => dropCopy(o, copy)));
      await o.server?.stop();
      // A run that owes nothing and made nothing that is still there leaves no record.
      o.record.close();
    })());
};

export const openDatabases = async (config: Config, names: readonly string[], options: OpenOptions): Promise<OpenDatabases> => {
  const wanted = configsFor(config, names);
  guardShared(wanted, options.allowShared || options.readOnly === true);
  const opened = new Map<string, Database>();
  const o: Opening = { config, options, wanted, opened, workers: [opened], copyUrls: [], copied: [], notices: [], record: createRunRecord() };
  const close = closer(o);
  try {
    if (options.readOnly !== true) o.notices.push(...removeLeftoverEmbedded());
    if (wanted.some((database) => database.url === undefined)) {
      o.server = await startEmbedded(options.logFile);
      for (const database of wanted.filter((each) => each.url === undefined)) await o.server.createDatabase(database.name);
    }
    await openMigrated(o);
    // Never from a read-only command.
    if (options.readOnly !== true) o.notices.push(...(await removeLeftoversOf(o)));
    if (options.readOnly !== true) await vacuumDisposable(o);
    if (Math.max(1, options.workers ?? 1) > 1) await openCopies(o, options.workers as number);
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  const server = o.server;
  const urls = new Map(wanted.map((d) => [d.name, urlOf(o, d)]));
  return {
    databases: opened,
    workers: o.workers,
    ...(o.copiesRefused !== undefined && { copiesRefused: o.copiesRefused }),
    embedded: server !== undefined,
    ...(server !== undefined && { embeddedStartMs: server.startMs }),
    targets: o.workers.map((_, k) =>
      k === 0 ? new Map(wanted.filter((d) => d.url !== undefined).map((d) => [d.name, targetKey(d.url as string)])) : new Map(),
    ),
    notices: o.notices,
    record: o.record,
    urls,
    workerUrls: [urls, ...o.copyUrls],
    connectOptions: connectOptionsOf(options),
    close,
  };
};
