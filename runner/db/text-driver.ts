/**
 * A slonik driver over node-postgres that keeps PostgreSQL's own text output. slonik's `typeParsers` only
 * name types it should parse and fall back to pg-types for the rest (int8 -> string but int4 -> number,
 * bool -> boolean, timestamptz -> Date...), and its pg driver returns rows as objects, which merges
 * duplicate column names and reorders integer-like ones. Here every cell stays the server's text (json
 * and jsonb too: JSON.parse would round big numbers and merge duplicate keys), rows are arrays in column
 * order, and every connection starts with the session settings that make that text deterministic. A spec's
 * SQL may SET DateStyle, IntervalStyle or TimeZone; the server reports each change (ParameterStatus), and
 * every result carries the settings in force so that its text is read as it was printed.
 */
import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, createDriverFactory, type DriverFactory } from 'slonik';
import { hostname } from 'node:os';
import pg from 'pg';
import { cancelFrom, DEFAULT_MAX_ROWS, queryWithRowLimit } from './row-limit.ts';
import type { OutputStyle } from './query-result.ts';
import { mayChangeSession, preparedName, TRANSACTION_CONTROL } from './session-state.ts';
import { Pipeline, type PipelineChannel } from './pipeline.ts';

const keepText = (value: string): string => value;
const getTypeParser = (() => keepText) as pg.CustomTypesConfig['getTypeParser'];

/** The output settings every connection starts with (startupOptions). */
const INITIAL_STYLE: OutputStyle = { dateStyle: 'ISO, YMD', intervalStyle: 'postgres', timeZone: 'UTC' };

const STYLE_PARAMETERS: Readonly<Record<string, keyof OutputStyle>> = { DateStyle: 'dateStyle', IntervalStyle: 'intervalStyle', TimeZone: 'timeZone' };

/**
 * Follows the server's ParameterStatus messages for the output settings. pg's Client reads them on its
 * connection but keeps none of them; the connection emits each one as an event.
 */
const followStyle = (client: pg.Client): (() => OutputStyle) => {
  let style = INITIAL_STYLE;
  const connection = (
    client as unknown as { connection?: { on(event: 'parameterStatus', listener: (msg: { parameterName: string; parameterValue: string }) => void): void } }
  ).connection;
  connection?.on('parameterStatus', (msg) => {
    const key = STYLE_PARAMETERS[msg.parameterName];
    if (key && style[key] !== msg.parameterValue) style = { ...style, [key]: msg.parameterValue };
  });
  return () => style;
};

/** The result's fields carry the style, as slonik forwards the driver's fields array untouched. */
export type StyledField = { readonly dataTypeId: number; readonly name: string; readonly style: OutputStyle };

/** What slonik sends when a pooled connection is released (see createPoolFor's resetConnection). */
export const RESET_SQL = 'DISCARD ALL';

/** Answered from the connection's BackendKeyData, without a round trip. */
export const BACKEND_PID_SQL = 'select pg_backend_pid()';

/**
 * Unique per process and host, so that cancelling "our" statements never touches another dbspec run's,
 * and a later run on this host can end the connections of a killed one (see copy-leftovers.ts).
 */
export const APPLICATION_NAME = `dbspec/${process.pid}@${hostname().slice(0, 40)}`;

export type SessionSettings = {
  /** statement_timeout in ms; undefined: the server's default. */
  readonly statementTimeoutMs?: number;
  /** Bound on establishing one connection. */
  readonly connectTimeoutMs: number;
  /** Rows one statement may return (see row-limit.ts); default DEFAULT_MAX_ROWS. */
  readonly maxRows?: number;
  /** Texts proven unable to change their session (Database.proveSessionSafe): no reset after them. */
  readonly sessionSafe?: ReadonlySet<string>;
  /** Where Database leaves the statements of a pipeline for the driver (see pipeline.ts). */
  readonly pipelines?: PipelineChannel;
};

/**
 * Startup parameters rather than SET: slonik runs DISCARD ALL (RESET ALL) when a pooled connection is
 * released, and RESET returns to the values the connection started with.
 *
 * synchronous_commit off: a commit returns before its WAL is flushed to disk. A spec's writes are thrown
 * away after it, so durability buys nothing, and the flush was most of the server's time per commit (500
 * specs: 2.0 -> 1.2 s of waiting; issue 18). Consistency is unchanged: a server crash can lose only the
 * last commits, in order, never half of one. The embedded server runs so as a whole (embedded.ts).
 */
const startupOptions = (settings: SessionSettings): string =>
  [
    '-c TimeZone=UTC',
    '-c DateStyle=ISO,YMD',
    '-c IntervalStyle=postgres',
    '-c synchronous_commit=off',
    ...(settings.statementTimeoutMs !== undefined ? [`-c statement_timeout=${Math.max(1, Math.round(settings.statementTimeoutMs))}`] : []),
  ].join(' ');

/**
 * pg reports a dropped socket by message only (no code); slonik discards a pool client only for its own
 * BackendTerminated classes, so those, with the pg error as `cause`, are what the driver throws. Statement
 * errors stay pg's own (see db-error.ts for why they are not wrapped).
 */
const wrapConnectionError = (error: Error): Error => {
  const code = (error as { code?: unknown }).code;
  if (/connection terminated unexpectedly/i.test(error.message)) return new BackendTerminatedUnexpectedlyError(error);
  if (/connection terminated/i.test(error.message) || code === '57P01' || code === '57P02') return new BackendTerminatedError(error);
  return error;
};

const toDriverValue = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

