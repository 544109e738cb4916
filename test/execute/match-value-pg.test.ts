/**
 * Cells as the real server prints them (session in UTC, DateStyle ISO, IntervalStyle postgres, every value
 * as text, json/jsonb too) match the YAML a person writes per specs/README.md, and a near miss does not.
 */
import assert from 'node:assert/strict';
import pg from 'pg';
import type { Cell } from '../../runner/values/cell.ts';
import { matchValue } from '../../runner/execute/match-value.ts';
import { ev } from '../support/expected-values.ts';

/** column -> SQL expression, YAML that must match, YAML that must not (a near miss). */
const VALUES: readonly (readonly [column: string, sql: string, matches: readonly string[], misses: readonly string[]])[] = [
  ['bool_t', 'true', ['true', '"true"'], ['false']],
  ['bool_f', 'false', ['false'], ['true', 'null']],
  ['int2', '7::int2', ['7'], ['8']],
  ['int4', '42', ['42', '"42"', '{ gt: 41 }', '{ type: integer }'], ['43', '{ gt: 42 }', '{ type: string }']],
  ['int8_big', '(2^53)::int8 + 1', ['9007199254740993', '"9007199254740993"', '{ gt: 9007199254740992 }'], ['9007199254740992', '{ gt: 9007199254740993 }']],
  ['oid', '1259::oid', ['1259'], ['1260']],
  ['numeric_sum', '0.1::numeric + 0.2::numeric', ['0.3', '"0.30"', '{ approx: 0.3, tolerance: 0.0001 }'], ['0.30000000000000004', '"0.31"']],
  ['numeric_scale', '12.50::numeric(6,2)', ['12.5', '"12.50"', '{ lte: 12.5 }'], ['12.51', '{ lt: 12.5 }']],
  ['numeric_nan', "'NaN'::numeric", ['"NaN"', '.nan'], ['0']],
  ['numeric_inf', "'Infinity'::numeric", ['"Infinity"', '.inf'], ['"-Infinity"']],
  ['float8', '1.5::float8', ['1.5', '{ approx: 1.5, tolerance: 0.01 }'], ['1.51', '{ approx: 1.6, tolerance: 0.01 }']],
  ['float8_third', '1::float8 / 3', ['{ approx: 0.3333, tolerance: 0.001 }', '0.3333333333333333'], ['0.3333']],
  ['float4', '0.1::float4', ['0.1'], ['0.2']],
  ['float8_nan', "'NaN'::float8", ['"NaN"'], ['0']],
  ['float8_ninf', "'-Infinity'::float8", ['"-Infinity"', '-.inf'], ['.inf']],
  ['text', "'hello'::text", ['hello', '{ regex: "^hel" }', '{ type: string }'], ['Hello', '{ regex: "^el" }']],
  ['varchar', "'a@x'::varchar(20)", ['a@x'], ['b@x']],
  ['bpchar', "'ab'::char(5)", ['ab', '"ab   "'], ['abc']],
  ['name', "'pg_class'::name", ['pg_class'], ['pg_clas']],
  [
    'uuid',
    "'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid",
    ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"', '{ type: uuid }'],
    ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', '{ type: integer }'],
  ],
  [
    'timestamptz',
    "'2026-01-31 14:00:00.123456+02'::timestamptz",
    ['"2026-01-31T12:00:00.123456Z"', '"2026-01-31T14:00:00.123456+02:00"', '{ gt: "2026-01-31" }', '{ type: timestamp }'],
    ['"2026-01-31T12:00:00.123455Z"', '"2026-01-31T12:00:00.123Z"', '{ gt: "2026-02-01" }'],
  ],
  ['timestamptz_inf', "'infinity'::timestamptz", ['infinity', '{ gt: "9999-12-31" }'], ['"-infinity"']],
  ['timestamp', "'2026-01-31 12:00:00.5'::timestamp", ['"2026-01-31T12:00:00.5"', '"2026-01-31T12:00:00.500Z"'], ['"2026-01-31T12:00:00.4"']],
  ['date', "'2026-01-31'::date", ['"2026-01-31"', '{ type: date }', '{ lt: "2026-02-01" }'], ['"2026-01-30"', '"2026-01-31T00:00:00Z"']],
  ['date_bc', "'0044-03-15 BC'::date", ['"0044-03-15 BC"'], ['"0044-03-15"']],
  ['time', "'12:30:00.250'::time", ['"12:30:00.25"', '"12:30:00.250"'], ['"12:30:00.26"']],
  ['timetz', "'12:30:00+05:30'::timetz", ['"12:30:00+05:30"'], ['"12:30:00+05"']],
  ['interval', "'1 day 2 hours'::interval", ['"1 day 02:00:00"', 'P1DT2H'], ['"1 day 02:00:01"', 'PT26H1S']],
  [
    'interval_mixed',
    "'1 year 2 months -3 days 04:05:06.5'::interval",
    ['"1 year 2 mons -3 days +04:05:06.5"', 'P1Y2M-3DT4H5M6.5S'],
    ['"1 year 2 mons 3 days 04:05:06.5"'],
  ],
  [
    'jsonb',
    `'{"seats": 5, "plan": "pro"}'::jsonb`,
    ['{ plan: pro, seats: 5 }', `'{"plan":"pro","seats":5}'`, '{ type: json }'],
    ['{ plan: pro, seats: 6 }', '{ plan: pro }'],
  ],
  ['json', `'[1, 2.50, {"type": "x"}]'::json`, ['[1, 2.5, { type: x }]'], ['[1, 2.5]', '[1, 2.5, { type: y }]', '[1, 2.5, { json: { type: x } }]']],
  ['jsonb_literal', `'{"type": "x"}'::jsonb`, ['{ json: { type: x } }'], ['{ json: { type: y } }']],
  ['int4_array', 'array[1, null, 3]::int4[]', ['[1, null, 3]', '{ type: array }'], ['[1, 2, 3]', '[1, null]']],
  [
    'text_array',
    `array['a b', 'q"x', 'back\\slash', 'NULL', null, '', 'a,b']::text[]`,
    ['[a b, "q\\"x", "back\\\\slash", "NULL", null, "", "a,b"]'],
    ['[a b, "q\\"x", "back\\\\slash", null, null, "", "a,b"]'],
  ],
  ['int8_array', 'array[(2^53)::int8 + 1]', ['[9007199254740993]'], ['[9007199254740992]']],
  ['numeric_array', 'array[1.10, 2]::numeric[]', ['[1.1, "2.0"]'], ['[1.1, 2.1]']],
  ['uuid_array', "array['A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11'::uuid]", ['[a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11]'], ['[a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12]']],
  ['bool_array', 'array[true, false]', ['[true, false]'], ['[false, true]']],
  ['varchar_array', "array['x'::varchar, 'y']", ['[x, y]'], ['[x, z]']],
  ['float8_array', 'array[1.5::float8, 2]', ['[1.5, 2]'], ['[1.5, 2.5]']],
  [
    'timestamptz_array',
    "array['2026-01-31 12:00:00+00'::timestamptz, 'infinity']",
    ['["2026-01-31T12:00:00Z", infinity]'],
    ['["2026-01-31T12:00:01Z", infinity]'],
  ],
  ['date_array', "array['2026-01-31'::date]", ['["2026-01-31"]'], ['["2026-01-30"]']],
  ['jsonb_array', `array['{"a": 1}'::jsonb, '[1, "x"]']`, ['[{ a: 1 }, [1, x]]'], ['[{ a: 2 }, [1, x]]']],
  ['int4_matrix', "'{{1,2},{3,4}}'::int4[]", ['[[1, 2], [3, 4]]'], ['[[1, 2], [3, 5]]', '[1, 2, 3, 4]']],
  ['empty_array', "'{}'::text[]", ['[]'], ['[""]']],
  ['lower_bound_array', "'[0:1]={7,8}'::int4[]", ['[7, 8]'], ['[8, 7]']],
  ['bytea', "'\\x00ff'::bytea", ['"\\\\x00ff"', '"\\\\x00FF"'], ['"\\\\x00fe"']],
  ['enum', "'active'::h5_mood", ['active'], ['inactive']],
  ['enum_array', "array['active', 'idle']::h5_mood[]", ['[active, idle]'], ['[idle, active]']],
  [
    'jsonb_big',
    `'{"n": 9223372036854775808, "d": 0.1000000000000000055511151231257827}'::jsonb`,
    ['{ d: 0.1000000000000000055511151231257827, n: 9223372036854775808 }'],
    ['{ d: 0.1, n: 9223372036854775808 }', '{ d: 0.1000000000000000055511151231257827, n: 9223372036854775809 }'],
  ],
  ['json_dupes', `'{"a": 9, "a": 2}'::json`, [`'{"a": 9, "a": 2}'`], [`'{"a": 1, "a": 2}'`, '{ a: 2 }']],
  ['json_null', `'null'::jsonb`, ['"null"', '{ json: null }', '{ not_null: true }'], ['null', '{ null: true }']],
  ['null_jsonb', 'null::jsonb', ['null', '{ null: true }'], ['"null"', '{ json: null }']],
  ['null_text', 'null::text', ['null', '~', '{ null: true }', '{ any: true }'], ['""', '{ not_null: true }', '{ type: string }']],
];

