/**
 * Do the rows a statement returned match the rows a spec expected? `rows` is multiset equality (or
 * position by position when ordered), `includes` asks for every expected row among the actual ones,
 * `excludes` for none of them. Matchers make one actual row fit several expected rows, so rows are paired
 * by a maximum bipartite matching, never greedily. A mismatch comes back as data: the message a person
 * reads, both tables, and which cells differ.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { QueryResult } from '../db/query-result.ts';
import type { CellMismatch, ResultRows } from '../results/types.ts';
import type { StepFailure } from './context.ts';
import type { Cell } from '../values/cell.ts';
import type { ExpectedRow } from '../spec/types.ts';
import { describeExpected } from './match-value.ts';
import { maximumMatching, pairClosest, range, subsequence } from './row-pairing.ts';
import { RowTable } from './row-table.ts';
import { placed } from '../results/place.ts';
import { plural } from '../wording.ts';

export type RowsMode = 'rows' | 'includes' | 'excludes';

export type RowsOptions = { readonly mode: RowsMode; readonly ordered: boolean; readonly columns: 'written' | 'exact' };

/** Reports show at most this many actual rows. */
export const SHOWN_ROWS = 100;

export const matchRows = (expected: readonly ExpectedRow[], actual: QueryResult, options: RowsOptions): StepFailure | undefined => {
  const columnFailure = checkColumns(expected, actual, options.columns);
  if (columnFailure) return columnFailure;
  const table = new RowTable(expected, actual);
  switch (options.mode) {
    case 'excludes':
      return matchExcludes(table);
    case 'includes':
      return options.ordered ? matchOrderedIncludes(table) : matchUnordered(table, 'includes');
    case 'rows':
      return options.ordered ? matchOrdered(table) : matchUnordered(table, 'rows');
  }
};

// ---------------------------------------------------------------------------------------------------------
// Columns

