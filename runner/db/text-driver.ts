/**
 * A slonik driver over node-postgres that keeps PostgreSQL's own text output. slonik's `typeParsers` only
 * name types it should parse and fall back to pg-types for the rest (int8 -> string but int4 -> number,
 * bool -> boolean, timestamptz -> Date...), and its pg driver returns rows as objects, which merges
 * duplicate column names and reorders integer-like ones. Here every cell stays the server's text except
 * json/jsonb, rows are arrays in column order, and every connection starts with the session settings
 * that make that text deterministic.
 */
import { BackendTerminatedError, BackendTerminatedUnexpectedlyError, createDriverFactory, type DriverFactory } from 'slonik';
import { hostname } from 'node:os';
import pg from 'pg';
import { cancelFrom, DEFAULT_MAX_ROWS, queryWithRowLimit } from './row-limit.ts';
import { mayChangeSession, TRANSACTION_CONTROL } from './session-state.ts';

const JSON_OID = 114;
const JSONB_OID = 3802;

const keepText = (value: string): string => value;
const getTypeParser = ((oid: number) => (oid === JSON_OID || oid === JSONB_OID ? JSON.parse : keepText)) as pg.CustomTypesConfig['getTypeParser'];

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
};

/**
 * Startup parameters rather than SET: slonik runs DISCARD ALL (RESET ALL) when a pooled connection is
 * released, and RESET returns to the values the connection started with.
 */
const startupOptions = (settings: SessionSettings): string =>
  [
    '-c TimeZone=UTC',
    '-c DateStyle=ISO,YMD',
    '-c IntervalStyle=postgres',
    ...(settings.statementTimeoutMs !== undefined ? [`-c statement_timeout=${Math.max(1, Math.round(settings.statementTimeoutMs))}`] : []),
  ].join(' ');

/** pg reports a dropped socket by message only; slonik discards a pool client only for its own class. */
const wrapConnectionError = (error: Error): Error => {
  const code = (error as { code?: unknown }).code;
  if (/connection terminated unexpectedly/i.test(error.message)) return new BackendTerminatedUnexpectedlyError(error);
  if (/connection terminated/i.test(error.message) || code === '57P01' || code === '57P02') return new BackendTerminatedError(error);
  return error;
};

const toDriverValue = (value: unknown): unknown => (typeof value === 'bigint' ? value.toString() : value);

export const createTextDriverFactory = (settings: SessionSettings): DriverFactory =>
  createDriverFactory(async ({ driverConfiguration }) => {
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
            // A connection that ran only plain reads and writes, in no open transaction, has nothing to reset.
            if (sql === RESET_SQL) {
              if (!dirty && !inTransaction) return { command: 'DISCARD' as 'SELECT', fields: [], rowCount: 0, rows: [] };
              dirty = false;
            } else if (TRANSACTION_CONTROL.has(sql)) {
              inTransaction = sql === 'begin';
            } else if (!dirty && mayChangeSession(sql)) {
              dirty = true;
            }
            let result;
            try {
              // Extended protocol always: one statement per query, as the server enforces it.
              result = await queryWithRowLimit(
                client,
                { text: sql, values: (values ?? []).map(toDriverValue), rowMode: 'array', queryMode: 'extended' } as pg.QueryArrayConfig,
                settings.maxRows ?? DEFAULT_MAX_ROWS,
                cancel,
              );
            } catch (error) {
              const wrapped = wrapConnectionError(error as Error);
              if (wrapped !== error) dead = wrapped;
              throw wrapped;
            }
            return {
              command: result.command as 'SELECT',
              fields: result.fields.map((field) => ({ dataTypeId: field.dataTypeID, name: field.name })),
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
