/**
 * The transcript of an interleaving in the format of PostgreSQL's isolation tester (its expected/*.out
 * files), so that a spec can hold such a file verbatim: `step name: sql`, ` <waiting ...>`,
 * `step name: <... completed>`, `ERROR:  message`, and result sets laid out as libpq's PQprint does with
 * header, alignment and `|` between fields.
 */
import type { QueryResult } from '../../db/query-result.ts';
import type { Cell } from '../../values/cell.ts';
import { plural } from '../../wording.ts';

const cellText = (cell: Cell): string => (cell === null ? '' : typeof cell === 'object' ? JSON.stringify(cell) : String(cell));

/** PQprint's guess: only digits, '.', 'e', ' ' and '-', not starting with 'e', ending in a digit. */
const looksNumeric = (text: string): boolean => /^[0-9.eE -]*[0-9]$/.test(text) && !/^[eE]/.test(text);

const width = (text: string): number => Buffer.byteLength(text, 'utf8');

const pad = (text: string, size: number, right: boolean): string => {
  const fill = ' '.repeat(Math.max(0, size - width(text)));
  return right ? fill + text : text + fill;
};

/** A result set as the isolation tester prints it; nothing for a command that returns no columns. */
export const formatResultSet = (result: QueryResult): string[] => {
  if (result.columns.length === 0) return [];
  const cells = result.rows.map((row) => row.map(cellText));
  const numeric = result.columns.map((_, j) => cells.every((row) => row[j] === '' || looksNumeric(row[j]!)));
  const widths = result.columns.map((column, j) => Math.max(width(column.name), ...cells.map((row) => width(row[j]!))));
  const line = (values: readonly string[]): string => values.map((v, j) => pad(v, widths[j]!, numeric[j]!)).join('|');
  const count = result.rows.length;
  return [line(result.columns.map((c) => c.name)), widths.map((w) => '-'.repeat(w)).join('+'), ...cells.map(line), `(${plural(count, 'row')})`, ''];
};

export const headerLine = (sessions: number): string => `Parsed test spec with ${sessions} sessions`;

export const permutationLine = (names: readonly string[]): string => `starting permutation: ${names.join(' ')}`;

export const errorLine = (message: string): string => `ERROR:  ${message}`;
