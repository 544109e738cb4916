/**
 * The same question asked of two databases: are the answers equal, or one contained in the other? The two
 * servers may type a column differently (int4 and int8, varchar and text, numeric and float8), so cells
 * compare by a normalized value key rather than by text or type; rows then compare as multisets of keys,
 * which is linear even for large results.
 */
import type { OutputStyle, QueryResult } from '../db/query-result.ts';
import type { CellMismatch } from '../results/types.ts';
import type { StepFailure } from './context.ts';
import type { Cell } from '../values/cell.ts';
import { SHOWN_ROWS } from './match-rows.ts';
import { pairClosest, subsequence } from './row-pairing.ts';
import { quote } from './row-table.ts';
import { cellText } from './match-value.ts';
import { moneyDecimal } from './match-value.ts';
import { decimalKey, parseDecimal } from './pg-decimal.ts';
import { dateOrderOf, instantMicros, parseDateTime, timeKey } from './pg-datetime.ts';
import { intervalKey } from './pg-interval.ts';
import { jsonTextKey } from './pg-json.ts';
import { type PgArray, TEXT_OID, arrayDelimiter, arrayElementOid, parseArrayLiteral, typeFamily } from './pg-types.ts';
import { plural } from '../wording.ts';

export type CompareOptions = {
  readonly relation: 'equal' | 'subset' | 'superset';
  readonly ordered: boolean;
  /** Database names to show in the message, e.g. "left (auth) has 1 row not in right (backend)". */
  readonly labels?: { readonly left: string; readonly right: string };
};

type Names = { readonly left: string; readonly right: string };

const columnsDiffer = (left: QueryResult, right: QueryResult, names: Names): StepFailure => {
  const list = (r: QueryResult): string => (r.columns.length === 0 ? 'no columns' : r.columns.map((c) => c.name).join(', '));
  return {
    code: 'COMPARE_MISMATCH',
    message: `the columns differ: ${names.left} has ${list(left)}; ${names.right} has ${list(right)}`,
    expected: shown(
      left,
      left.columns.map((_, k) => k),
    ),
    actual: shown(
      right,
      right.columns.map((_, k) => k),
    ),
  };
};

/** Ordered and different at row `at`: the counts when they differ, and the first differing row. */
const orderedMessage = (at: number, left: QueryResult, right: QueryResult, names: Names, difference: (i: number, j: number) => string): string => {
  const counts = left.rows.length !== right.rows.length ? `${names.left} returned ${left.rows.length} rows, ${names.right} ${right.rows.length}` : '';
  const row = at < Math.min(left.rows.length, right.rows.length) ? `row ${at + 1} differs: ${difference(at, at)}` : '';
  return [counts, row].filter(Boolean).join(': ');
};

/** Rows only on one side, with the closest pair when there is just one. */
const unorderedMessage = (
  leftMissing: readonly number[],
  rightMissing: readonly number[],
  pairs: readonly [number, number][],
  names: Names,
  ordered: boolean,
  difference: (i: number, j: number) => string,
): string => {
  const order = ordered ? ' in the same order' : '';
  const message = [
    leftMissing.length > 0 ? `${names.left} has ${plural(leftMissing.length, 'row')} not in ${names.right}${order}` : '',
    rightMissing.length > 0 ? `${names.right} has ${plural(rightMissing.length, 'row')} not in ${names.left}${order}` : '',
  ]
    .filter(Boolean)
    .join('; ');
  return pairs.length === 1 && leftMissing.length + rightMissing.length <= 2 ? `${message} (closest: ${difference(pairs[0]![0], pairs[0]![1])})` : message;
};

