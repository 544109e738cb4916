/** Rows modes (rows, includes, excludes), ordering, column checks, and the failure a report shows. */
import assert from 'node:assert/strict';
import type { QueryResult } from '../../runner/db/query-result.ts';
import type { Cell } from '../../runner/values/cell.ts';
import type { ExpectedRow, YamlValue } from '../../runner/spec/types.ts';
import { matchRows, type RowsOptions } from '../../runner/execute/match-rows.ts';
import { OID, expectedOf, yamlValue } from '../support/expected-values.ts';

/** Expected rows from a YAML list of maps, as written under `rows:`. */
const rowsOf = (yaml: string): ExpectedRow[] =>
  (yamlValue(yaml) as Record<string, YamlValue>[]).map((row, k) => ({
    cells: Object.fromEntries(Object.entries(row).map(([column, value]) => [column, expectedOf(value)])),
    loc: { file: 'users.spec.yaml', line: 10 + k, column: 11 },
  }));

const result = (columns: readonly (readonly [string, number])[], rows: readonly (readonly Cell[])[]): QueryResult => ({
  command: 'SELECT',
  rowCount: rows.length,
  columns: columns.map(([name, typeOid]) => ({ name, typeOid })),
  rows,
});

const users = (rows: readonly (readonly Cell[])[]): QueryResult =>
  result(
    [
      ['id', OID.int4],
      ['email', OID.text],
      ['active', OID.bool],
    ],
    rows,
  );

const ROWS: RowsOptions = { mode: 'rows', ordered: false, columns: 'written' };

describe('match-rows: rows', () => {
  it('matches as a multiset in any order', () => {
    const actual = users([
      ['2', 'b@x', 'f'],
      ['1', 'a@x', 't'],
    ]);
    assert.equal(matchRows(rowsOf('[{ id: 1, email: a@x }, { id: 2, email: b@x }]'), actual, ROWS), undefined);
    assert.equal(matchRows(rowsOf('[{ email: b@x, active: false }, { email: a@x, active: true }]'), actual, ROWS), undefined);
  });

  it('counts duplicates', () => {
    const actual = users([
      ['1', 'a@x', 't'],
      ['1', 'a@x', 't'],
    ]);
    assert.equal(matchRows(rowsOf('[{ id: 1 }, { id: 1 }]'), actual, ROWS), undefined);
    assert.match(matchRows(rowsOf('[{ id: 1 }]'), actual, ROWS)!.message, /^expected 1 row, got 2: 1 unexpected row$/);
  });

  it('`rows: []` means no rows', () => {
    assert.equal(matchRows([], users([]), ROWS), undefined);
    assert.equal(matchRows([], users([['1', 'a@x', 't']]), ROWS)!.message, 'expected no rows, got 1');
  });

  it('says how many rows are missing and unexpected, and marks the differing cells', () => {
    const actual = users([
      ['1', 'a@x', 't'],
      ['2', 'c@x', 't'],
      ['3', 'd@x', 'f'],
    ]);
    const failure = matchRows(rowsOf('[{ id: 1, email: a@x }, { id: 2, email: b@x }]'), actual, ROWS)!;
    assert.equal(failure.code, 'ROWS_MISMATCH');
    assert.equal(failure.message, "expected 2 rows, got 3: 1 expected row not found, 2 unexpected rows (closest is row 2: email expected 'b@x' got 'c@x')");
    assert.equal(failure.location, 'users.spec.yaml:11:11');
    assert.deepEqual(failure.expected, {
      columns: ['id', 'email'],
      rows: [
        [1, 'a@x'],
        [2, 'b@x'],
      ],
    });
    assert.deepEqual(failure.actual, { columns: ['id', 'email', 'active'], rows: actual.rows });
    assert.deepEqual(failure.mismatches, [
      { expectedRow: 1, actualRow: 1, column: 'email' },
      { expectedRow: -1, actualRow: 2 },
    ]);
  });

  it('says a row came back different when the counts agree', () => {
    const one = matchRows(rowsOf('[{ id: 1, email: b@x }]'), users([['1', 'a@x', 't']]), ROWS)!;
    assert.equal(one.message, "the row came back different: email expected 'b@x' got 'a@x'");
    const some = matchRows(
      rowsOf('[{ id: 1, email: a@x }, { id: 2, email: b@x }]'),
      users([
        ['1', 'a@x', 't'],
        ['2', 'c@x', 't'],
      ]),
      ROWS,
    )!;
    assert.match(some.message, /^1 of 2 rows came back different/);
    assert.equal(matchRows(rowsOf('[{ id: 1 }]'), users([]), ROWS)!.message.startsWith('expected 1 row, got none'), true);
  });

  it('pairs rows by a real bipartite matching, not greedily', () => {
    // Greedy would give actual row 1 to the first expected row ({ any }) and then find no row for { id: 1 }.
    const actual = users([
      ['1', 'a@x', 't'],
      ['2', 'b@x', 't'],
    ]);
    assert.equal(matchRows(rowsOf('[{ id: { any: true } }, { id: 1 }]'), actual, ROWS), undefined);
    assert.equal(matchRows(rowsOf('[{ email: { regex: "@x$" } }, { email: a@x }]'), actual, ROWS), undefined);
    assert.notEqual(matchRows(rowsOf('[{ email: { regex: "^a" } }, { email: a@x }]'), actual, ROWS), undefined);
  });

  it('compares only the written columns, and names a written column the result lacks', () => {
    const actual = users([['1', 'a@x', 't']]);
    const failure = matchRows(rowsOf('[{ id: 1, emial: a@x }]'), actual, ROWS)!;
    assert.equal(failure.message, 'no column `emial` in the result; columns are id, email, active');
    assert.equal(failure.location, 'users.spec.yaml:10:11');
  });

  it('with columns: exact, the result has exactly the written columns', () => {
    const actual = users([['1', 'a@x', 't']]);
    const exact: RowsOptions = { ...ROWS, columns: 'exact' };
    assert.equal(matchRows(rowsOf('[{ id: 1, email: a@x, active: true }]'), actual, exact), undefined);
    assert.match(matchRows(rowsOf('[{ id: 1, email: a@x }]'), actual, exact)!.message, /columns not written in the expected row: active/);
  });

  it('shows NULL and booleans plainly in the message', () => {
    const failure = matchRows(rowsOf('[{ id: 1, active: true, email: null }]'), users([['1', 'x', 'f']]), ROWS)!;
    assert.match(failure.message, /active expected true got false, email expected NULL got 'x'/);
  });

  it('caps the shown actual rows at 100 and says so', () => {
    const many = users(Array.from({ length: 250 }, (_, k) => [String(k), `u${k}@x`, 't']));
    const failure = matchRows(rowsOf('[{ id: 1 }]'), many, ROWS)!;
    assert.equal(failure.actual!.rows.length, 100);
    assert.match(failure.message, /^expected 1 row, got 250: 249 unexpected rows \(showing the first 100 of 250 rows\)$/);
    assert.ok(failure.mismatches!.every((m) => m.actualRow < 100));
  });
});

