/**
 * A transaction step: its statements in one BEGIN..COMMIT (or ROLLBACK with `rollback: true`, or when a
 * statement fails). The expectation is checked against the last statement's result or the first error.
 */
import type { TransactionStep } from '../../spec/types.ts';
import { databaseOf, type StepContext, type StepOutcome } from '../context.ts';
import { checkExpectation } from '../expectation.ts';
import { runBlock } from '../statements.ts';

export const runTransactionStep = async (step: TransactionStep, context: StepContext): Promise<StepOutcome> => {
  const db = databaseOf(context, step.db);
  const statements = step.statements.flatMap((sql) => context.plan.statementsOf(sql));
  const ran = await runBlock(db, statements, context.scope, { timeoutMs: step.timeoutMs, rollback: step.rollback, transaction: true });
  return checkExpectation(step.expect, ran, context.scope, step.timeoutMs ?? context.timeoutMs, context.onRows);
};
