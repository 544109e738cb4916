/**
 * One named database behind a slonik pool: raw SQL with positional parameters in, PostgreSQL's text
 * output out (see QueryResult). Knows nothing of specs.
 */
import { createPool, sql, type DatabasePool, type DatabasePoolConnection, type QuerySqlToken } from 'slonik';
import type { Cell } from '../values/cell.ts';
import type { OutputStyle, ParamValue, QueryResult } from './query-result.ts';
import { toDbError } from './db-error.ts';
import { PipelineChannel, type PipelineOutcome, type PipelineStatement } from './pipeline.ts';
import { createFingerprinter, type RowCounts } from './fingerprint.ts';
import type { SqlEffects } from '../sql/effects.ts';
import { sessionChange } from './session-proof.ts';
import { changeScope, loadWriteGraph, type ChangeScope, type WriteGraph } from './write-graph.ts';
import { APPLICATION_NAME, BACKEND_PID_SQL, createTextDriverFactory, RESET_SQL } from './text-driver.ts';

export type Session = { readonly pid: number; query(sql: string, values?: readonly ParamValue[]): Promise<QueryResult> };

export type Database = {
  /** The config name, e.g. 'auth'. */
  readonly name: string;
  /** Short form of `show server_version`, e.g. '15.19', '18.1'. */
  readonly serverVersion: string;
  readonly embedded: boolean;
  /** One statement on any pooled connection. */
  query(sql: string, values?: readonly ParamValue[]): Promise<QueryResult>;
  /**
   * Statements in one round trip, as one transaction, on any pooled connection (see pipeline.ts: only for
   * statements canPipeline allows); stops at the first error, which `failed` names by index.
   */
  pipeline(
    statements: readonly PipelineStatement[],
  ): Promise<{ readonly results: readonly QueryResult[]; readonly failed?: { readonly index: number; readonly error: unknown } }>;
  /** One dedicated connection held for fn: BEGIN..COMMIT, SET LOCAL, concurrent sessions. */
  withSession<T>(fn: (session: Session) => Promise<T>): Promise<T>;
  /** 'schema.table' -> exact row count for every user table (or the named ones), in one round trip. */
  fingerprint(tables?: readonly string[]): Promise<RowCounts>;
  /** The tables SQL with these writes can change (see write-graph.ts); the catalog is read on first use. */
  changeScope(writes: SqlEffects): Promise<ChangeScope>;
  /**
   * Before a spec: of its statements on this database, those the catalog proves unable to change their session
   * skip the connection reset after them (see session-proof.ts); every other statement is followed by one.
   * Replaces what the previous spec proved. Returns the texts proven.
   */
  proveSessionSafe(statements: readonly { readonly sql: string; readonly effects?: SqlEffects }[]): Promise<readonly string[]>;
  /** Cancels every statement this process is running on this database (on SIGINT/SIGTERM). */
  cancelRunning(): Promise<void>;
  end(): Promise<void>;
  /**
   * A new, empty database on the same server with the same migrations folder (embedded or disposable
   * targets only, absent otherwise): what an upgrade step migrates step by step.
   */
  readonly fresh?: () => Promise<FreshDatabase>;
};

export type FreshDatabase = {
  readonly database: Database;
  /** Applies the pending migrations up to and including `upTo` (all without it); returns their names. */
  migrate(upTo?: string): Promise<string[]>;
  /** Closes its pool and drops it. */
  drop(): Promise<void>;
};

export type PoolOptions = {
  readonly statementTimeoutMs?: number;
  readonly poolSize?: number;
  /** Bound on establishing one connection. */
  readonly connectTimeoutMs: number;
  /** Rows one statement may return (see row-limit.ts). */
  readonly maxRows?: number;
  /** Statement texts proven unable to change their session: no reset after them (see session-proof.ts). */
  readonly sessionSafe?: ReadonlySet<string>;
  /** Shared with the Database: how it hands pipelines to the driver. */
  readonly pipelines?: PipelineChannel;
};

/** slonik reports 0 for commands without a count (BEGIN, CREATE...); the command tag says which have one. */
const COUNTED_COMMANDS = new Set(['SELECT', 'INSERT', 'UPDATE', 'DELETE', 'MERGE', 'MOVE', 'FETCH', 'COPY']);