/**
 * Over 60 lines, on purpose: slonik's driver contract is nested closures (createDriverFactory -> createPoolClient
 * -> { connect, end, query }), and the per-connection state they share (dead, dirty, inTransaction,
 * socketClosed) lives in the createPoolClient closure; split apart, that state would need an object passed
 * around for no gain in reading.
 */
export const createTextDriverFactory = (settings: SessionSettings): DriverFactory => {
  // Whether a statement may leave session state behind (then the connection is reset before reuse).
  const leavesState = (sql: string): boolean => mayChangeSession(sql) && settings.sessionSafe?.has(sql) !== true;
  return createDriverFactory(async ({ driverConfiguration }) => {
    const clientConfig: pg.ClientConfig = {
      connectionString: driverConfiguration.connectionUri,
      application_name: APPLICATION_NAME,
      options: startupOptions(settings),
      connectionTimeoutMillis: settings.connectTimeoutMs,
      types: { getTypeParser },
    };
    return {
      createPoolClient: async ({ clientEventEmitter }) => {
        const client = new pg.Client(clientConfig);
        const cancel = cancelFrom({ ...clientConfig, options: undefined }, () => (client as unknown as { processID: number | null }).processID);
        const styleInForce = followStyle(client);
        // Once a query has reported the connection dead, later socket errors stay quiet and further queries
        // (slonik's DISCARD ALL on release) fail at once: slonik destroying the client from the error event
        // while its release is pending waits on itself until the 5 s graceful termination timeout.
        let dead: Error | undefined;
        const onError = (error: Error): void => {
          if (dead) return;
          dead = wrapConnectionError(error);
          clientEventEmitter.emit('error', dead);
        };
        const onNotice = (notice: { message?: string }): void => {
          if (notice.message) clientEventEmitter.emit('notice', { message: notice.message });
        };
        // pg's end() waits for a socket 'end' that a killed connection already sent: it would hang until
        // slonik's graceful termination timeout (5 s) for every connection the server terminated.
        let socketClosed = false;
        // Whether a statement may have left session state behind, and whether our own BEGIN is still open.
        let dirty = false;
        let inTransaction = false;
        // Names of prepared statements made before the last reset are gone on the server.
        let generation = 0;
        client.on('end', () => {
          socketClosed = true;
        });
        client.on('error', onError);
        client.on('notice', onNotice);
        const detach = (): void => {
          client.removeListener('error', onError);
          client.removeListener('notice', onNotice);
        };
        return {
          connect: async () => {
            try {
              await client.connect();
            } catch (error) {
              detach();
              throw error;
            }
          },
          end: async () => {
            if (!socketClosed) await client.end();
            detach();
          },
          query: async (sql, values) => {
            if (dead) throw dead;
            const { processID } = client as unknown as { processID: number | null };
            if (sql === BACKEND_PID_SQL && processID !== null) {
              return {
                command: 'SELECT',
                fields: [{ dataTypeId: 23, name: 'pg_backend_pid' }],
                rowCount: 1,
                rows: [[String(processID)]] as unknown as Record<string, unknown>[],
              };
            }
            const pipelined = settings.pipelines?.take(sql);
            if (pipelined) {
              if (!dirty) dirty = pipelined.some((s) => leavesState(s.sql));
              const pipeline = new Pipeline(pipelined, settings.maxRows ?? DEFAULT_MAX_ROWS, styleInForce, () => void cancel().catch(() => undefined));
              client.query(pipeline as unknown as pg.QueryConfig);
              const outcome = await pipeline.done.catch((error: unknown) => {
                dead = wrapConnectionError(error as Error);
                throw dead;
              });
              return { command: 'SELECT', fields: [], rowCount: 1, rows: [outcome] as unknown as Record<string, unknown>[] };
            }
            // A connection that ran only plain reads and writes, in no open transaction, has nothing to reset.
            if (sql === RESET_SQL) {
              if (!dirty && !inTransaction) return { command: 'DISCARD' as 'SELECT', fields: [], rowCount: 0, rows: [] };
              dirty = false;
            } else if (TRANSACTION_CONTROL.has(sql)) {
              inTransaction = sql === 'begin';
            } else if (!dirty && leavesState(sql)) {
              dirty = true;
            }
            let result;
            // dbspec's own per-spec reads as statements prepared on this connection (session-state.ts). Only a
            // reset can take them (whatever else deallocates marks the connection dirty, so a reset follows),
            // and each reset starts a new generation of names.
            const prepared = preparedName(sql);
            const name = prepared && `${prepared}_${generation}`;
            try {
              result = await queryWithRowLimit(
                client,
                // Extended protocol always: one statement per query, as the server enforces it.
                { text: sql, values: (values ?? []).map(toDriverValue), rowMode: 'array', queryMode: 'extended', ...(name && { name }) } as pg.QueryArrayConfig,
                settings.maxRows ?? DEFAULT_MAX_ROWS,
                cancel,
              );
              if (sql === RESET_SQL) generation += 1;
            } catch (error) {
              const wrapped = wrapConnectionError(error as Error);
              if (wrapped !== error) dead = wrapped;
              throw wrapped;
            }
            return {
              command: result.command as 'SELECT',
              fields: result.fields.map((field): StyledField => ({ dataTypeId: field.dataTypeID, name: field.name, style: styleInForce() })),
              rowCount: result.rowCount,
              rows: result.rows as unknown as Record<string, unknown>[],
            };
          },
          stream: () => {
            throw new Error('dbspec does not stream query results');
          },
        };
      },
    };
  });
};
