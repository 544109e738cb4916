/**
 * A compare step: the same question asked of two databases at once; the answers must be equal, or one
 * contained in the other.
 */
import type { CompareStep } from '../../spec/types.ts';
import { compareResults } from '../compare-results.ts';
import { databaseOf, type StepContext, type StepOutcome } from '../context.ts';
import { runBlock, unexpectedError } from '../statements.ts';

export const runCompareStep = async (step: CompareStep, context: StepContext): Promise<StepOutcome> => {
  const run = (side: CompareStep['left']) =>
    runBlock(databaseOf(context, side.db), context.plan.statementsOf(side.sql), context.scope, { timeoutMs: step.timeoutMs });
  const [left, right] = await Promise.all([run(step.left), run(step.right)]);
  if (!left.ok) return unexpectedError(left.error, left.statement, step.timeoutMs ?? context.timeoutMs);
  if (!right.ok) return unexpectedError(right.error, right.statement, step.timeoutMs ?? context.timeoutMs);
  const failure = compareResults(left.result, right.result, { relation: step.relation, ordered: step.ordered });
  if (!failure) return { status: 'passed' };
  const named = failure.message.replace(/\bleft\b/, `left (${step.left.db})`).replace(/\bright\b/, `right (${step.right.db})`);
  return {
    status: 'failed',
    failure: {
      ...failure,
      message: failure.message.includes(`(${step.left.db})`) ? failure.message : named,
      location: failure.location ?? `${step.loc.file}:${step.loc.line}:${step.loc.column}`,
    },
  };
};