/**
 * A token of slonik's own `sql.unsafe` (its type symbol and pass-through parser), given dbspec's text and
 * values. slonik has no public way to build a query from text held in a variable: `sql.unsafe` and
 * `sql.fragment` are template tags that refuse anything but a template literal (they check
 * `Object.isFrozen(parts.raw)`) and renumber the placeholders between the parts, which would move every
 * error position dbspec maps back to the YAML. The text here is already bound ($1..$n, spec/bind.ts).
 */
const UNSAFE_TOKEN = sql.unsafe`select 1`;
const rawQuery = (text: string, values: readonly ParamValue[] = []): QuerySqlToken => ({
  ...UNSAFE_TOKEN,
  sql: text,
  values: values as QuerySqlToken['values'],
});

type SlonikResult = {
  readonly command: string;
  readonly rowCount: number;
  readonly fields: readonly { readonly name: string; readonly dataTypeId: number; readonly style?: OutputStyle }[];
  readonly rows: readonly unknown[];
};

const toQueryResult = (result: SlonikResult): QueryResult => ({
  command: result.command,
  rowCount: COUNTED_COMMANDS.has(result.command) ? result.rowCount : null,
  columns: result.fields.map((field) => ({ name: field.name, typeOid: field.dataTypeId })),
  // The text driver returns each row as an array of cells in column order.
  rows: result.rows as readonly (readonly Cell[])[],
  // The text driver stamps each field with the output settings in force (a result without columns has none).
  ...(result.fields[0]?.style ? { style: result.fields[0].style } : {}),
});

type Queryable = Pick<DatabasePool | DatabasePoolConnection, 'query'>;

const run = async (target: Queryable, sql: string, values?: readonly ParamValue[]): Promise<QueryResult> =>
  toQueryResult((await target.query(rawQuery(sql, values))) as unknown as SlonikResult);

/** Creates the pool; connects lazily (the first query opens the first connection). */
export const createPoolFor = (url: string, options: PoolOptions): Promise<DatabasePool> =>
  createPool(url, {
    driverFactory: createTextDriverFactory({
      connectTimeoutMs: options.connectTimeoutMs,
      ...(options.statementTimeoutMs !== undefined && { statementTimeoutMs: options.statementTimeoutMs }),
      ...(options.maxRows !== undefined && { maxRows: options.maxRows }),
      ...(options.sessionSafe !== undefined && { sessionSafe: options.sessionSafe }),
      ...(options.pipelines !== undefined && { pipelines: options.pipelines }),
    }),
    maxPoolSize: options.poolSize ?? 10,
    // A test tool must see the first error, never a silent retry.
    queryRetryLimit: 0,
    transactionRetryLimit: 0,
    connectionRetryLimit: 0,
    connectionTimeout: options.connectTimeoutMs,
    // The text driver sets statement_timeout itself; idle transactions are the spec's business.
    statementTimeout: 'DISABLE_TIMEOUT',
    idleInTransactionSessionTimeout: 'DISABLE_TIMEOUT',
    captureStackTrace: false,
    // The text driver skips the reset for connections that ran nothing able to change session state.
    resetConnection: async ({ query }) => {
      await query(RESET_SQL);
    },
  });

const shortVersion = (serverVersion: string): string => serverVersion.split(' ')[0] ?? serverVersion;

/**
 * One statement on any pooled connection. slonik destroys a pooled connection whose handler throws
 * (createConnection.ts; "Won't fix. By design.", gajus/slonik#721), and pool.query is such a handler: an
 * expected error (a unique violation a spec asks for) would cost a new connection each time. Caught inside,
 * the connection goes back to the pool; one that is really gone fails its reset on release and is discarded then.
 */
const queryOn =
  (pool: DatabasePool): Database['query'] =>
  async (sql, values) => {
    let outcome: { readonly ok: true; readonly result: QueryResult } | { readonly ok: false; readonly error: unknown } | undefined;
    await pool.connect(async (connection) => {
      try {
        outcome = { ok: true, result: await run(connection, sql, values) };
      } catch (error) {
        outcome = { ok: false, error };
      }
    });
    if (!outcome!.ok) throw outcome!.error;
    return outcome!.result;
  };