describe('match-rows: ordered', () => {
  const ORDERED: RowsOptions = { ...ROWS, ordered: true };
  const actual = users([
    ['1', 'a@x', 't'],
    ['2', 'b@x', 't'],
  ]);

  it('compares position by position', () => {
    assert.equal(matchRows(rowsOf('[{ id: 1 }, { id: 2 }]'), actual, ORDERED), undefined);
    const failure = matchRows(rowsOf('[{ id: 2 }, { id: 1 }]'), actual, ORDERED)!;
    assert.equal(failure.message, 'row 1 differs: id expected 2 got 1; 1 more row differs');
    assert.deepEqual(failure.mismatches, [
      { expectedRow: 0, actualRow: 0, column: 'id' },
      { expectedRow: 1, actualRow: 1, column: 'id' },
    ]);
  });

  it('names the row and the cell that differ', () => {
    const failure = matchRows(rowsOf('[{ id: 1, email: a@x }, { id: 2, email: a@x }]'), actual, ORDERED)!;
    assert.equal(failure.message, "row 2 differs: email expected 'a@x' got 'b@x'");
    assert.equal(failure.location, 'users.spec.yaml:11:11');
  });

  it('reports a different count', () => {
    const failure = matchRows(rowsOf('[{ id: 1 }]'), actual, ORDERED)!;
    assert.equal(failure.message, 'expected 1 row, got 2');
    assert.deepEqual(failure.mismatches, [{ expectedRow: -1, actualRow: 1 }]);
  });
});

describe('match-rows: includes', () => {
  const INCLUDES: RowsOptions = { ...ROWS, mode: 'includes' };
  const actual = users([
    ['1', 'a@x', 't'],
    ['2', 'b@x', 't'],
    ['3', 'c@x', 'f'],
  ]);

  it('needs every expected row among the actual ones, each its own row', () => {
    assert.equal(matchRows(rowsOf('[{ id: 3 }, { id: 1 }]'), actual, INCLUDES), undefined);
    assert.equal(matchRows(rowsOf('[{ active: true }, { active: true }]'), actual, INCLUDES), undefined);
    const failure = matchRows(rowsOf('[{ active: false }, { active: false }]'), actual, INCLUDES)!;
    assert.equal(failure.message, '1 of 2 expected rows not found among 3 rows');
  });

  it('marks the closest row of a missing one', () => {
    const failure = matchRows(rowsOf('[{ id: 2, email: x@x }]'), actual, INCLUDES)!;
    assert.equal(failure.message, "1 of 1 expected row not found among 3 rows (closest is row 2: email expected 'x@x' got 'b@x')");
    assert.deepEqual(failure.mismatches, [{ expectedRow: 0, actualRow: 1, column: 'email' }]);
  });

  it('ordered: the expected rows appear in the written order', () => {
    const ordered: RowsOptions = { ...INCLUDES, ordered: true };
    assert.equal(matchRows(rowsOf('[{ id: 1 }, { id: 3 }]'), actual, ordered), undefined);
    assert.match(matchRows(rowsOf('[{ id: 3 }, { id: 1 }]'), actual, ordered)!.message, /^1 of 2 expected rows not found in order/);
  });
});

describe('match-rows: excludes', () => {
  const EXCLUDES: RowsOptions = { ...ROWS, mode: 'excludes' };
  const actual = users([
    ['1', 'a@x', 't'],
    ['2', 'b@x', 't'],
  ]);

  it('passes when no expected row is there, fails naming the row that is', () => {
    assert.equal(matchRows(rowsOf('[{ id: 3 }, { email: c@x }]'), actual, EXCLUDES), undefined);
    const failure = matchRows(rowsOf('[{ id: 3 }, { email: b@x }]'), actual, EXCLUDES)!;
    assert.equal(failure.message, 'found 1 row that should not be there (row 2 matches excluded row 2)');
    assert.deepEqual(failure.mismatches, [{ expectedRow: 1, actualRow: 1 }]);
    assert.equal(failure.location, 'users.spec.yaml:11:11');
  });

  it('counts every offending row', () => {
    assert.match(matchRows(rowsOf('[{ active: true }]'), actual, EXCLUDES)!.message, /^found 2 rows that should not be there/);
  });
});
