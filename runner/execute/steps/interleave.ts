/**
 * An interleaving step: named sessions, each on its own connection to a database of the config, run their
 * named statements in the orders the spec gives (or every order), one statement at a time. The transcript
 * of every permutation is recorded in the isolation tester's format; the step fails when a statement does
 * not do what its expectation says (block, rows, error), or when the transcript differs from `output`.
 */
import { holdSession } from '../../db/held-session.ts';
import type { Failure } from '../../results/types.ts';
import type { InterleaveStep, Permutation, SessionStatement } from '../../spec/types.ts';
import { databaseOf, where, type StepContext, type StepOutcome } from '../context.ts';
import { allPermutations } from '../interleave/permutations.ts';
import { type LiveSession, runPermutation, StatementTimeout, type StatementRun } from '../interleave/run-permutation.ts';
import { headerLine, permutationLine } from '../interleave/transcript.ts';
import { compareOutput, checkRun } from '../interleave/verdict.ts';
import { runBlock } from '../statements.ts';
import { formatResultSet } from '../interleave/transcript.ts';

const ordersOf = (step: InterleaveStep): readonly Permutation[] =>
  step.permutations === 'all'
    ? allPermutations(step.sessions.map((s) => s.statements.map((st) => st.name))).map((names) => ({
        entries: names.map((statement) => ({ statement, loc: step.loc })),
        loc: step.loc,
      }))
    : step.permutations;

const openSessions = async (step: InterleaveStep, context: StepContext): Promise<Map<string, LiveSession>> => {
  const sessions = new Map<string, LiveSession>();
  try {
    for (const s of step.sessions) {
      const db = databaseOf(context, s.db);
      sessions.set(s.name, { name: s.name, db, held: await holdSession(db) });
    }
  } catch (error) {
    await releaseAll(sessions);
    throw error;
  }
  return sessions;
};

const releaseAll = async (sessions: ReadonlyMap<string, LiveSession>): Promise<void> => {
  await Promise.allSettled([...sessions.values()].map((s) => s.held.release()));
};

/** Per-permutation setup: the step's blocks, then each session's own; result sets are printed. */
const setUp = async (step: InterleaveStep, sessions: ReadonlyMap<string, LiveSession>, context: StepContext, lines: string[]): Promise<Failure | undefined> => {
  for (const block of step.setup) {
    const ran = await runBlock(databaseOf(context, block.db), context.plan.statementsOf(block.sql), context.scope);
    if (!ran.ok) return { code: 'SETUP_FAILED', message: `the interleaving's setup failed: ${ran.error.message}`, location: where(block.loc) };
    lines.push(...formatResultSet(ran.result));
  }
  for (const s of step.sessions) {
    if (!s.setup) continue;
    const held = sessions.get(s.name)!.held;
    for (const statement of context.plan.statementsOf(s.setup)) {
      try {
        lines.push(...formatResultSet(await held.query(statement.sql, context.scope.paramsFor(statement))));
      } catch (error) {
        return { code: 'SETUP_FAILED', message: `setup of session ${s.name} failed: ${(error as Error).message}`, location: where(s.setup.loc) };
      }
    }
  }
  return undefined;
};

/** Whatever a permutation left open is rolled back, so teardown never waits on it. */
const tearDown = async (step: InterleaveStep, sessions: ReadonlyMap<string, LiveSession>, context: StepContext): Promise<Failure | undefined> => {
  await Promise.allSettled([...sessions.values()].map((s) => s.held.query('rollback')));
  for (const block of step.teardown) {
    const ran = await runBlock(databaseOf(context, block.db), context.plan.statementsOf(block.sql), context.scope);
    if (!ran.ok) return { code: 'CLEANUP_FAILED', message: `the interleaving's teardown failed: ${ran.error.message}`, location: where(block.loc) };
  }
  return undefined;
};

const runsFor = (permutation: Permutation, byName: ReadonlyMap<string, SessionStatement>): { run: StatementRun }[] =>
  permutation.entries.map((entry) => {
    const statement = byName.get(entry.statement)!;
    const expect = entry.expect ?? statement.expect;
    return { run: { statement, ...(expect ? { expect } : {}), blocked: false } };
  });

export const runInterleaveStep = async (step: InterleaveStep, context: StepContext): Promise<StepOutcome> => {
  const byName = new Map(step.sessions.flatMap((s) => s.statements.map((st) => [st.name, st] as const)));
  const lines = [headerLine(step.sessions.length)];
  const sessions = await openSessions(step, context);
  const deps = {
    sessions,
    statementsOf: (s: SessionStatement) => context.plan.statementsOf(s.sql),
    scope: context.scope,
    deadline: Date.now() + context.timeoutMs,
  };
  let failure: Failure | undefined;
  try {
    for (const permutation of ordersOf(step)) {
      if (context.signal.aborted) break;
      const start = lines.length;
      lines.push('', permutationLine(permutation.entries.map((e) => e.statement)));
      const setupFailure = await setUp(step, sessions, context, lines);
      const outcome = setupFailure ? undefined : await runPermutation(runsFor(permutation, byName), deps);
      lines.push(...(outcome?.lines ?? []));
      const teardownFailure = await tearDown(step, sessions, context);
      failure ??= setupFailure ?? teardownFailure ?? (outcome && verdictOf(step, permutation, outcome, context, lines.slice(start + 1)));
    }
  } catch (error) {
    if (!(error instanceof StatementTimeout)) throw error;
    failure ??= { code: 'TIMEOUT', message: error.message, location: where(step.loc) };
  } finally {
    await releaseAll(sessions);
  }
  const output = `${lines.join('\n')}\n`;
  failure ??= step.output ? compareOutput(step.output, output) : undefined;
  return failure ? { status: 'failed', failure, output } : { status: 'passed', output };
};

const verdictOf = (
  step: InterleaveStep,
  permutation: Permutation,
  outcome: Awaited<ReturnType<typeof runPermutation>>,
  context: StepContext,
  transcript: readonly string[],
): Failure | undefined => {
  const inPermutation = (f: Failure): Failure => ({ ...f, message: `${f.message}\n\n${transcript.join('\n')}` });
  if (outcome.invalid) {
    return inPermutation({
      code: 'INVALID_PERMUTATION',
      message: `step ${outcome.invalid.statement} cannot run: its session is still waiting in step ${outcome.invalid.waiting}, and only another session could release it`,
      location: where(permutation.loc),
    });
  }
  for (const run of outcome.runs) {
    const f = checkRun(run, context.scope, step.output !== undefined);
    if (f) return inPermutation(f);
  }
  return undefined;
};
