/**
 * Do the rows a statement returned match the rows a spec expected? `rows` is multiset equality (or
 * position by position when ordered), `includes` asks for every expected row among the actual ones,
 * `excludes` for none of them. Matchers make one actual row fit several expected rows, so rows are paired
 * by a maximum bipartite matching, never greedily. A mismatch comes back as data: the message a person
 * reads, both tables, and which cells differ.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { QueryResult } from '../db/query-result.ts';
import type { Cell, CellMismatch, Failure, ResultRows } from '../results/types.ts';
import type { ExpectedRow, ExpectedValue } from '../spec/types.ts';
import { cellText, describeExpected, matchValue } from './match-value.ts';
import { typeFamily, type TypeFamily } from './pg-types.ts';

export type RowsMode = 'rows' | 'includes' | 'excludes';

export type RowsOptions = { readonly mode: RowsMode; readonly ordered: boolean; readonly columns: 'written' | 'exact' };

/** Reports show at most this many actual rows. */
export const SHOWN_ROWS = 100;

export const matchRows = (expected: readonly ExpectedRow[], actual: QueryResult, options: RowsOptions): Failure | undefined => {
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

const checkColumns = (expected: readonly ExpectedRow[], actual: QueryResult, mode: 'written' | 'exact'): Failure | undefined => {
  const names = actual.columns.map((c) => c.name);
  const have = new Set(names);
  const listed = names.length === 0 ? 'the result has no columns' : `columns are ${names.join(', ')}`;
  for (const row of expected) {
    const written = Object.keys(row.cells);
    const missing = written.filter((name) => !have.has(name));
    if (missing.length > 0) {
      const what = missing.length === 1 ? `no column \`${missing[0]}\`` : `no columns ${missing.map((m) => `\`${m}\``).join(', ')}`;
      return { code: 'ROWS_MISMATCH', message: `${what} in the result; ${listed}`, location: locationText(row.loc) };
    }
    if (mode === 'exact') {
      const extra = [...have].filter((name) => !(name in row.cells));
      if (extra.length > 0) {
        return {
          code: 'ROWS_MISMATCH',
          message: `the result has columns not written in the expected row: ${extra.join(', ')} (columns: exact); ${listed}`,
          location: locationText(row.loc),
        };
      }
    }
  }
  return undefined;
};

// ---------------------------------------------------------------------------------------------------------
// The expected and actual tables, and which rows fit which

/** Expected rows against actual rows, with row fits computed once (matchers can make them costly). */
class RowTable {
  readonly expected: readonly ExpectedRow[];
  readonly actual: QueryResult;
  /** Column name -> index in the result (the first, when a name repeats). */
  readonly columnIndex: ReadonlyMap<string, number>;
  private readonly fitCache = new Map<number, boolean>();

  constructor(expected: readonly ExpectedRow[], actual: QueryResult) {
    this.expected = expected;
    this.actual = actual;
    const index = new Map<string, number>();
    actual.columns.forEach((c, i) => {
      if (!index.has(c.name)) index.set(c.name, i);
    });
    this.columnIndex = index;
  }

  cellMatches(expectedRow: number, actualRow: number, column: string): boolean {
    const index = this.columnIndex.get(column)!;
    return matchValue(
      this.expected[expectedRow]!.cells[column]!,
      this.actual.rows[actualRow]![index] ?? null,
      this.actual.columns[index]!.typeOid,
      this.actual.style,
    );
  }

  fits(expectedRow: number, actualRow: number): boolean {
    const key = expectedRow * this.actual.rows.length + actualRow;
    let fit = this.fitCache.get(key);
    if (fit === undefined) {
      fit = Object.keys(this.expected[expectedRow]!.cells).every((column) => this.cellMatches(expectedRow, actualRow, column));
      this.fitCache.set(key, fit);
    }
    return fit;
  }

  /** The written columns of an expected row that do not match an actual row. */
  differingColumns(expectedRow: number, actualRow: number): string[] {
    return Object.keys(this.expected[expectedRow]!.cells).filter((column) => !this.cellMatches(expectedRow, actualRow, column));
  }

  /** "email expected 'a@x' got 'b@x'", for the first few differing columns. */
  describeDifference(expectedRow: number, actualRow: number): string {
    const columns = this.differingColumns(expectedRow, actualRow);
    const shown = columns.slice(0, 3).map((column) => {
      const index = this.columnIndex.get(column)!;
      const actualCell = this.actual.rows[actualRow]![index] ?? null;
      return `${column} expected ${formatExpected(this.expected[expectedRow]!.cells[column]!)} got ${formatActual(actualCell, this.actual.columns[index]!.typeOid)}`;
    });
    const more = columns.length > 3 ? `, and ${columns.length - 3} more columns` : '';
    return shown.join(', ') + more;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The modes

const matchUnordered = (table: RowTable, mode: 'rows' | 'includes'): Failure | undefined => {
  const n = table.expected.length;
  const m = table.actual.rows.length;
  const matching = maximumMatching(n, m, (i, j) => table.fits(i, j));
  const missing = range(n).filter((i) => matching.actualOf[i] === -1);
  const extra = mode === 'rows' ? range(m).filter((j) => matching.expectedOf[j] === -1) : [];
  if (missing.length === 0 && extra.length === 0) return undefined;
  const unmatchedActual = range(m).filter((j) => matching.expectedOf[j] === -1);
  // Under `rows` the leftover actual rows are wrong too, so a missing row pairs even with a row sharing no
  // cell ("this instead of that"); under `includes` extra rows are fine and a pair must share something.
  const pairs = pairClosest(table, missing, unmatchedActual, mode === 'rows' ? 0 : 1);
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

const matchOrdered = (table: RowTable): Failure | undefined => {
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
const matchOrderedIncludes = (table: RowTable): Failure | undefined => {
  const placed = subsequence(table.expected.length, table.actual.rows.length, (i, j) => table.fits(i, j));
  const missing = range(table.expected.length).filter((i) => placed[i] === -1);
  if (missing.length === 0) return undefined;
  const used = new Set(placed);
  const pairs = pairClosest(
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

const matchExcludes = (table: RowTable): Failure | undefined => {
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

/** Each missing expected row with the unmatched actual row sharing most of its cells, best pairs first. */
const pairClosest = (table: RowTable, missing: readonly number[], unmatched: readonly number[], minimum: number): [number, number][] => {
  // Only rows a report shows can be marked, so only those are scored.
  const candidates = unmatched.filter((j) => j < SHOWN_ROWS);
  const scored: { i: number; j: number; score: number }[] = [];
  for (const i of missing.slice(0, SHOWN_ROWS)) {
    const columns = Object.keys(table.expected[i]!.cells);
    for (const j of candidates) scored.push({ i, j, score: columns.filter((c) => table.cellMatches(i, j, c)).length });
  }
  scored.sort((a, b) => b.score - a.score || a.i - b.i || a.j - b.j);
  const usedExpected = new Set<number>();
  const usedActual = new Set<number>();
  const pairs: [number, number][] = [];
  for (const { i, j, score } of scored) {
    if (score < minimum || usedExpected.has(i) || usedActual.has(j)) continue;
    usedExpected.add(i);
    usedActual.add(j);
    pairs.push([i, j]);
  }
  return pairs.sort((a, b) => a[0] - b[0]);
};

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

const failure = (table: RowTable, message: string, mismatches: readonly CellMismatch[], location: SourceLocation | undefined): Failure => {
  const total = table.actual.rows.length;
  const note = total > SHOWN_ROWS ? ` (showing the first ${SHOWN_ROWS} of ${total} rows)` : '';
  return {
    code: 'ROWS_MISMATCH',
    message: message + note,
    ...(location ? { location: locationText(location) } : {}),
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

const formatExpected = (expected: ExpectedValue): string => {
  const shown = describeExpected(expected);
  if ('matcher' in expected && expected.matcher !== 'json' && expected.matcher !== 'null') return String(shown);
  return shown === null ? 'NULL' : typeof shown === 'string' ? quote(shown) : JSON.stringify(shown);
};

const formatActual = (cell: Cell, typeOid: number): string => {
  if (cell === null) return 'NULL';
  const family = typeFamily(typeOid);
  if (family === 'bool' && (cell === 't' || cell === 'f')) return cell === 't' ? 'true' : 'false';
  // Numbers print as numbers, like the expected side: "n expected 2 got 1", not "got '1'".
  if (NUMERIC_FAMILIES.has(family) && typeof cell === 'string') return cell;
  return typeof cell === 'string' ? quote(cell) : cellText(cell);
};

const NUMERIC_FAMILIES: ReadonlySet<TypeFamily> = new Set<TypeFamily>(['integer', 'numeric', 'float']);

const quote = (text: string): string => `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;

const locationText = (loc: SourceLocation): string => `${loc.file}:${loc.line}:${loc.column}`;

const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** [from, to) */
const range = (from: number, to?: number): number[] => {
  const [start, end] = to === undefined ? [0, from] : [from, to];
  return Array.from({ length: Math.max(0, end - start) }, (_, k) => start + k);
};

/**
 * A maximum bipartite matching by augmenting paths (Kuhn): as many expected rows as possible each get their
 * own actual row. Greedy pairing fails when a matcher row takes the only row another expected row fits.
 */
const maximumMatching = (n: number, m: number, fits: (i: number, j: number) => boolean): { actualOf: number[]; expectedOf: number[] } => {
  const actualOf = new Array<number>(n).fill(-1);
  const expectedOf = new Array<number>(m).fill(-1);
  const augment = (i: number, seen: Uint8Array): boolean => {
    for (let j = 0; j < m; j++) {
      if (seen[j] || !fits(i, j)) continue;
      seen[j] = 1;
      if (expectedOf[j] === -1 || augment(expectedOf[j]!, seen)) {
        expectedOf[j] = i;
        actualOf[i] = j;
        return true;
      }
    }
    return false;
  };
  for (let i = 0; i < n; i++) augment(i, new Uint8Array(m));
  return { actualOf, expectedOf };
};

/** For each left item, the right position it takes in a left-to-right subsequence match (-1 if none). */
export const subsequence = (n: number, m: number, fits: (i: number, j: number) => boolean): number[] => {
  const placed: number[] = [];
  let j = 0;
  for (let i = 0; i < n; i++) {
    let k = j;
    while (k < m && !fits(i, k)) k++;
    if (k < m) {
      placed.push(k);
      j = k + 1;
    } else placed.push(-1);
  }
  return placed;
};
