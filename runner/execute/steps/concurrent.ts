/**
 * A concurrent step: N sessions, each on its own connection and in its own transaction, run the same SQL
 * at once (with `barrier`, released together once every session is connected and inside BEGIN). The
 * expectation counts sessions that committed and sessions that failed, by SQLSTATE.
 */
import type { Session } from '../../db/database.ts';
import type { BoundStatement } from '../../spec/bind.ts';
import { plural } from '../../wording.ts';
import { toDbError, type DbError } from '../../db/db-error.ts';
import type { ConcurrentStep } from '../../spec/types.ts';
import { databaseOf, where, type StepContext, type StepOutcome } from '../context.ts';
import { checkVariables, runOnSession, unexpectedError } from '../statements.ts';

type SessionOutcome = { readonly ok: true } | { readonly ok: false; readonly error: DbError };

/** Resolves when `count` parties have arrived, or rejects after `timeoutMs` (a pool too small, a lock). */
const createBarrier = (count: number, timeoutMs: number) => {
  let arrived = 0;
  const all = Promise.withResolvers<void>();
  const timer = setTimeout(() => all.reject(new Error(`only ${arrived} of ${count} sessions could start within ${timeoutMs} ms`)), timeoutMs);
  all.promise.then(
    () => clearTimeout(timer),
    () => clearTimeout(timer),
  );
  return {
    arrive: (): Promise<void> => {
      arrived += 1;
      if (arrived === count) all.resolve();
      return all.promise;
    },
    /** A session that will never arrive (no connection to be had) releases the ones waiting, and their connections. */
    abandon: (error: unknown): void => all.reject(error),
  };
};

const endTransaction = async (session: Session, ok: boolean): Promise<DbError | undefined> => {
  try {
    await session.query(ok ? 'commit' : 'rollback');
    return undefined;
  } catch (error) {
    return toDbError(error);
  }
};

const describeCounts = (succeeded: number, failed: ReadonlyMap<string, number>): string => {
  const parts = [`${succeeded} succeeded`];
  for (const [code, n] of [...failed].sort()) parts.push(`${n} failed with ${code}`);
  return parts.join(', ');
};

/** The step's sessions, started together (at a barrier when asked), each in its own transaction. */
const runSessions = (step: ConcurrentStep, context: StepContext, statements: readonly BoundStatement[]): Promise<SessionOutcome[]> => {
  const db = databaseOf(context, step.db);
  const barrier = step.barrier ? createBarrier(step.sessions, Math.min(context.timeoutMs, 15_000)) : undefined;
  // Without this, sessions already at the barrier would hold their connections until it times out (15 s),
  // and the spec's cleanup would find none free.
  const withSessionOrAbandon = <T>(fn: (session: Session) => Promise<T>): Promise<T> =>
    db.withSession(fn).catch((error: unknown) => {
      barrier?.abandon(error);
      throw error;
    });
  const runSession = (n: number): Promise<SessionOutcome> =>
    withSessionOrAbandon(async (session) => {
      await session.query('begin');
      if (step.timeoutMs !== undefined) await session.query("select set_config('statement_timeout', $1, true)", [String(step.timeoutMs)]);
      try {
        await barrier?.arrive();
      } catch (error) {
        await endTransaction(session, false);
        throw error;
      }
      const ran = await runOnSession(session, statements, context.scope.with('session', n));
      const endError = await endTransaction(session, ran.ok);
      if (!ran.ok) return { ok: false, error: ran.error };
      return endError ? { ok: false, error: endError } : { ok: true };
    });
  return Promise.all(Array.from({ length: step.sessions }, (_, i) => runSession(i + 1)));
};

/** The sessions' outcomes against `succeeded` / `failed`. */
const judge = (step: ConcurrentStep, outcomes: readonly SessionOutcome[]): StepOutcome => {
  const succeeded = outcomes.filter((o) => o.ok).length;
  const failed = new Map<string, number>();
  for (const o of outcomes) if (!o.ok) failed.set(o.error.code ?? 'unknown', (failed.get(o.error.code ?? 'unknown') ?? 0) + 1);
  const metrics = { sessions_succeeded: succeeded, sessions_failed: step.sessions - succeeded };
  const expectFailed = step.expect.failed;
  const failedMatches =
    expectFailed === undefined ||
    (Object.entries(expectFailed).every(([code, n]) => (failed.get(code) ?? 0) === n) && [...failed.keys()].every((code) => code in expectFailed));
  // With only `succeeded` given, every other session may fail in any way; with `failed` given, exactly as listed.
  if ((step.expect.succeeded === undefined || step.expect.succeeded === succeeded) && failedMatches) return { status: 'passed', metrics };
  const wanted = describeCounts(
    step.expect.succeeded ?? step.sessions - Object.values(expectFailed ?? {}).reduce((a, b) => a + b, 0),
    new Map(Object.entries(expectFailed ?? {})),
  );
  const firstError = outcomes.find((o): o is { ok: false; error: DbError } => !o.ok)?.error;
  return {
    status: 'failed',
    metrics,
    failure: {
      code: 'CONCURRENCY_MISMATCH',
      message: `of ${plural(step.sessions, 'session')}, expected ${wanted}; got ${describeCounts(succeeded, failed)}${firstError ? ` (first error: ${firstError.message})` : ''}`,
      location: where(step.expect.loc),
    },
  };
};

export const runConcurrentStep = async (step: ConcurrentStep, context: StepContext): Promise<StepOutcome> => {
  const statements = context.plan.statementsOf(step.sql);
  checkVariables(statements, context.scope.with('session', 1));
  let outcomes: SessionOutcome[];
  try {
    outcomes = await runSessions(step, context, statements);
  } catch (error) {
    // No connection to be had (too many clients, the server gone) is a connection problem, not the step's.
    const db = toDbError(error);
    if (db.kind === 'connection-failed' || db.kind === 'connection-lost') return unexpectedError(db, statements[0]!);
    return {
      status: 'errored',
      failure: {
        code: 'CONCURRENCY_MISMATCH',
        message: `could not run ${plural(step.sessions, 'session')} at once: ${(error as Error).message}`,
        location: where(step.loc),
      },
    };
  }
  const lost = outcomes.find((o): o is { ok: false; error: DbError } => !o.ok && (o.error.kind === 'connection-lost' || o.error.kind === 'connection-failed'));
  if (lost) return unexpectedError(lost.error, statements[0]!);
  return judge(step, outcomes);
};