export const compareResults = (left: QueryResult, right: QueryResult, options: CompareOptions): StepFailure | undefined => {
  const names = {
    left: options.labels ? `left (${options.labels.left})` : 'left',
    right: options.labels ? `right (${options.labels.right})` : 'right',
  };
  const order = rightColumnOrder(left, right);
  if (!order) return columnsDiffer(left, right, names);
  const sides = {
    left: keyRows(
      left,
      left.columns.map((_, k) => k),
    ),
    right: keyRows(right, order),
  };
  const outcome = options.ordered ? compareOrdered(sides.left, sides.right, options.relation) : compareUnordered(sides.left, sides.right);
  const leftMissing = options.relation === 'superset' ? [] : outcome.leftOnly;
  const rightMissing = options.relation === 'subset' ? [] : outcome.rightOnly;
  if (leftMissing.length === 0 && rightMissing.length === 0 && !outcome.differingAt) return undefined;

  const columns = left.columns.map((c) => c.name);
  const pairs =
    outcome.differingAt !== undefined
      ? outcome.leftOnly.filter((i) => i < right.rows.length).map((i): [number, number] => [i, i])
      : closestPairs(sides.left, sides.right, outcome.leftOnly, outcome.rightOnly, options.relation);
  const mismatches: CellMismatch[] = [
    ...pairs.flatMap(([i, j]) => differingColumns(sides.left[i]!, sides.right[j]!).map((k) => ({ expectedRow: i, actualRow: j, column: columns[k]! }))),
    ...leftMissing.filter((i) => !pairs.some(([p]) => p === i)).map((i) => ({ expectedRow: i, actualRow: -1 })),
    ...rightMissing.filter((j) => !pairs.some(([, p]) => p === j)).map((j) => ({ expectedRow: -1, actualRow: j })),
  ].filter((m) => m.expectedRow < SHOWN_ROWS && m.actualRow < SHOWN_ROWS);

  const difference = (i: number, j: number): string =>
    differingColumns(sides.left[i]!, sides.right[j]!)
      .slice(0, 3)
      .map((k) => `${columns[k]} left ${formatCell(left.rows[i]![k] ?? null)} right ${formatCell(right.rows[j]![order[k]!] ?? null)}`)
      .join(', ');
  const message =
    outcome.differingAt !== undefined
      ? orderedMessage(outcome.differingAt, left, right, names, difference)
      : unorderedMessage(leftMissing, rightMissing, pairs, names, options.ordered, difference);
  const larger = Math.max(left.rows.length, right.rows.length);
  const note = larger > SHOWN_ROWS ? ` (showing the first ${SHOWN_ROWS} rows of each side)` : '';
  return {
    code: 'COMPARE_MISMATCH',
    message: message + note,
    expected: shown(
      left,
      left.columns.map((_, k) => k),
    ),
    actual: shown(right, order),
    mismatches,
  };
};

/** For each left column, the index of the right column of the same name; undefined when the names differ. */
const rightColumnOrder = (left: QueryResult, right: QueryResult): number[] | undefined => {
  if (left.columns.length !== right.columns.length) return undefined;
  const used = new Set<number>();
  const order: number[] = [];
  for (const [k, column] of left.columns.entries()) {
    // Same position first, so repeated names (two `id` columns) pair up in order.
    const j = right.columns[k]?.name === column.name && !used.has(k) ? k : right.columns.findIndex((c, j) => c.name === column.name && !used.has(j));
    if (j === -1) return undefined;
    used.add(j);
    order.push(j);
  }
  return order;
};

/** The right side is shown in the left side's column order, so the two tables line up. */
const shown = (result: QueryResult, order: readonly number[]) => ({
  columns: order.map((k) => result.columns[k]!.name),
  rows: result.rows.slice(0, SHOWN_ROWS).map((row) => order.map((k): Cell => row[k] ?? null)),
});

type KeyRow = { readonly cells: readonly string[]; readonly key: string };

const keyRows = (result: QueryResult, order: readonly number[]): KeyRow[] =>
  result.rows.map((row) => {
    const cells = order.map((k) => cellKey(row[k] ?? null, result.columns[k]!.typeOid, result.style));
    return { cells, key: JSON.stringify(cells) };
  });

/**
 * A cell's value as a key that is equal across types meaning the same: every number is its exact decimal
 * (int4 1, int8 1, numeric 1.0 and float8 1 agree), text-like types are their text, timestamps are
 * microseconds (read in each side's own DateStyle), intervals PostgreSQL's normalised total.
 */
export const cellKey = (cell: Cell, oid: number, style?: OutputStyle): string => {
  if (cell === null) return 'N';
  const family = typeFamily(oid);
  const text = cellText(cell);
  switch (family) {
    case 'json':
      return `j${jsonTextKey(text, oid === 114)}`;
    case 'integer':
    case 'numeric':
    case 'float':
    case 'money': {
      const d = family === 'money' ? moneyDecimal(text) : parseDecimal(text);
      return d ? `n${decimalKey(d)}` : `s${text}`;
    }
    case 'bool':
      return `b${text}`;
    case 'uuid':
    case 'address':
      return `s${text.toLowerCase()}`;
    case 'bpchar':
      return `s${text.trimEnd()}`;
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return dateTimeKey(text, family, style);
    case 'time':
    case 'timetz':
      return `c${timeKey(text)}`;
    case 'interval':
      return `i${intervalKey(text)}`;
    case 'bytea':
      return `x${text.toLowerCase()}`;
    case 'array': {
      const elementOid = arrayElementOid(oid) ?? TEXT_OID;
      const parsed = parseArrayLiteral(text, arrayDelimiter(elementOid));
      return parsed ? `a${arrayKey(parsed, elementOid, style)}` : `s${text}`;
    }
    case 'text':
    case 'other':
      return `s${text}`;
  }
};

