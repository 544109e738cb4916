/**
 * Judging an interleaving: each statement against its expectation (waits or not, then rows or error),
 * and the whole transcript against the `output` the spec holds, line by line.
 */
import { locateInSql } from '../../spec/bind.ts';
import type { SqlText } from '../../spec/types.ts';
import type { StepFailure } from '../context.ts';
import { placed } from '../../results/place.ts';
import { checkExpectation } from '../expectation.ts';
import type { VarScope } from '../scope.ts';
import { unexpectedError } from '../statements.ts';
import type { StatementRun } from './run-permutation.ts';

/**
 * A statement's verdict in one permutation. With no expectation, an error fails the step unless the step
 * has an `output` (the transcript then says which errors are expected).
 */
export const checkRun = (run: StatementRun, scope: VarScope, hasOutput: boolean): StepFailure | undefined => {
  const { ran, expect, statement } = run;
  if (!ran) return undefined;
  const name = `step ${statement.name}`;
  if (expect?.blocks !== undefined && expect.blocks !== run.blocked) {
    return {
      code: 'BLOCKING_MISMATCH',
      message: expect.blocks
        ? `${name}: expected it to wait for another session, but it completed without waiting`
        : `${name}: expected it to complete without waiting, but it waited for another session`,
      ...placed(expect.loc),
    };
  }
  if (!expect?.result) {
    if (ran.ok || hasOutput) return undefined;
    const failure = unexpectedError(ran.error, ran.statement).failure!;
    return { ...failure, message: `${name}: ${failure.message}` };
  }
  const outcome = checkExpectation(expect.result, ran, scope);
  return outcome.failure && { ...outcome.failure, message: `${name}: ${outcome.failure.message}` };
};

/** Trailing blanks are not compared: editors strip them, and PQprint pads the last column with them. */
const linesOf = (text: string): string[] => {
  const lines = text.split('\n').map((line) => line.trimEnd());
  while (lines.length > 0 && lines.at(-1) === '') lines.pop();
  return lines;
};

/** The first line where the transcript differs from the expected output, located in the spec. */
export const compareOutput = (expected: SqlText, actual: string): StepFailure | undefined => {
  const want = linesOf(expected.text);
  const got = linesOf(actual);
  const i = want.findIndex((line, k) => line !== got[k]);
  const at = i === -1 ? (got.length > want.length ? want.length : -1) : i;
  if (at === -1) return undefined;
  const offset = expected.text.split('\n').slice(0, Math.min(at, want.length)).join('\n').length + (at > 0 ? 1 : 0);
  const show = (line: string | undefined): string => (line === undefined ? '(end of output)' : JSON.stringify(line));
  return {
    code: 'OUTPUT_MISMATCH',
    message: `the interleaving's output differs at line ${at + 1} of \`output\`: expected ${show(want[at])}, got ${show(got[at])}\n\nthe whole output was:\n${actual}`,
    ...placed(at < want.length ? locateInSql(expected, offset) : expected.loc),
  };
};
