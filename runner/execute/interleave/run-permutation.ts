/**
 * One permutation of an interleaving, driven like PostgreSQL's isolation tester drives it: send a
 * statement on its session, then poll until it completes or is seen waiting on another of the sessions
 * (asked from a separate connection); a waiting statement is reported as `<waiting ...>` and the next one
 * in the order is sent. After each statement, statements that were waiting are checked again, and those
 * that completed are reported as `<... completed>` with their result.
 */
import type { Database } from '../../db/database.ts';
import { toDbError } from '../../db/db-error.ts';
import type { HeldSession } from '../../db/held-session.ts';
import { isBlockedBy } from '../../db/lock-wait.ts';
import type { QueryResult } from '../../db/query-result.ts';
import type { BoundStatement } from '../../spec/bind.ts';
import type { SessionStatement, StatementExpect } from '../../spec/types.ts';
import type { VarScope } from '../scope.ts';
import type { Ran } from '../statements.ts';
import { errorLine, formatResultSet } from './transcript.ts';

export type LiveSession = { readonly name: string; readonly db: Database; readonly held: HeldSession };

/** What one statement did in one permutation. */
export type StatementRun = {
  readonly statement: SessionStatement;
  /** The expectation that applies in this permutation: the entry's own, else the statement's. */
  readonly expect?: StatementExpect;
  blocked: boolean;
  ran?: Ran;
};

export type PermutationDeps = {
  readonly sessions: ReadonlyMap<string, LiveSession>;
  readonly statementsOf: (statement: SessionStatement) => readonly BoundStatement[];
  readonly scope: VarScope;
  /** Milliseconds since the epoch after which a statement still running is cancelled. */
  readonly deadline: number;
};

type Running = { readonly run: StatementRun; readonly session: LiveSession; readonly done: Promise<{ ran: Ran; lines: string[] }> };

/** The statement's statements in order on its session; each result set is printed, an error ends it. */
const send = (session: LiveSession, run: StatementRun, deps: PermutationDeps): Running['done'] => {
  const statements = deps.statementsOf(run.statement);
  return (async () => {
    const lines: string[] = [];
    const started = performance.now();
    let last: QueryResult = { command: '', rowCount: null, columns: [], rows: [] };
    for (const statement of statements) {
      try {
        last = await session.held.query(statement.sql, deps.scope.paramsFor(statement));
        lines.push(...formatResultSet(last));
      } catch (error) {
        const dbError = toDbError(error);
        lines.push(errorLine(dbError.message));
        return { ran: { ok: false, error: dbError, statement, durationMs: performance.now() - started }, lines };
      }
    }
    return { ran: { ok: true, result: last, durationMs: performance.now() - started }, lines };
  })();
};

const POLL_MS = 10;

const settledWithin = async <T>(promise: Promise<T>, ms: number): Promise<boolean> => {
  let timer: NodeJS.Timeout | undefined;
  const later = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true), later]);
  } finally {
    clearTimeout(timer);
  }
};

export class StatementTimeout extends Error {}

/** 'done', or 'blocked' once the statement is seen waiting on another session of the same database. */
const completeOrBlock = async (running: Running, deps: PermutationDeps, wait: boolean): Promise<'done' | 'blocked'> => {
  const peers = [...deps.sessions.values()].filter((s) => s.db === running.session.db).map((s) => s.held.pid);
  for (;;) {
    if (await settledWithin(running.done, POLL_MS)) return 'done';
    if (!wait && (await isBlockedBy(running.session.db, running.session.held.pid, peers))) return 'blocked';
    if (Date.now() > deps.deadline) {
      await running.session.db.query('select pg_cancel_backend($1)', [running.session.held.pid]).catch(() => undefined);
      await running.done.catch(() => undefined);
      throw new StatementTimeout(`step ${running.run.statement.name} did not complete in time and was cancelled`);
    }
  }
};

export type PermutationOutcome = {
  readonly lines: string[];
  readonly runs: StatementRun[];
  readonly invalid?: { readonly statement: string; readonly waiting: string };
};

const finish = async (running: Running, retry: boolean, lines: string[]): Promise<void> => {
  const { ran, lines: results } = await running.done;
  running.run.ran = ran;
  const name = running.run.statement.name;
  lines.push(retry ? `step ${name}: <... completed>` : `step ${name}: ${running.run.statement.sql.text.trim()}`, ...results);
};

/** Runs the statements in `order` (already set up); returns the transcript lines and what each did. */
export const runPermutation = async (order: readonly { run: StatementRun }[], deps: PermutationDeps): Promise<PermutationOutcome> => {
  const lines: string[] = [];
  const runs: StatementRun[] = [];
  let waiting: Running[] = [];
  for (const { run } of order) {
    const session = deps.sessions.get(run.statement.session)!;
    const busy = waiting.find((w) => w.session === session);
    // The isolation tester calls this an invalid permutation: only another session could release it.
    if (busy) {
      await finishAll(waiting, deps, lines);
      return { lines, runs, invalid: { statement: run.statement.name, waiting: busy.run.statement.name } };
    }
    runs.push(run);
    const running: Running = { run, session, done: send(session, run, deps) };
    if ((await completeOrBlock(running, deps, false)) === 'blocked') {
      run.blocked = true;
      lines.push(`step ${run.statement.name}: ${run.statement.sql.text.trim()} <waiting ...>`);
    } else await finish(running, false, lines);
    const still: Running[] = [];
    for (const w of waiting) {
      if ((await completeOrBlock(w, deps, false)) === 'done') await finish(w, true, lines);
      else still.push(w);
    }
    waiting = run.blocked ? [...still, running] : still;
  }
  for (const w of waiting) {
    await completeOrBlock(w, deps, true);
    await finish(w, true, lines);
  }
  return { lines, runs };
};

/** An invalid permutation: cancel what waits, so that the sessions can be rolled back. */
const finishAll = async (waiting: readonly Running[], deps: PermutationDeps, lines: string[]): Promise<void> => {
  for (const w of waiting) {
    await w.session.db.query('select pg_cancel_backend($1)', [w.session.held.pid]).catch(() => undefined);
    await completeOrBlock(w, { ...deps, deadline: Date.now() + 5_000 }, true).catch(() => undefined);
    await finish(w, true, lines).catch(() => undefined);
  }
};
