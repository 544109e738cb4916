/**
 * The expected rows of a spec against the rows a statement returned: which cells match, which rows fit
 * (computed once: matchers can make that costly), and how a differing row reads in a message.
 */
import type { QueryResult } from '../db/query-result.ts';
import type { ExpectedRow, ExpectedValue } from '../spec/types.ts';
import type { Cell } from '../values/cell.ts';
import { cellText, describeExpected, matchValue } from './match-value.ts';
import { typeFamily, type TypeFamily } from './pg-types.ts';

/** Expected rows against actual rows, with row fits computed once (matchers can make them costly). */
export class RowTable {
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

  /** How many written columns of an expected row match an actual row. */
  sharedColumns(expectedRow: number, actualRow: number): number {
    return Object.keys(this.expected[expectedRow]!.cells).filter((column) => this.cellMatches(expectedRow, actualRow, column)).length;
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

/** Text as a message quotes it: in single quotes, cut short past 60 characters. */
export const quote = (text: string): string => `'${text.length > 60 ? `${text.slice(0, 57)}...` : text}'`;