const checkColumns = (expected: readonly ExpectedRow[], actual: QueryResult, mode: 'written' | 'exact'): StepFailure | undefined => {
  const names = actual.columns.map((c) => c.name);
  const have = new Set(names);
  const listed = names.length === 0 ? 'the result has no columns' : `columns are ${names.join(', ')}`;
  for (const row of expected) {
    const written = Object.keys(row.cells);
    const missing = written.filter((name) => !have.has(name));
    if (missing.length > 0) {
      const what = missing.length === 1 ? `no column \`${missing[0]}\`` : `no columns ${missing.map((m) => `\`${m}\``).join(', ')}`;
      return { code: 'ROWS_MISMATCH', message: `${what} in the result; ${listed}`, ...placed(row.loc) };
    }
    if (mode === 'exact') {
      const extra = [...have].filter((name) => !(name in row.cells));
      if (extra.length > 0) {
        return {
          code: 'ROWS_MISMATCH',
          message: `the result has columns not written in the expected row: ${extra.join(', ')} (columns: exact); ${listed}`,
          ...placed(row.loc),
        };
      }
    }
  }
  return undefined;
};

// ---------------------------------------------------------------------------------------------------------
// The modes

const matchUnordered = (table: RowTable, mode: 'rows' | 'includes'): StepFailure | undefined => {
  const n = table.expected.length;
  const m = table.actual.rows.length;
  const matching = maximumMatching(n, m, (i, j) => table.fits(i, j));
  const missing = range(n).filter((i) => matching.actualOf[i] === -1);
  const extra = mode === 'rows' ? range(m).filter((j) => matching.expectedOf[j] === -1) : [];
  if (missing.length === 0 && extra.length === 0) return undefined;
  const unmatchedActual = range(m).filter((j) => matching.expectedOf[j] === -1);
  // Under `rows` the leftover actual rows are wrong too, so a missing row pairs even with a row sharing no
  // cell ("this instead of that"); under `includes` extra rows are fine and a pair must share something.
  const pairs = closestPairs(table, missing, unmatchedActual, mode === 'rows' ? 0 : 1);
  // As many rows came back as expected, but some differ: say that, not "1 not found, 1 unexpected".
  const sameCount = mode === 'rows' && n === m && n > 0;
  const message =
    mode === 'rows'
      ? n === 0
        ? `expected no rows, got ${m}`
        : m === 0
          ? `expected ${plural(n, 'row')}, got none`
          : sameCount
            ? `${missing.length === n ? (n === 1 ? 'the row' : `all ${n} rows`) : `${missing.length} of ${n} rows`} came back different`
            : `expected ${plural(n, 'row')}, got ${m}: ${[
                missing.length > 0 ? `${plural(missing.length, 'expected row')} not found` : '',
                extra.length > 0 ? plural(extra.length, 'unexpected row') : '',
              ]
                .filter(Boolean)
                .join(', ')}`
      : `${missing.length} of ${plural(n, 'expected row')} not found among ${plural(m, 'row')}`;
  const paired = new Set(pairs.map(([, j]) => j));
  const mismatches: CellMismatch[] = [
    ...pairs.flatMap(([i, j]) => cellMismatches(table, i, j)),
    ...missing.filter((i) => !pairs.some(([p]) => p === i)).map((i) => ({ expectedRow: i, actualRow: -1 })),
    ...extra.filter((j) => !paired.has(j)).map((j) => ({ expectedRow: -1, actualRow: j })),
  ];
  const hint =
    sameCount && missing.length === 1 && pairs.length === 1 ? `: ${table.describeDifference(pairs[0]![0], pairs[0]![1])}` : closestHint(table, missing, pairs);
  return failure(table, message + hint, mismatches, table.expected[missing[0] ?? -1]?.loc);
};

const matchOrdered = (table: RowTable): StepFailure | undefined => {
  const n = table.expected.length;
  const m = table.actual.rows.length;
  const differing = range(Math.min(n, m)).filter((i) => !table.fits(i, i));
  if (differing.length === 0 && n === m) return undefined;
  const parts: string[] = [];
  if (n !== m) parts.push(n === 0 ? `expected no rows, got ${m}` : `expected ${plural(n, 'row')}, got ${m}`);
  const first = differing[0];
  if (first !== undefined) {
    const more = differing.length > 1 ? `; ${plural(differing.length - 1, 'more row')} ${differing.length > 2 ? 'differ' : 'differs'}` : '';
    parts.push(`row ${first + 1} differs: ${table.describeDifference(first, first)}${more}`);
  }
  const mismatches: CellMismatch[] = [
    ...differing.flatMap((i) => cellMismatches(table, i, i)),
    ...range(m, n).map((i) => ({ expectedRow: i, actualRow: -1 })),
    ...range(n, m).map((j) => ({ expectedRow: -1, actualRow: j })),
  ];
  const failedRow = first ?? (n > m ? m : undefined);
  return failure(table, parts.join(': '), mismatches, failedRow === undefined ? undefined : table.expected[failedRow]?.loc);
};

/** Ordered includes: the expected rows appear among the actual ones in the written order (a subsequence). */
const matchOrderedIncludes = (table: RowTable): StepFailure | undefined => {
  const placed = subsequence(table.expected.length, table.actual.rows.length, (i, j) => table.fits(i, j));
  const missing = range(table.expected.length).filter((i) => placed[i] === -1);
  if (missing.length === 0) return undefined;
  const used = new Set(placed);
  const pairs = closestPairs(
    table,
    missing,
    range(table.actual.rows.length).filter((j) => !used.has(j)),
    1,
  );
  const message = `${missing.length} of ${plural(table.expected.length, 'expected row')} not found in order among ${plural(table.actual.rows.length, 'row')}`;
  const mismatches: CellMismatch[] = [
    ...pairs.flatMap(([i, j]) => cellMismatches(table, i, j)),
    ...missing.filter((i) => !pairs.some(([p]) => p === i)).map((i) => ({ expectedRow: i, actualRow: -1 })),
  ];
  return failure(table, message + closestHint(table, missing, pairs), mismatches, table.expected[missing[0]!]?.loc);
};

const matchExcludes = (table: RowTable): StepFailure | undefined => {
  const found: CellMismatch[] = [];
  for (let j = 0; j < table.actual.rows.length; j++) {
    const i = range(table.expected.length).find((e) => table.fits(e, j));
    if (i !== undefined) found.push({ expectedRow: i, actualRow: j });
  }
  if (found.length === 0) return undefined;
  const first = found[0]!;
  const which = `row ${first.actualRow + 1} matches excluded row ${first.expectedRow + 1}`;
  const message = `found ${plural(found.length, 'row')} that should not be there (${which})`;
  return failure(table, message, found, table.expected[first.expectedRow]?.loc);
};

// ---------------------------------------------------------------------------------------------------------
// Building the failure

/** Each missing expected row with the unmatched actual row sharing most of its cells. */
const closestPairs = (table: RowTable, missing: readonly number[], unmatched: readonly number[], minimum: number): [number, number][] =>
  pairClosest({
    left: missing.slice(0, SHOWN_ROWS),
    right: unmatched.filter((j) => j < SHOWN_ROWS),
    shared: (i, j) => table.sharedColumns(i, j),
    minimum,
    ties: 'left',
  });

const cellMismatches = (table: RowTable, i: number, j: number): CellMismatch[] => {
  const columns = table.differingColumns(i, j);
  return columns.length === 0 ? [{ expectedRow: i, actualRow: j }] : columns.map((column) => ({ expectedRow: i, actualRow: j, column }));
};

/** With a single missing row, say how its closest actual row differs: usually the whole story. */
const closestHint = (table: RowTable, missing: readonly number[], pairs: readonly [number, number][]): string => {
  if (missing.length !== 1 || pairs.length !== 1) return '';
  const [i, j] = pairs[0]!;
  return ` (closest is row ${j + 1}: ${table.describeDifference(i, j)})`;
};

const failure = (table: RowTable, message: string, mismatches: readonly CellMismatch[], location: SourceLocation | undefined): StepFailure => {
  const total = table.actual.rows.length;
  const note = total > SHOWN_ROWS ? ` (showing the first ${SHOWN_ROWS} of ${total} rows)` : '';
  return {
    code: 'ROWS_MISMATCH',
    message: message + note,
    ...(location ? placed(location) : {}),
    expected: expectedTable(table),
    actual: { columns: table.actual.columns.map((c) => c.name), rows: table.actual.rows.slice(0, SHOWN_ROWS) },
    mismatches: mismatches.filter((mm) => mm.actualRow < SHOWN_ROWS),
  };
};

/** Expected rows as cells; columns in result order, then any written column the result lacks. */
const expectedTable = (table: RowTable): ResultRows => {
  const written = new Set(table.expected.flatMap((row) => Object.keys(row.cells)));
  const columns = [...new Set([...table.actual.columns.map((c) => c.name).filter((name) => written.has(name)), ...written])];
  return {
    columns,
    // A column a row does not write is not compared: it matches anything.
    rows: table.expected.map((row) => columns.map((column): Cell => (row.cells[column] ? describeExpected(row.cells[column]) : '<any>'))),
  };
};
