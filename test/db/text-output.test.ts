/** Cells are exactly what psql -At prints (same session settings), json/jsonb parsed, NULL as null. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

/** One expression per type the spec authors will meet; values fixed so both sides print the same thing. */
const EXPRESSIONS: Record<string, string> = {
  int2: `12::int2`,
  int4: `(-2147483648)::int4`,
  int8: `9223372036854775807::int8`,
  numeric: `12345678901234567890.123456789::numeric`,
  numeric_scale: `1.50::numeric(10,2)`,
  float4: `1.5::float4`,
  float8: `0.1::float8`,
  float8_nan: `'NaN'::float8`,
  bool_true: `true`,
  bool_false: `false`,
  text: `'hé | "quoted"'::text`,
  varchar: `'abc'::varchar(10)`,
  bpchar: `'ab'::char(4)`,
  date: `'2024-02-29'::date`,
  time: `'13:14:15.123'::time`,
  timetz: `'13:14:15+02'::timetz`,
  timestamp: `'2024-01-02 03:04:05.678901'::timestamp`,
  timestamptz: `'2024-01-02 03:04:05+05:30'::timestamptz`,
  timestamptz_bc: `'0044-03-15 12:00:00+00 BC'::timestamptz`,
  interval: `'1 year 2 mons 3 days 04:05:06.7'::interval`,
  interval_negative: `'-1 day -02:00:00'::interval`,
  bytea: `'\\x00ff10'::bytea`,
  int_array: `array[1, 2, null]::int[]`,
  text_array: `array['a b', 'c,d', null]::text[]`,
  timestamptz_array: `array['2024-01-02 03:04:05+00'::timestamptz]`,
  uuid: `'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid`,
  inet: `'192.168.0.1/24'::inet`,
  cidr: `'10.0.0.0/8'::cidr`,
  macaddr: `'08:00:2b:01:02:03'::macaddr`,
  money: `12.34::money`,
  point: `point(1.5, 2)`,
  bit: `B'1010'::bit(4)`,
  varbit: `B'101'::varbit`,
  tsvector: `'a fat cat'::tsvector`,
  oid: `1234::oid`,
  regclass: `'pg_class'::regclass`,
  int4range: `int4range(1, 10)`,
  json_array: `array['{"a":1}'::json]`,
};
const JSON_EXPRESSIONS: Record<string, string> = {
  json: `'{"b": [1, 2.50, "x"], "a": null}'::json`,
  jsonb: `'{"b": [1, 2.50, "x"], "a": null}'::jsonb`,
  jsonb_scalar: `'"text"'::jsonb`,
  json_duplicates: `'{"a": 9, "a": 2}'::json`,
  jsonb_big: `'[9223372036854775808, 1e100, 0.1000000000000000055511151231257827]'::jsonb`,
  json_null: `'null'::json`,
};

const SEPARATOR = '\x1f';
const PSQL_ENV = { ...process.env, PGOPTIONS: '-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres' };

const psqlRow = (url: string, sql: string): string[] =>
  execFileSync('psql', [url, '-X', '-A', '-t', '-F', SEPARATOR, '-v', 'ON_ERROR_STOP=1', '-c', sql], { env: PSQL_ENV, encoding: 'utf8' })
    .replace(/\n$/, '')
    .split(SEPARATOR);

const selectOf = (expressions: Record<string, string>): string =>
  `select ${Object.entries(expressions)
    .map(([name, expression]) => `${expression} as ${name}`)
    .join(', ')}`;

describe('db: cells are PostgreSQL text output', () => {
  for (const label of ['pg15 local', 'pg18 embedded']) {
    describe(label, () => {
      let scratch: ScratchDatabases;
      let db: Database;
      let url: string;
      before(async () => {
        const server = (await testServers()).find((each) => each.label === label);
        assert.ok(server);
        scratch = await scratchDatabases(server, ['t'], { migrations: false });
        url = scratch.urls.t as string;
        db = await connectDatabase('t', url, { embedded: false });
      });
      after(async () => {
        await db?.end();
        await scratch?.drop();
      });

      it('every listed type equals psql -At output', async () => {
        const sql = selectOf(EXPRESSIONS);
        const expected = psqlRow(url, sql);
        const result = await db.query(sql);
        assert.equal(result.rows.length, 1);
        const names = Object.keys(EXPRESSIONS);
        names.forEach((name, index) => {
          const cell = result.rows[0]?.[index];
          if (expected[index] === '') assert.ok(cell === null || cell === '', name);
          else assert.equal(cell, expected[index], `${name}: ${String(cell)} vs psql ${expected[index]}`);
        });
      });

      it('json and jsonb stay their text output, byte for byte (JSON.parse would round numbers and merge keys)', async () => {
        const sql = selectOf(JSON_EXPRESSIONS);
        const expected = psqlRow(url, sql);
        const result = await db.query(sql);
        assert.deepEqual(result.rows[0], expected);
        assert.deepEqual(
          result.columns.map((column) => column.typeOid),
          [114, 3802, 3802, 114, 3802, 114],
        );
      });

      it('NULL is null, columns keep order and duplicate names, typeOid from the result', async () => {
        const result = await db.query('select null::int as "2", 1 as a, 2 as a, 3 as "1", $1::int8 as p', [123n]);
        assert.deepEqual(result.columns, [
          { name: '2', typeOid: 23 },
          { name: 'a', typeOid: 23 },
          { name: 'a', typeOid: 23 },
          { name: '1', typeOid: 23 },
          { name: 'p', typeOid: 20 },
        ]);
        assert.deepEqual(result.rows, [[null, '1', '2', '3', '123']]);
        assert.equal(result.command, 'SELECT');
        assert.equal(result.rowCount, 1);
      });

      it('command tag and row count; null count for commands without one', async () => {
        assert.deepEqual(await db.query('create table counted (id int)'), { command: 'CREATE', rowCount: null, columns: [], rows: [] });
        const inserted = await db.query('insert into counted select generate_series(1, 3)');
        assert.equal(inserted.command, 'INSERT');
        assert.equal(inserted.rowCount, 3);
        const deleted = await db.query('delete from counted where id > $1', [0]);
        assert.deepEqual([deleted.command, deleted.rowCount], ['DELETE', 3]);
      });
    });
  }
});
