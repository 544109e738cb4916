/**
 * A failure as a person reads it in a terminal: the message, where, and expected against actual rows as a
 * small diff table (`-` an expected row that did not come back, `+` a row that should not be there).
 */
import type { Failure, ResultRows } from '../results/types.ts';
import type { Cell } from '../values/cell.ts';
import { cleanupBlockYaml } from '../results/cleanup-yaml.ts';
import { plural } from '../wording.ts';

const MAX_ROWS = 12;
const MAX_CELL = 40;

const cellText = (cell: Cell | undefined): string => {
  const text = cell === undefined ? '' : cell === null ? 'NULL' : typeof cell === 'object' ? JSON.stringify(cell) : String(cell);
  const flat = text.replace(/\s+/g, ' ');
  return flat.length > MAX_CELL ? `${flat.slice(0, MAX_CELL - 1)}…` : flat;
};

const rowCells = (rows: ResultRows, index: number, columns: readonly string[]): string[] =>
  columns.map((c) => {
    const at = rows.columns.indexOf(c);
    return at < 0 ? '' : cellText(rows.rows[index]?.[at]);
  });

export const rowsDiff = (failure: Failure): string[] => {
  const { expected, actual } = failure;
  if (!expected && !actual) return [];
  const columns = [...new Set([...(expected?.columns ?? []), ...(actual?.columns ?? [])])];
  const missing = new Set<number>();
  const extra = new Set<number>();
  for (const m of failure.mismatches ?? []) {
    if (m.expectedRow >= 0) missing.add(m.expectedRow);
    if (m.actualRow >= 0) extra.add(m.actualRow);
  }
  // Each line: mark, the row's number on its own side (from 1), cells. Sorted by position, so an ordered
  // comparison reads top to bottom: expected row 2 beside actual row 2.
  const lines: [string, number, string[]][] = [];
  if (failure.mismatches) {
    for (const i of missing) if (expected) lines.push(['-', i + 1, rowCells(expected, i, columns)]);
    for (const [i] of (actual?.rows ?? []).entries()) lines.push([extra.has(i) ? '+' : ' ', i + 1, rowCells(actual!, i, columns)]);
  } else {
    for (const [i] of (expected?.rows ?? []).entries()) lines.push(['-', i + 1, rowCells(expected!, i, columns)]);
    for (const [i] of (actual?.rows ?? []).entries()) lines.push(['+', i + 1, rowCells(actual!, i, columns)]);
  }
  const byPosition = (a: [string, number, string[]], b: [string, number, string[]]) => a[1] - b[1] || (a[0] === '-' ? -1 : b[0] === '-' ? 1 : 0);
  // Too many to show: the differing lines first, then as many matching ones as fit.
  const shown = (
    lines.length <= MAX_ROWS
      ? lines
      : lines
          .filter(([mark]) => mark !== ' ')
          .concat(lines.filter(([mark]) => mark === ' '))
          .slice(0, MAX_ROWS)
  ).sort(byPosition);
  const numberWidth = Math.max(1, ...shown.map(([, n]) => String(n).length));
  const widths = columns.map((c, i) => Math.max(c.length, ...shown.map(([, , cells]) => cells[i]!.length)));
  const format = (mark: string, n: string, cells: readonly string[]) =>
    `${mark} ${n.padStart(numberWidth)}  ${cells.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd();
  const out = [format(' ', '#', columns), ...shown.map(([mark, n, cells]) => format(mark, String(n), cells))];
  if (lines.length > shown.length) out.push(`  … ${lines.length - shown.length} more rows in the report`);
  out.push('  (- expected but not found, + found but not expected)');
  return out;
};

export const failureText = (failure: Failure): string => {
  const lines = [failure.message];
  if (failure.location) lines.push(`at ${failure.location}`);
  const table = rowsDiff(failure);
  if (table.length > 0) lines.push('', ...table);
  lines.push(...leakLines(failure));
  return lines.join('\n');
};

const leakLines = (failure: Failure): string[] => {
  const lines: string[] = [];
  for (const leak of failure.leaks ?? []) {
    const rows = plural(leak.count, 'row');
    const table = `${leak.db}.${leak.table.replace(/^public\./, '')}`;
    const head = leak.change === 'leaked' ? `${rows} left behind in ${table}` : `${rows} removed from ${table}`;
    lines.push('', `${head}${leak.likelyBy ? `, likely by ${leak.likelyBy}` : ''}:`);
    if (leak.rows)
      lines.push(
        ...rowsDiff({ message: '', code: '', actual: leak.rows })
          .slice(0, -1)
          .map((l) => l.replace(/^[ +]/, ' ')),
      );
    if (leak.moreRows) lines.push(`  … ${leak.moreRows} more`);
    if (leak.note) lines.push(`  (${leak.note})`);
  }
  if (failure.cleanup && failure.cleanup.length > 0) {
    lines.push('', 'Proposed cleanup (children first); `dbspec run --update` adds it to the spec:');
    lines.push(
      ...cleanupBlockYaml(failure.cleanup)
        .split('\n')
        .map((l) => `  ${l}`),
    );
  }
  return lines;
};