const dateTimeKey = (text: string, family: 'timestamptz' | 'timestamp' | 'date', style: OutputStyle | undefined): string => {
  const parsed = parseDateTime(text, dateOrderOf(style));
  if (!parsed) return `s${text}`;
  if (family === 'date') return `d${parsed.wallMicros}`;
  const micros = family === 'timestamptz' ? instantMicros(parsed, style) : parsed.wallMicros;
  return micros === undefined ? `s${text}` : `t${micros}`;
};

const arrayKey = (items: PgArray, elementOid: number, style: OutputStyle | undefined): string =>
  JSON.stringify(
    items.map((item) => (item === null || typeof item === 'string' ? cellKey(item, elementOid, style) : arrayKey(item as PgArray, elementOid, style))),
  );

type Outcome = { readonly leftOnly: number[]; readonly rightOnly: number[]; readonly differingAt?: number };

/** Multiset difference by row key. */
const compareUnordered = (left: readonly KeyRow[], right: readonly KeyRow[]): Outcome => {
  const waiting = new Map<string, number[]>();
  right.forEach((row, j) => {
    const list = waiting.get(row.key);
    if (list) list.push(j);
    else waiting.set(row.key, [j]);
  });
  const leftOnly: number[] = [];
  left.forEach((row, i) => {
    const list = waiting.get(row.key);
    if (list && list.length > 0) list.shift();
    else leftOnly.push(i);
  });
  const rightOnly = [...waiting.values()].flat().sort((a, b) => a - b);
  return { leftOnly, rightOnly };
};

/** equal: position by position; subset/superset: the smaller side appears in the larger in the same order. */
const compareOrdered = (left: readonly KeyRow[], right: readonly KeyRow[], relation: CompareOptions['relation']): Outcome => {
  if (relation === 'equal') {
    const differing = Array.from({ length: Math.max(left.length, right.length) }, (_, i) => i).filter((i) => left[i]?.key !== right[i]?.key);
    if (differing.length === 0) return { leftOnly: [], rightOnly: [] };
    return { leftOnly: differing.filter((i) => i < left.length), rightOnly: differing.filter((i) => i < right.length), differingAt: differing[0]! };
  }
  const [inner, outer] = relation === 'subset' ? [left, right] : [right, left];
  const placed = subsequence(inner.length, outer.length, (i, j) => inner[i]!.key === outer[j]!.key);
  const missing = placed.flatMap((p, i) => (p === -1 ? [i] : []));
  const used = new Set(placed);
  const unused = outer.flatMap((_, j) => (used.has(j) ? [] : [j]));
  return relation === 'subset' ? { leftOnly: missing, rightOnly: unused } : { leftOnly: unused, rightOnly: missing };
};

const differingColumns = (a: KeyRow, b: KeyRow): number[] => a.cells.flatMap((cell, k) => (cell === b.cells[k] ? [] : [k]));

/** Rows only on one side paired with the row on the other side sharing most cells, for marking cells. */
const closestPairs = (
  left: readonly KeyRow[],
  right: readonly KeyRow[],
  leftOnly: readonly number[],
  rightOnly: readonly number[],
  relation: CompareOptions['relation'],
): [number, number][] =>
  pairClosest({
    left: leftOnly.filter((i) => i < SHOWN_ROWS),
    right: rightOnly.filter((j) => j < SHOWN_ROWS),
    shared: (i, j) => left[i]!.cells.length - differingColumns(left[i]!, right[j]!).length,
    // Under equal both leftovers are wrong, so even rows sharing no cell pair up ("this instead of that");
    // under subset the extra rows are allowed and a pair must share something to mean anything.
    minimum: relation === 'equal' ? 0 : 1,
    ties: relation === 'superset' ? 'right' : 'left',
  });

const formatCell = (cell: Cell): string => {
  if (cell === null) return 'NULL';
  return typeof cell === 'string' ? quote(cell) : JSON.stringify(cell);
};
