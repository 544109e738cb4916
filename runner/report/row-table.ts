/**
 * Expected-against-actual rows as two tables with the differing cells marked, from Failure.mismatches.
 * A mismatch with a column marks that cell; without one it marks the whole row: missing from actual
 * (actualRow -1), extra in actual (expectedRow -1), or differing as a whole.
 */
import type { CellMismatch, Failure, ResultRows } from '../results/types.ts';
import { formatCell } from './format.ts';

export type RowMark = '' | 'missing' | 'extra' | 'differs';
/** `cls` is the cell's class attribute value, empty for a plain cell (kept out of the markup to keep reports small). */
export type CellView = { readonly text: string; readonly isNull: boolean; readonly marked: boolean; readonly cls: string };
/** `number` counts from 1, as the console and JUnit do (`row 2 differs` is the second row everywhere). */
export type RowView = { readonly index: number; readonly number: number; readonly mark: RowMark; readonly cells: readonly CellView[] };
export type TableView = {
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: readonly RowView[];
  /** Rows left out to keep the report small. */
  readonly more: number;
  readonly empty: boolean;
};

type Side = 'expected' | 'actual';

const cellView = (text: string, isNull: boolean, marked: boolean): CellView => ({
  text,
  isNull,
  marked,
  cls: [isNull ? 'null' : '', marked ? 'mark' : ''].filter(Boolean).join(' '),
});

const tableFor = (side: Side, rows: ResultRows, mismatches: readonly CellMismatch[], maxRows: number): TableView => {
  const own = (m: CellMismatch) => (side === 'expected' ? m.expectedRow : m.actualRow);
  const other = (m: CellMismatch) => (side === 'expected' ? m.actualRow : m.expectedRow);
  const byRow = new Map<number, CellMismatch[]>();
  for (const m of mismatches) if (own(m) >= 0) byRow.set(own(m), [...(byRow.get(own(m)) ?? []), m]);
  const shown = rows.rows.slice(0, maxRows).map((row, index): RowView => {
    const marks = byRow.get(index) ?? [];
    const columns = new Set(marks.filter((m) => m.column !== undefined).map((m) => m.column));
    const whole = marks.find((m) => m.column === undefined);
    const mark: RowMark = !whole ? '' : other(whole) === -1 ? (side === 'expected' ? 'missing' : 'extra') : 'differs';
    return {
      index,
      number: index + 1,
      mark,
      cells: row.map((cell, i) => cellView(formatCell(cell), cell === null, mark !== '' || columns.has(rows.columns[i]))),
    };
  });
  return { title: side, columns: rows.columns, rows: shown, more: Math.max(0, rows.rows.length - maxRows), empty: rows.rows.length === 0 };
};

/** Both tables, or undefined when the failure carries no rows. */
export const rowTables = (failure: Failure, maxRows: number): readonly TableView[] | undefined => {
  if (!failure.expected && !failure.actual) return undefined;
  const mismatches = failure.mismatches ?? [];
  return [
    ...(failure.expected ? [tableFor('expected', failure.expected, mismatches, maxRows)] : []),
    ...(failure.actual ? [tableFor('actual', failure.actual, mismatches, maxRows)] : []),
  ];
};

/** One run's actual rows beside the other's, cells marked where they differ by position (row index, column name). */
export const changedRowTables = (
  before: { title: string; rows?: ResultRows },
  after: { title: string; rows?: ResultRows },
  maxRows: number,
): readonly TableView[] => {
  const side = (own: { title: string; rows?: ResultRows }, other: ResultRows | undefined): TableView => {
    const rows = own.rows ?? { columns: [], rows: [] };
    const cellAt = (r: number, column: string): string | undefined => {
      const c = other?.columns.indexOf(column) ?? -1;
      const row = other?.rows[r];
      return c < 0 || !row ? undefined : formatCell(row[c] ?? null);
    };
    return {
      title: own.title,
      columns: rows.columns,
      rows: rows.rows.slice(0, maxRows).map((row, index) => ({
        index,
        number: index + 1,
        mark: other && index >= other.rows.length ? 'extra' : '',
        cells: row.map((cell, i) => cellView(formatCell(cell), cell === null, cellAt(index, rows.columns[i]!) !== formatCell(cell))),
      })),
      more: Math.max(0, rows.rows.length - maxRows),
      empty: rows.rows.length === 0,
    };
  };
  return [side(before, after.rows), side(after, before.rows)];
};
