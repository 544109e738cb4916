/** Cross-database comparison: values equal across differing types, multisets, order, subset/superset. */
import assert from 'node:assert/strict';
import pg from 'pg';
import type { QueryResult } from '../../runner/db/query-result.ts';
import type { Cell } from '../../runner/values/cell.ts';
import { compareResults } from '../../runner/execute/compare-results.ts';
import { OID } from '../support/expected-values.ts';

const result = (columns: readonly (readonly [string, number])[], rows: readonly (readonly Cell[])[]): QueryResult => ({
  command: 'SELECT',
  rowCount: rows.length,
  columns: columns.map(([name, typeOid]) => ({ name, typeOid })),
  rows,
});

const idEmail = (idOid: number, emailOid: number, rows: readonly (readonly Cell[])[]) =>
  result(
    [
      ['id', idOid],
      ['email', emailOid],
    ],
    rows,
  );

const labels = { left: 'auth', right: 'backend' };

describe('match-compare-results', () => {
  it('equal: the same rows in any order, across int4/int8 and varchar/text', () => {
    const left = idEmail(OID.int4, OID.varchar, [
      ['1', 'a@x'],
      ['2', 'b@x'],
    ]);
    const right = idEmail(OID.int8, OID.text, [
      ['2', 'b@x'],
      ['1', 'a@x'],
    ]);
    assert.equal(compareResults(left, right, { relation: 'equal', ordered: false }), undefined);
  });

  it('equal: names the rows only on one side and marks the differing cells', () => {
    const left = idEmail(OID.int4, OID.text, [
      ['1', 'a@x'],
      ['2', 'b@x'],
    ]);
    const right = idEmail(OID.int4, OID.text, [
      ['1', 'a@x'],
      ['2', 'c@x'],
    ]);
    const failure = compareResults(left, right, { relation: 'equal', ordered: false, labels })!;
    assert.equal(failure.code, 'COMPARE_MISMATCH');
    assert.equal(
      failure.message,
      "left (auth) has 1 row not in right (backend); right (backend) has 1 row not in left (auth) (closest: email left 'b@x' right 'c@x')",
    );
    assert.deepEqual(failure.mismatches, [{ expectedRow: 1, actualRow: 1, column: 'email' }]);
    assert.deepEqual(failure.expected, { columns: ['id', 'email'], rows: left.rows });
    assert.deepEqual(failure.actual, { columns: ['id', 'email'], rows: right.rows });
  });

  it('equal: duplicates count', () => {
    const left = idEmail(OID.int4, OID.text, [
      ['1', 'a@x'],
      ['1', 'a@x'],
    ]);
    const right = idEmail(OID.int4, OID.text, [['1', 'a@x']]);
    const failure = compareResults(left, right, { relation: 'equal', ordered: false })!;
    assert.equal(failure.message, 'left has 1 row not in right');
    assert.deepEqual(failure.mismatches, [{ expectedRow: 1, actualRow: -1 }]);
  });

  it('subset and superset', () => {
    const small = idEmail(OID.int4, OID.text, [['1', 'a@x']]);
    const large = idEmail(OID.int8, OID.text, [
      ['1', 'a@x'],
      ['2', 'b@x'],
    ]);
    assert.equal(compareResults(small, large, { relation: 'subset', ordered: false }), undefined);
    assert.equal(compareResults(large, small, { relation: 'superset', ordered: false }), undefined);
    assert.equal(compareResults(large, small, { relation: 'subset', ordered: false })!.message, 'left has 1 row not in right');
    assert.equal(compareResults(small, large, { relation: 'superset', ordered: false })!.message, 'right has 1 row not in left');
    assert.notEqual(compareResults(small, large, { relation: 'equal', ordered: false }), undefined);
  });

  it('ordered: position by position, or in the same order for subset', () => {
    const left = idEmail(OID.int4, OID.text, [
      ['1', 'a@x'],
      ['2', 'b@x'],
    ]);
    const swapped = idEmail(OID.int4, OID.text, [
      ['2', 'b@x'],
      ['1', 'a@x'],
    ]);
    const failure = compareResults(left, swapped, { relation: 'equal', ordered: true })!;
    assert.equal(failure.message, "row 1 differs: id left '1' right '2', email left 'a@x' right 'b@x'");
    assert.equal(compareResults(left, left, { relation: 'equal', ordered: true }), undefined);
    const wider = idEmail(OID.int4, OID.text, [
      ['1', 'a@x'],
      ['9', 'z@x'],
      ['2', 'b@x'],
    ]);
    assert.equal(compareResults(left, wider, { relation: 'subset', ordered: true }), undefined);
    assert.match(compareResults(swapped, wider, { relation: 'subset', ordered: true })!.message, /^left has 1 row not in right in the same order/);
  });

  it('columns must have the same names (in any order)', () => {
    const left = idEmail(OID.int4, OID.text, [['1', 'a@x']]);
    const reordered = result(
      [
        ['email', OID.text],
        ['id', OID.int8],
      ],
      [['a@x', '1']],
    );
    assert.equal(compareResults(left, reordered, { relation: 'equal', ordered: false }), undefined);
    const renamed = result(
      [
        ['id', OID.int4],
        ['mail', OID.text],
      ],
      [['1', 'a@x']],
    );
    assert.equal(
      compareResults(left, renamed, { relation: 'equal', ordered: false, labels })!.message,
      'the columns differ: left (auth) has id, email; right (backend) has id, mail',
    );
  });

  describe('values PostgreSQL printed under different types', function () {
    this.timeout(20_000);
    const client = new pg.Client({
      connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
      types: { getTypeParser: ((oid: number) => (oid === 114 || oid === 3802 ? JSON.parse : (v: string) => v)) as never },
    });
    const query = async (sql: string): Promise<QueryResult> => {
      const r = await client.query({ text: sql, rowMode: 'array' });
      return { command: r.command, rowCount: r.rowCount, columns: r.fields.map((f) => ({ name: f.name, typeOid: f.dataTypeID })), rows: r.rows as Cell[][] };
    };
    before(async () => {
      await client.connect();
      await client.query("set TimeZone = 'UTC'; set DateStyle = 'ISO, YMD'; set IntervalStyle = 'postgres'");
    });
    after(() => client.end());

    it('int4/int8/numeric/float8, varchar/text/bpchar, uuid case, json/jsonb, timestamp types, arrays agree', async () => {
      const left = await query(`
        select 1::int4 as n, 2.50::numeric as d, 'ab'::varchar as s, 'ab'::char(4) as c,
               'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid as u, '{"b": 1, "a": [1.0]}'::jsonb as j,
               '2026-01-31 12:00:00+00'::timestamptz as t, array[1, 2]::int4[] as a`);
      const right = await query(`
        select 1::int8 as n, 2.5::float8 as d, 'ab'::text as s, 'ab'::text as c,
               'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::text as u, '{"a": [1], "b": 1}'::json as j,
               '2026-01-31 12:00:00'::timestamp as t, array[1, 2]::int8[] as a`);
      assert.equal(compareResults(left, right, { relation: 'equal', ordered: false }), undefined);
      const near = await query(`
        select 1::int8 as n, 2.51::float8 as d, 'ab '::text as s, 'ab'::text as c,
               'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12'::text as u, '{"a": [2], "b": 1}'::json as j,
               '2026-01-31 12:00:01'::timestamp as t, array[2, 1]::int8[] as a`);
      const failure = compareResults(left, near, { relation: 'equal', ordered: false })!;
      assert.deepEqual(
        failure.mismatches!.map((m) => m.column),
        ['d', 's', 'u', 'j', 't', 'a'],
      );
    });

    it('bigint 2^53 + 1 is not 2^53', async () => {
      const left = await query('select (2^53)::int8 + 1 as n');
      const right = await query('select 2::numeric ^ 53 as n');
      assert.notEqual(compareResults(left, right, { relation: 'equal', ordered: false }), undefined);
      assert.equal(compareResults(left, await query('select 2::numeric ^ 53 + 1 as n'), { relation: 'equal', ordered: false }), undefined);
    });
  });

  it("equal as PostgreSQL means it: intervals normalised, timestamps read in each side's own DateStyle, JSON numbers exact", () => {
    const postgresStyle = { dateStyle: 'Postgres, MDY', intervalStyle: 'postgres_verbose', timeZone: 'PST8PDT' };
    const iso = { dateStyle: 'ISO, YMD', intervalStyle: 'postgres', timeZone: 'UTC' };
    const columns = [
      ['i', OID.interval],
      ['t', OID.timestamptz],
      ['j', OID.jsonb],
    ] as const;
    const left = { ...result(columns, [['@ 1 day', 'Mon Feb 10 17:32:01 1997 PST', '[9223372036854775808]']]), style: postgresStyle };
    const right = { ...result(columns, [['24:00:00', '1997-02-11 01:32:01+00', '[9223372036854775808.0]']]), style: iso };
    assert.equal(compareResults(left, right, { relation: 'equal', ordered: false }), undefined);
    const off = { ...result(columns, [['24:00:00', '1997-02-11 01:32:01+00', '[9223372036854775809]']]), style: iso };
    assert.notEqual(compareResults(left, off, { relation: 'equal', ordered: false }), undefined);
  });
});
