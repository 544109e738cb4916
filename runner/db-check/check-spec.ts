/**
 * One spec against the real schema, without running it: on each of its databases, one transaction that is
 * always rolled back; inside it every data statement is PREPAREd (PostgreSQL parses and analyses it: unknown
 * tables, columns, functions, type errors) and the spec's own DDL runs, in spec order, so that a table setup
 * creates is known to the steps. Data statements never run. Problems come back as diagnostics at the line
 * and column of the SQL as written.
 */
import type { Database, Session } from '../db/database.ts';
import { toDbError, type DbError } from '../db/db-error.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import type { Plan } from '../plan/plan.ts';
import { locateInSql, writtenOffset, type BoundStatement } from '../spec/bind.ts';
import { stepExpectsError, stepSql } from '../spec/step-kinds.ts';
import { closest } from '../spec/suggest.ts';
import type { SqlText, Spec, Step } from '../spec/types.ts';
import { classifyStatement } from './statement-role.ts';
import { columnNames, tableNames } from './schema-names.ts';

/** One piece of SQL of a spec, in the order the spec runs it. */
type Piece = {
  readonly db: string;
  readonly sql: SqlText;
  /** The step expects an error: whatever PostgreSQL says about it is the spec's business, not a mistake. */
  readonly errorExpected: boolean;
};

export type CheckOptions = {
  /** Whether DDL that changes existing objects (ALTER, CREATE INDEX, DROP) may run in the rolled-back transaction. */
  readonly mayChangeExisting: (database: string) => boolean;
  readonly statementTimeoutMs: number;
};

const stepPieces = (step: Step): Piece[] => {
  const errorExpected = stepExpectsError(step);
  return stepSql(step).map((piece) => ({ db: piece.db, sql: piece.sql, errorExpected }));
};

export const piecesOf = (spec: Spec): Piece[] => [
  ...spec.setup.map((block) => ({ db: block.db, sql: block.sql, errorExpected: false })),
  ...spec.steps.flatMap(stepPieces),
  ...spec.cleanup.map((block) => ({ db: block.db, sql: block.sql, errorExpected: false })),
];

/** Parameters PostgreSQL cannot type on their own (`select $1 + $2`) make a statement uncheckable, not wrong. */
const UNTYPABLE = new Set(['42P18', '42725']);
const untypable = (error: DbError, statement: BoundStatement): boolean =>
  statement.params.length > 0 && (UNTYPABLE.has(error.code ?? '') || (error.code === '42883' && /\bunknown\b/.test(error.message)));

const PREPARED = 'dbspec_check';

/** The error's position (in `prefix + statement.sql`) -> file:line:col of the SQL as written. */
const locate = (sql: SqlText, statement: BoundStatement, error: DbError, prefix: string) => {
  const inStatement = error.position !== undefined ? error.position - 1 - prefix.length : -1;
  if (inStatement < 0 || inStatement > statement.sql.length || statement.offset === undefined) return statement.loc;
  return locateInSql(sql, statement.offset + writtenOffset(statement, inStatement));
};

const lastName = (qualified: string): string => qualified.split('.').at(-1)!;

const describe = async (session: Session, database: string, error: DbError, relations: readonly string[]): Promise<Pick<Diagnostic, 'code' | 'message'>> => {
  const table = error.code === '42P01' ? /relation "([^"]+)" does not exist/.exec(error.message) : null;
  if (table) {
    const name = lastName(table[1]!);
    const guess = closest(name, await tableNames(session));
    return {
      code: 'DBSPEC_DB_UNKNOWN_TABLE',
      message: `unknown table \`${name}\` in database \`${database}\`${guess !== undefined ? `; did you mean \`${guess}\`?` : ''}`,
    };
  }
  const column = error.code === '42703' ? /column (?:"([^"]+)"|(\S+)) (?:of relation "([^"]+)" )?does not exist/.exec(error.message) : null;
  if (column) {
    const name = lastName(column[1] ?? column[2]!);
    const guess = closest(name, await columnNames(session, column[3] !== undefined ? [column[3]] : relations));
    return {
      code: 'DBSPEC_DB_UNKNOWN_COLUMN',
      message: `unknown column \`${name}\` in database \`${database}\`${guess !== undefined ? `; did you mean \`${guess}\`?` : ''}`,
    };
  }
  return { code: 'DBSPEC_DB_CHECK', message: `database \`${database}\` rejects this statement: ${error.message} (SQLSTATE ${error.code ?? 'none'})` };
};

