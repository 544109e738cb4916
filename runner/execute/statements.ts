/**
 * Sending a block of bound statements to one database. Several statements (or a step timeout of its own)
 * run in one transaction on one connection, so `set local` and `set_config(..., true)` carry through to the
 * last statement; a single statement goes straight to the pool, saving two round trips.
 */
import type { Database, Session } from '../db/database.ts';
import { toDbError, type DbError } from '../db/db-error.ts';
import type { QueryResult } from '../db/query-result.ts';
import { locateInStatement, type BoundStatement } from '../spec/bind.ts';
import type { VarScope } from './scope.ts';
import type { CheckedOutcome, StepFailure } from './context.ts';
import { placed } from '../results/place.ts';
import { twoTypesNote } from './param-types.ts';
import { formatLimit } from '../wording.ts';

export type Ran =
  | { readonly ok: true; readonly result: QueryResult; readonly durationMs: number }
  | { readonly ok: false; readonly error: DbError; readonly statement: BoundStatement; readonly durationMs: number };

export type BlockOptions = {
  /** A step-specific statement_timeout; undefined keeps the pool's. */
  readonly timeoutMs?: number;
  /** End with ROLLBACK even when every statement succeeded. */
  readonly rollback?: boolean;
  /** Always use an explicit transaction, even for one statement. */
  readonly transaction?: boolean;
};

const EMPTY: QueryResult = { command: '', rowCount: null, columns: [], rows: [] };

/** Runs statements in order on a session that is already inside a transaction; stops at the first error. */
export const runOnSession = async (session: Session, statements: readonly BoundStatement[], scope: VarScope): Promise<Ran> => {
  const params = statements.map((statement) => scope.paramsFor(statement));
  const started = performance.now();
  let last = EMPTY;
  for (const [i, statement] of statements.entries()) {
    try {
      last = await session.query(statement.sql, params[i]);
    } catch (error) {
      return { ok: false, error: toDbError(error), statement, durationMs: performance.now() - started };
    }
  }
  return { ok: true, result: last, durationMs: performance.now() - started };
};

/** Ends a transaction without letting a lost connection mask the error that matters. */
const finish = async (session: Session, command: 'commit' | 'rollback'): Promise<DbError | undefined> => {
  try {
    await session.query(command);
    return undefined;
  } catch (error) {
    return toDbError(error);
  }
};

/** Variables resolve before anything is sent, so a missing one never leaves a transaction half done. */
export const checkVariables = (statements: readonly BoundStatement[], scope: VarScope): void => {
  for (const statement of statements) scope.paramsFor(statement);
};

export const runBlock = async (db: Database, statements: readonly BoundStatement[], scope: VarScope, options: BlockOptions = {}): Promise<Ran> => {
  if (statements.length === 1 && options.timeoutMs === undefined && !options.transaction && !options.rollback) {
    const statement = statements[0]!;
    const params = scope.paramsFor(statement);
    const started = performance.now();
    try {
      const result = await db.query(statement.sql, params);
      return { ok: true, result, durationMs: performance.now() - started };
    } catch (error) {
      return { ok: false, error: toDbError(error), statement, durationMs: performance.now() - started };
    }
  }
  checkVariables(statements, scope);
  if (options.timeoutMs === undefined && !options.transaction && !options.rollback && statements.every(canPipeline)) return pipelined(db, statements, scope);
  return db.withSession(async (session) => {
    await session.query('begin');
    if (options.timeoutMs !== undefined)
      await session.query("select set_config('statement_timeout', $1, true)", [String(Math.max(1, Math.round(options.timeoutMs)))]);
    const ran = await runOnSession(session, statements, scope);
    const endError = await finish(session, !ran.ok || options.rollback ? 'rollback' : 'commit');
    if (ran.ok && endError) return { ok: false, error: endError, statement: statements[statements.length - 1]!, durationMs: ran.durationMs };
    return ran;
  });
};

/**
 * Plain reads and writes, as their parse tree shows: nothing that refuses a transaction block, changes
 * the session or controls the transaction, so one round trip as an implicit transaction (db/pipeline.ts)
 * does what BEGIN, the statements and COMMIT do.
 */
const PIPELINED = new Set(['SelectStmt', 'InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt']);
const canPipeline = (statement: BoundStatement): boolean =>
  PIPELINED.has(statement.effects?.statement ?? '') && statement.effects?.session === undefined && statement.transactionControl === undefined;

const pipelined = async (db: Database, statements: readonly BoundStatement[], scope: VarScope): Promise<Ran> => {
  const started = performance.now();
  const sent = statements.map((statement) => ({ sql: statement.sql, values: scope.paramsFor(statement) }));
  try {
    const { results, failed } = await db.pipeline(sent);
    const durationMs = performance.now() - started;
    if (failed) return { ok: false, error: toDbError(failed.error), statement: statements[failed.index] ?? statements[statements.length - 1]!, durationMs };
    return { ok: true, result: results[results.length - 1] ?? EMPTY, durationMs };
  } catch (error) {
    return { ok: false, error: toDbError(error), statement: statements[0]!, durationMs: performance.now() - started };
  }
};

/** A database error nobody expected: a failed step, or an errored one when the connection is gone. */
export const unexpectedError = (error: DbError, statement: BoundStatement, timeoutMs?: number): CheckedOutcome => {
  // At what the server pointed to (its position counts from 1 in the text sent), else the statement's start.
  const place = placed(error.position !== undefined ? locateInStatement(statement, error.position - 1) : statement.loc);
  const pgError = { code: error.code, message: error.message, constraint: error.constraint };
  if (error.kind === 'connection-lost' || error.kind === 'connection-failed') {
    return {
      status: 'errored',
      failure: { code: 'CONNECTION_LOST', message: `lost the connection to the database: ${error.message}`, ...place, error: pgError },
    };
  }
  if (error.kind === 'row-limit') return { status: 'failed', failure: { code: 'ROW_LIMIT', message: error.message, ...place } };
  if (error.kind === 'timeout') {
    const after = timeoutMs !== undefined ? ` after ${formatLimit(timeoutMs)}` : '';
    return { status: 'failed', failure: { code: 'TIMEOUT', message: `the statement timed out${after} and was cancelled`, ...place, error: pgError } };
  }
  const code = error.code ? ` (SQLSTATE ${error.code}${error.constraint ? `, constraint ${error.constraint}` : ''})` : '';
  const note = twoTypesNote(error, statement);
  const failure: StepFailure = {
    code: 'UNEXPECTED_ERROR',
    message: `the statement failed: ${error.message}${code}${note ? `\n${note}` : ''}`,
    ...place,
    error: pgError,
  };
  return { status: 'failed', failure };
};
