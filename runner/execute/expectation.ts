/**
 * Checking what a block of SQL did against a step's `expect`: the error it should raise, the row count,
 * and the rows. Pure apart from resolving `${...}` in expected values through the scope.
 */
import { errorMatches, expectedErrorParts } from '../spec/expectation.ts';
import type { ExpectedError, ExpectedRow, ExpectedValue, Expectation, ResultExpectation } from '../spec/types.ts';
import { YamlNumber } from '../spec/yaml-number.ts';
import { matchRows } from './match-rows.ts';
import type { RowsCheck } from './events.ts';
import type { VarScope } from './scope.ts';
import { unexpectedError, type Ran } from './statements.ts';
import { type CheckedOutcome, PASSED } from './context.ts';
import { placed } from '../results/place.ts';
import { plural } from '../wording.ts';

const resolveValue = (cell: ExpectedValue, scope: VarScope): ExpectedValue => {
  if (!('matcher' in cell)) return { value: scope.resolve(cell.value), loc: cell.loc };
  if (cell.matcher === 'json') return { ...cell, value: scope.resolve(cell.value) };
  if (cell.matcher === 'regex') {
    const pattern = scope.resolve(cell.pattern);
    return { ...cell, pattern: typeof pattern === 'string' ? pattern : String(pattern) };
  }
  if (cell.matcher === 'compare') {
    const value = scope.resolve(cell.value);
    return { ...cell, value: value instanceof YamlNumber ? value.decimalText() : String(value) };
  }
  return cell;
};

export const resolveRows = (rows: readonly ExpectedRow[], scope: VarScope): ExpectedRow[] =>
  rows.map((row) => ({ loc: row.loc, cells: Object.fromEntries(Object.entries(row.cells).map(([k, v]) => [k, resolveValue(v, scope)])) }));

const describeError = (e: Omit<ExpectedError, 'loc'>): string => expectedErrorParts(e).join(', ') || 'an error';

const checkError = (expected: ExpectedError, ran: Ran): CheckedOutcome => {
  const place = placed(expected.loc);
  if (ran.ok) {
    const rows = ran.result.rowCount ?? ran.result.rows.length;
    return {
      status: 'failed',
      failure: {
        code: 'ERROR_EXPECTED',
        message: `expected the statement to fail with ${describeError(expected)}, but it succeeded (${ran.result.command || 'statement'}, ${plural(rows, 'row')})`,
        ...place,
      },
    };
  }
  if (ran.error.kind === 'connection-lost' || ran.error.kind === 'connection-failed') return unexpectedError(ran.error, ran.statement);
  if (errorMatches(expected, ran.error)) return PASSED;
  const got = `SQLSTATE ${ran.error.code ?? 'unknown'}${ran.error.constraint ? `, constraint ${ran.error.constraint}` : ''}: ${ran.error.message}`;
  return {
    status: 'failed',
    failure: {
      code: 'ERROR_MISMATCH',
      message: `expected ${describeError(expected)}, got ${got}`,
      ...place,
      error: { code: ran.error.code, message: ran.error.message, constraint: ran.error.constraint },
    },
  };
};

/** The rows and count of a statement that succeeded, against a result expectation. */
const checkResult = (expect: ResultExpectation, ran: Ran, scope: VarScope, timeoutMs?: number, onRows?: (check: RowsCheck) => void): CheckedOutcome => {
  if (!ran.ok) return unexpectedError(ran.error, ran.statement, timeoutMs);
  const { result } = ran;
  const place = placed(expect.loc);
  if (expect.count !== undefined) {
    const actual = result.rowCount ?? result.rows.length;
    if (actual !== expect.count) {
      const verb = result.command === 'SELECT' || result.command === '' ? 'returned' : `${result.command.toLowerCase()} changed`;
      return {
        status: 'failed',
        failure: { code: 'COUNT_MISMATCH', message: `expected ${plural(expect.count, 'row')}, the statement ${verb} ${actual}`, ...place },
      };
    }
  }
  const checks = [
    ['rows', expect.rows],
    ['includes', expect.includes],
    ['excludes', expect.excludes],
  ] as const;
  for (const [mode, rows] of checks) {
    if (!rows) continue;
    const failure = matchRows(resolveRows(rows, scope), result, { mode, ordered: expect.ordered, columns: expect.columns });
    if (mode === 'rows') onRows?.({ expect, result, scope, held: failure === undefined });
    if (failure) return { status: 'failed', failure: failure.location ? failure : { ...failure, ...place } };
  }
  return PASSED;
};

/**
 * Checks a block's outcome against `expect` (or, with none, that it ran without error). `onRows` hears every
 * check of `expect.rows`, whether it held or not.
 */
export const checkExpectation = (
  expect: Expectation | undefined,
  ran: Ran,
  scope: VarScope,
  timeoutMs?: number,
  onRows?: (check: RowsCheck) => void,
): CheckedOutcome => {
  if (!expect) return ran.ok ? PASSED : unexpectedError(ran.error, ran.statement, timeoutMs);
  return expect.kind === 'error' ? checkError(expect.error, ran) : checkResult(expect, ran, scope, timeoutMs, onRows);
};