/** A lost connection or a server that refuses us is the environment's problem, not the spec's. */
const environmental = (error: DbError): boolean => error.kind === 'connection-lost' || error.kind === 'connection-failed' || error.kind === 'cancelled';

const checkOnSession = async (session: Session, database: string, pieces: readonly Piece[], plan: Plan, options: CheckOptions): Promise<Diagnostic[]> => {
  const diagnostics: Diagnostic[] = [];
  await session.query(`set local statement_timeout = ${Math.max(1, Math.round(options.statementTimeoutMs))}`);
  // Never wait behind (or queue others behind) a lock on a table someone else is using.
  await session.query("set local lock_timeout = '500ms'");
  for (const piece of pieces) {
    for (const statement of plan.statementsOf(piece.sql)) {
      const { role, relations } = classifyStatement(statement.sql, options.mayChangeExisting(database));
      // DDL with bind parameters cannot run as written (PostgreSQL takes none there): nothing to define.
      if (role === 'skip' || (role === 'define' && statement.params.length > 0)) continue;
      const prefix = role === 'analyse' ? `prepare ${PREPARED} as ` : '';
      await session.query(`savepoint ${PREPARED}`);
      try {
        await session.query(prefix + statement.sql);
        if (role === 'analyse') await session.query(`deallocate ${PREPARED}`);
        await session.query(`release savepoint ${PREPARED}`);
      } catch (thrown) {
        const error = toDbError(thrown);
        if (environmental(error)) throw thrown;
        await session.query(`rollback to savepoint ${PREPARED}`);
        if (piece.errorExpected || untypable(error, statement)) continue;
        diagnostics.push({
          kind: 'authoring',
          ...(await describe(session, database, error, relations)),
          location: locate(piece.sql, statement, error, prefix),
        });
      }
    }
  }
  return diagnostics;
};

const connectionProblem = (database: string, error: DbError): DbspecError =>
  new DbspecError({ kind: 'connection', code: 'DBSPEC_DB_CHECK_CONNECTION', message: `--db-check: database \`${database}\`: ${error.message}` });

/** In file order, whichever database each statement went to. */
const byPlace = (a: Diagnostic, b: Diagnostic): number =>
  (a.location?.line ?? 0) - (b.location?.line ?? 0) || (a.location?.column ?? 0) - (b.location?.column ?? 0);

/** Checks one spec on every database it uses. Throws DbspecError only for connection problems. */
export const checkSpec = async (spec: Spec, plan: Plan, databases: ReadonlyMap<string, Database>, options: CheckOptions): Promise<Diagnostic[]> => {
  const pieces = piecesOf(spec);
  const diagnostics: Diagnostic[] = [];
  for (const name of spec.databases) {
    const database = databases.get(name);
    const own = pieces.filter((piece) => piece.db === name);
    if (!database || own.length === 0) continue;
    try {
      diagnostics.push(
        ...(await database.withSession(async (session) => {
          await session.query('begin');
          try {
            return await checkOnSession(session, name, own, plan, options);
          } finally {
            // Whatever the spec's DDL did is undone here; nothing of the check outlives it.
            await session.query('rollback').catch(() => undefined);
          }
        })),
      );
    } catch (error) {
      if (error instanceof DbspecError) throw error;
      throw connectionProblem(name, toDbError(error));
    }
  }
  return diagnostics.sort(byPlace);
};