/** Several statements in one round trip: handed to the driver through the channel (see pipeline.ts). */
const pipelineOn =
  (query: Database['query'], pipelines: PipelineChannel): Database['pipeline'] =>
  async (statements) => {
    const marker = pipelines.put(statements);
    try {
      const outcome = (await query(marker)).rows[0] as unknown as PipelineOutcome;
      const results = outcome.results.map(toQueryResult);
      return outcome.failed ? { results, failed: outcome.failed } : { results };
    } finally {
      pipelines.drop(marker);
    }
  };

const sessionOn =
  (pool: DatabasePool): Database['withSession'] =>
  async <T>(fn: (session: Session) => Promise<T>): Promise<T> => {
    let outcome: { readonly value: T } | undefined;
    try {
      await pool.connect(async (connection) => {
        const pid = Number((await run(connection, BACKEND_PID_SQL)).rows[0]?.[0]);
        outcome = { value: await fn({ pid, query: (sql, values) => run(connection, sql, values) }) };
      });
    } catch (error) {
      // fn finished (it may have seen and handled its connection being killed): the dead connection
      // is the pool's to discard, not the caller's failure.
      if (outcome === undefined || toDbError(error).kind !== 'connection-lost') throw error;
    }
    return (outcome as { readonly value: T }).value;
  };

/** The write graph, read on first use and again after SQL that may have changed the schema. */
const catalogOn = (withSession: Database['withSession']) => {
  let graph: Promise<WriteGraph> | undefined;
  return {
    // On one connection: its six catalog queries, run at once on the pool, would take six of a role's
    // connections (a CONNECTION LIMIT of 7 was exhausted before the first spec).
    read: (): Promise<WriteGraph> =>
      (graph ??= withSession((session) => loadWriteGraph(session.query)).catch((error: unknown) => {
        graph = undefined;
        throw error;
      })),
    forget: (): void => {
      graph = undefined;
    },
  };
};

/**
 * Before a spec: of its statements, those the catalog proves unable to change their session skip the
 * connection reset after them. DDL (opaque to the parse tree) may add a trigger or a view while the spec
 * runs: nothing is proven against a catalog the spec itself changes, and the next spec reads it again.
 */
const sessionProver =
  (catalog: ReturnType<typeof catalogOn>, sessionSafe: Set<string>): Database['proveSessionSafe'] =>
  async (statements) => {
    sessionSafe.clear();
    if (statements.length === 0 || statements.some((s) => s.effects === undefined || s.effects.opaque !== undefined)) {
      catalog.forget();
      return [];
    }
    try {
      const read = await catalog.read();
      for (const s of statements) if (sessionChange(read, s.effects as SqlEffects) === undefined) sessionSafe.add(s.sql);
    } catch {
      sessionSafe.clear();
    }
    return [...sessionSafe];
  };

/** Wraps an open pool; `show server_version` is its first query, so connection problems surface here. */
export const databaseFromPool = async (
  name: string,
  pool: DatabasePool,
  embedded: boolean,
  sessionSafe = new Set<string>(),
  pipelines = new PipelineChannel(),
): Promise<Database> => {
  const version = await run(pool, 'show server_version');
  const query = queryOn(pool);
  const withSession = sessionOn(pool);
  const catalog = catalogOn(withSession);
  let ended: Promise<void> | undefined;
  return {
    name,
    serverVersion: shortVersion(String(version.rows[0]?.[0] ?? '')),
    embedded,
    query,
    pipeline: pipelineOn(query, pipelines),
    withSession,
    fingerprint: createFingerprinter(query),
    changeScope: async (writes) => {
      const scope = changeScope(await catalog.read(), writes);
      // SQL that could not be followed may have changed the schema itself: read the catalog again next time.
      if ('everything' in scope) catalog.forget();
      return scope;
    },
    proveSessionSafe: sessionProver(catalog, sessionSafe),
    cancelRunning: async () => {
      await query(
        "select pg_cancel_backend(pid) from pg_stat_activity where application_name = $1 and datname = current_database() and pid <> pg_backend_pid() and state = 'active'",
        [APPLICATION_NAME],
      );
    },
    end: () => (ended ??= pool.end()),
  };
};