describe('match-value against cells PostgreSQL printed', function () {
  this.timeout(20_000);
  const client = new pg.Client({
    connectionString: 'postgres://postgres@127.0.0.1:5432/postgres',
    // Raw text for every type: the QueryResult contract.
    types: { getTypeParser: (() => (v: string) => v) as never },
  });
  const cells = new Map<string, { cell: Cell; oid: number }>();

  before(async () => {
    await client.connect();
    await client.query("set TimeZone = 'UTC'; set DateStyle = 'ISO, YMD'; set IntervalStyle = 'postgres'");
    // A session-local enum: a user type with an OID no table knows.
    await client.query("create type pg_temp.h5_mood as enum ('active', 'idle', 'inactive')");
    await client.query('set search_path = pg_temp, public');
    const result = await client.query(`select ${VALUES.map(([column, sql]) => `${sql} as ${column}`).join(', ')}`);
    for (const field of result.fields) cells.set(field.name, { cell: result.rows[0][field.name] as Cell, oid: field.dataTypeID });
    assert.equal(cells.size, VALUES.length);
  });

  after(() => client.end());

  for (const [column, , matches, misses] of VALUES) {
    it(`${column}: ${matches.join(' | ')}`, () => {
      const { cell, oid } = cells.get(column)!;
      for (const yaml of matches) assert.equal(matchValue(ev(yaml), cell, oid), true, `${yaml} should match ${JSON.stringify(cell)} (oid ${oid})`);
      for (const yaml of misses) assert.equal(matchValue(ev(yaml), cell, oid), false, `${yaml} should not match ${JSON.stringify(cell)} (oid ${oid})`);
    });
  }
});
