/** Each rule of specs/README.md "Expected values": a value that should match does, a near miss does not. */
import assert from 'node:assert/strict';
import type { Cell } from '../../runner/values/cell.ts';
import { describeExpected, matchValue } from '../../runner/execute/match-value.ts';
import { OID, ev } from '../support/expected-values.ts';

type Case = readonly [yaml: string, actual: Cell, matches: boolean];

const check = (oid: number, cases: readonly Case[]): void => {
  for (const [yaml, actual, matches] of cases) {
    // json and jsonb cells arrive as PostgreSQL's text; the cases write them as JavaScript values.
    const cell = (oid === OID.json || oid === OID.jsonb) && actual !== null ? JSON.stringify(actual) : actual;
    it(`${yaml} ${matches ? 'matches' : 'does not match'} ${JSON.stringify(cell)}`, () => {
      assert.equal(matchValue(ev(yaml), cell, oid), matches);
    });
  }
};

describe('match-value: plain values by type', () => {
  describe('null', () => {
    check(OID.text, [
      ['null', null, true],
      ['~', null, true],
      ['null', '', false],
      ['""', null, false],
      ['{ null: true }', null, true],
      ['{ null: true }', 'x', false],
    ]);
    check(OID.int4, [
      ['0', null, false],
      ['null', '0', false],
    ]);
    check(OID.jsonb, [
      ['null', null, true],
      ['{}', null, false],
    ]);
  });

  describe('bool', () => {
    check(OID.bool, [
      ['true', 't', true],
      ['false', 'f', true],
      ['true', 'f', false],
      ['false', 't', false],
      ['"true"', 't', true],
      ['"false"', 't', false],
      // PostgreSQL's boolean input: 1, yes, on, y are true.
      ['1', 't', true],
      ['yes', 't', true],
      ['0', 't', false],
      ['maybe', 't', false],
    ]);
  });

  describe('integers compare exactly as bigint', () => {
    check(OID.int8, [
      ['9007199254740993', '9007199254740993', true],
      ['9007199254740993', '9007199254740992', false],
      ['9007199254740992', '9007199254740993', false],
      ['"9007199254740993"', '9007199254740993', true],
      ['-42', '-42', true],
      ['42', '43', false],
      ['42.0', '42', true],
      ['42.5', '42', false],
      ['"abc"', '42', false],
      ['true', '1', false],
    ]);
    check(OID.int2, [
      ['7', '7', true],
      ['8', '7', false],
    ]);
    check(OID.oid, [
      ['12345', '12345', true],
      ['12346', '12345', false],
    ]);
  });

  describe('numeric compares as an exact decimal', () => {
    check(OID.numeric, [
      ['1.1', '1.10', true],
      ['"1.1"', '1.10', true],
      ['"1.10"', '1.1', true],
      ['12.5', '12.50', true],
      ['1.1', '1.11', false],
      ['0.3', '0.3', true],
      ['0.30000000000000004', '0.3', false],
      ['"1e3"', '1000', true],
      ['"1e3"', '1000.1', false],
      ['-0.5', '-0.50', true],
      ['-0.5', '0.5', false],
      ['0', '0.000', true],
      ['"-0"', '0', true],
      ['"NaN"', 'NaN', true],
      ['.nan', 'NaN', true],
      ['"NaN"', '0', false],
      ['"Infinity"', 'Infinity', true],
      ['.inf', 'Infinity', true],
      ['"-Infinity"', '-Infinity', true],
      ['"Infinity"', '-Infinity', false],
      ['"123456789012345678901234567890.000000000000000000001"', '123456789012345678901234567890.000000000000000000001', true],
      ['"123456789012345678901234567890.000000000000000000001"', '123456789012345678901234567890.000000000000000000002', false],
      ['"12.5x"', '12.5', false],
    ]);
  });

  describe('float compares as a number', () => {
    check(OID.float8, [
      ['1.5', '1.5', true],
      ['1.5', '1.50001', false],
      ['0.1', '0.1', true],
      ['"NaN"', 'NaN', true],
      ['"NaN"', '1', false],
      ['.inf', 'Infinity', true],
      ['"-Infinity"', '-Infinity', true],
      ['"-Infinity"', 'Infinity', false],
      ['""', '0', false],
      ['3', '3', true],
    ]);
    check(OID.float4, [
      ['0.1', '0.1', true],
      ['0.2', '0.1', false],
      ['1e+20', '1e+20', true],
    ]);
  });

  describe('text', () => {
    check(OID.text, [
      ['hello', 'hello', true],
      ['hello', 'Hello', false],
      ['hello', 'hello ', false],
      ['42', '42', true],
      ['42', '42.0', false],
      ['true', 'true', true],
      ['true', 't', false],
      ['"${x}"', '${x}', true],
      ['[a]', '{a}', false],
    ]);
    check(OID.varchar, [
      ['abc', 'abc', true],
      ['abc', 'abd', false],
    ]);
    check(OID.bpchar, [
      ['ab', 'ab   ', true],
      ['"ab "', 'ab   ', true],
      ['ab', ' ab  ', false],
    ]);
    check(OID.name, [['pg_class', 'pg_class', true]]);
    check(OID.enum, [
      ['active', 'active', true],
      ['active', 'inactive', false],
      ['[a, b]', '{a,b}', true],
      ['[a, c]', '{a,b}', false],
    ]);
  });

  describe('uuid ignores case', () => {
    check(OID.uuid, [
      ['"A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11"', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true],
      ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true],
      ['a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a12', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', false],
    ]);
  });

  describe('timestamptz compares instants to the microsecond', () => {
    const actual = '2026-01-31 12:00:00.123456+00';
    check(OID.timestamptz, [
      ['"2026-01-31T12:00:00.123456Z"', actual, true],
      ['"2026-01-31T14:00:00.123456+02:00"', actual, true],
      ['"2026-01-31T14:00:00.123456+0200"', actual, true],
      ['"2026-01-31 12:00:00.123456"', actual, true],
      ['"2026-01-31T12:00:00.123457Z"', actual, false],
      ['"2026-01-31T12:00:00.123Z"', actual, false],
      ['"2026-01-31T12:00:00Z"', actual, false],
      ['"2026-01-31T12:00:00.123456+02:00"', actual, false],
      ['"2026-01-31T12:00:00Z"', '2026-01-31 12:00:00+00', true],
      ['"2026-01-31T12:00:00.000Z"', '2026-01-31 12:00:00+00', true],
      ['"2026-01-31"', '2026-01-31 00:00:00+00', true],
      ['"2026-01-31T12:00:00Z"', '2026-01-31 07:00:00-05', true],
      ['infinity', 'infinity', true],
      ['"-infinity"', '-infinity', true],
      ['infinity', '-infinity', false],
      ['"0044-03-15T00:00:00Z"', '0044-03-15 00:00:00+00 BC', false],
      ['"0044-03-15 00:00:00+00 BC"', '0044-03-15 00:00:00+00 BC', true],
      ['"2026-02-30T00:00:00Z"', '2026-03-02 00:00:00+00', false],
      ['"not a time"', actual, false],
    ]);
  });

  describe('timestamp compares wall-clock fields', () => {
    check(OID.timestamp, [
      ['"2026-01-31T12:00:00"', '2026-01-31 12:00:00', true],
      ['"2026-01-31T12:00:00Z"', '2026-01-31 12:00:00', true],
      ['"2026-01-31T12:00:00.5"', '2026-01-31 12:00:00.5', true],
      ['"2026-01-31T12:00:01"', '2026-01-31 12:00:00', false],
    ]);
  });

  describe('date is strict YYYY-MM-DD', () => {
    check(OID.date, [
      ['"2026-01-31"', '2026-01-31', true],
      ['"2026-01-30"', '2026-01-31', false],
      ['"2026-01-31T00:00:00Z"', '2026-01-31', false],
      ['infinity', 'infinity', true],
    ]);
  });

  describe('time and timetz ignore trailing fractional zeros', () => {
    check(OID.time, [
      ['"12:00:00"', '12:00:00', true],
      ['"12:00:00.500"', '12:00:00.5', true],
      ['"12:00"', '12:00:00', true],
      ['"12:00:00.5"', '12:00:00.6', false],
    ]);
    check(OID.timetz, [
      ['"12:00:00+00"', '12:00:00+00', true],
      ['"12:00:00Z"', '12:00:00+00', true],
      ['"12:00:00+05:30"', '12:00:00+05:30', true],
      ['"12:00:00+05"', '12:00:00+05:30', false],
    ]);
  });

  describe('interval', () => {
    check(OID.interval, [
      ['"1 day 02:00:00"', '1 day 02:00:00', true],
      ['"1 day  02:00:00"', '1 day 02:00:00', true],
      ['"1 day 02:00:01"', '1 day 02:00:00', false],
      ['P1D', '1 day', true],
      ['PT2H', '02:00:00', true],
      ['PT2H', '2 days', false],
      ['P1Y2M3DT4H5M6.5S', '1 year 2 mons 3 days 04:05:06.5', true],
      ['"-P1D"', '-1 days', true],
      // PostgreSQL's interval `=`: a day is 24 hours, a month 30 days.
      ['"1 day"', '24:00:00', true],
      ['"1 mon"', '30 days', true],
      ['"1 day"', '24:00:01', false],
      ['"-1 days +02:00:00"', '-1 days +02:00:00', true],
    ]);
  });

  describe('json and jsonb compare by value', () => {
    check(OID.jsonb, [
      ['{ plan: pro, seats: 5 }', { seats: 5, plan: 'pro' }, true],
      ['{ plan: pro, seats: 5 }', { seats: 6, plan: 'pro' }, false],
      ['{ plan: pro }', { seats: 5, plan: 'pro' }, false],
      ['{ a: 1.0 }', { a: 1 }, true],
      ['[1, 2]', [1, 2], true],
      ['[1, 2]', [2, 1], false],
      ['\'{"plan": "pro", "seats": 5}\'', { seats: 5, plan: 'pro' }, true],
      ['\'{"plan": "pro", "seats": 4}\'', { seats: 5, plan: 'pro' }, false],
      ['hello', 'hello', true],
      ['\'"hello"\'', 'hello', true],
      ['5', 5, true],
      ['"5"', 5, true],
      ['5', '5', false],
      ['true', true, true],
      ['true', false, false],
      ['{ json: { type: x } }', { type: 'x' }, true],
      ['{ json: { type: x } }', { type: 'y' }, false],
      ['{ json: "{\\"a\\": 1}" }', { a: 1 }, false],
      ['{ json: "{\\"a\\": 1}" }', '{"a": 1}', true],
    ]);
  });

  describe('arrays element by element', () => {
    check(OID._int4, [
      ['[1, 2, 3]', '{1,2,3}', true],
      ['[1, 2, 3]', '{1,2,4}', false],
      ['[1, 2]', '{1,2,3}', false],
      ['[]', '{}', true],
      ['[1, null]', '{1,NULL}', true],
      ['[1, null]', '{1,2}', false],
      ['[[1, 2], [3, 4]]', '{{1,2},{3,4}}', true],
      ['[1, 2, 3, 4]', '{{1,2},{3,4}}', false],
      ['"{1,2,3}"', '{1,2,3}', true],
    ]);
    check(OID._text, [
      ['[a b, "q\\"x", "NULL", null]', '{"a b","q\\"x","NULL",NULL}', true],
      ['[a b, "q\\"x", null, null]', '{"a b","q\\"x","NULL",NULL}', false],
      ['["a,b"]', '{"a,b"}', true],
      ['[a, b]', '{"a,b"}', false],
    ]);
    check(OID._int8, [
      ['[9007199254740993]', '{9007199254740993}', true],
      ['[9007199254740992]', '{9007199254740993}', false],
    ]);
    check(OID._numeric, [
      ['[1.10, "2.5"]', '{1.1,2.50}', true],
      ['[1.11]', '{1.1}', false],
    ]);
    check(OID._bool, [
      ['[true, false]', '{t,f}', true],
      ['[true, true]', '{t,f}', false],
    ]);
    check(OID._jsonb, [
      ['[{ a: 1 }, [1, 2]]', '{"{\\"a\\": 1}","[1, 2]"}', true],
      ['[{ a: 2 }, [1, 2]]', '{"{\\"a\\": 1}","[1, 2]"}', false],
    ]);
    check(OID._timestamptz, [
      ['["2026-01-31T12:00:00Z"]', '{"2026-01-31 12:00:00+00"}', true],
      ['["2026-01-31T12:00:01Z"]', '{"2026-01-31 12:00:00+00"}', false],
    ]);
  });

  describe('bytea is hex ignoring case', () => {
    check(OID.bytea, [
      ['"\\\\x00ff"', '\\x00ff', true],
      ['"\\\\x00FF"', '\\x00ff', true],
      ['"\\\\x00fe"', '\\x00ff', false],
    ]);
  });
});

describe('match-value: matchers', () => {
  describe('any, not_null', () => {
    check(OID.text, [
      ['{ any: true }', null, true],
      ['{ any: true }', 'x', true],
      ['{ not_null: true }', 'x', true],
      ['{ not_null: true }', '', true],
      ['{ not_null: true }', null, false],
    ]);
  });

  describe('regex on the text form', () => {
    check(OID.text, [
      ['{ regex: "^user-" }', 'user-1@x', true],
      ['{ regex: "^user-" }', 'a-user-1', false],
      ['{ regex: "^user-" }', null, false],
      ['{ regex: "(" }', '(', false],
    ]);
    check(OID.int4, [
      ['{ regex: "^4\\\\d$" }', '42', true],
      ['{ regex: "^4\\\\d$" }', '420', false],
    ]);
    check(OID.jsonb, [
      ['{ regex: "^ab" }', 'abc', true],
      ['{ regex: "plan" }', { plan: 1 }, true],
    ]);
  });

  describe('type', () => {
    const uuid = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
    it('decides from the column type', () => {
      assert.equal(matchValue(ev('{ type: uuid }'), uuid, OID.uuid), true);
      assert.equal(matchValue(ev('{ type: uuid }'), uuid, OID.text), true);
      assert.equal(matchValue(ev('{ type: uuid }'), 'not-a-uuid', OID.text), false);
      assert.equal(matchValue(ev('{ type: uuid }'), '42', OID.int4), false);
      assert.equal(matchValue(ev('{ type: uuid }'), null, OID.uuid), false);
      assert.equal(matchValue(ev('{ type: integer }'), '42', OID.int8), true);
      assert.equal(matchValue(ev('{ type: integer }'), '42', OID.text), true);
      assert.equal(matchValue(ev('{ type: integer }'), '42.5', OID.numeric), false);
      assert.equal(matchValue(ev('{ type: integer }'), '42', OID.float8), false);
      assert.equal(matchValue(ev('{ type: number }'), '42.5', OID.numeric), true);
      assert.equal(matchValue(ev('{ type: number }'), '1.5', OID.float4), true);
      assert.equal(matchValue(ev('{ type: number }'), 'abc', OID.text), false);
      assert.equal(matchValue(ev('{ type: number }'), 5, OID.jsonb), true);
      assert.equal(matchValue(ev('{ type: string }'), 'x', OID.varchar), true);
      assert.equal(matchValue(ev('{ type: string }'), '42', OID.int4), false);
      assert.equal(matchValue(ev('{ type: boolean }'), 't', OID.bool), true);
      assert.equal(matchValue(ev('{ type: boolean }'), 't', OID.text), false);
      assert.equal(matchValue(ev('{ type: timestamp }'), '2026-01-31 12:00:00+00', OID.timestamptz), true);
      assert.equal(matchValue(ev('{ type: timestamp }'), '2026-01-31T12:00:00Z', OID.text), true);
      assert.equal(matchValue(ev('{ type: timestamp }'), '2026-01-31', OID.date), false);
      assert.equal(matchValue(ev('{ type: date }'), '2026-01-31', OID.date), true);
      assert.equal(matchValue(ev('{ type: date }'), '2026-02-30', OID.text), false);
      assert.equal(matchValue(ev('{ type: json }'), { a: 1 }, OID.jsonb), true);
      assert.equal(matchValue(ev('{ type: json }'), '{"a":1}', OID.text), true);
      assert.equal(matchValue(ev('{ type: json }'), 'a', OID.text), false);
      assert.equal(matchValue(ev('{ type: array }'), '{1,2}', OID._int4), true);
      assert.equal(matchValue(ev('{ type: array }'), [1], OID.jsonb), true);
      assert.equal(matchValue(ev('{ type: array }'), '{1,2}', OID.text), false);
      assert.equal(matchValue(ev('{ type: colour }'), 'red', OID.text), false);
    });
  });

  describe('approx', () => {
    check(OID.float8, [
      ['{ approx: 12.5, tolerance: 0.1 }', '12.58', true],
      ['{ approx: 12.5, tolerance: 0.1 }', '12.61', false],
      ['{ approx: 12.5, tolerance: 0.1 }', 'NaN', false],
    ]);
    check(OID.numeric, [
      ['{ approx: 12.5, tolerance: 0.1 }', '12.45', true],
      ['{ approx: 12.5, tolerance: 0.1 }', '12.3', false],
    ]);
    check(OID.int4, [
      ['{ approx: 100, tolerance: 5 }', '104', true],
      ['{ approx: 100, tolerance: 5 }', '106', false],
    ]);
    check(OID.text, [['{ approx: 12.5, tolerance: 0.1 }', '12.5', false]]);
  });

  describe('gt, gte, lt, lte', () => {
    check(OID.int8, [
      ['{ gt: 0 }', '1', true],
      ['{ gt: 0 }', '0', false],
      ['{ gte: 0 }', '0', true],
      ['{ gte: 9007199254740993 }', '9007199254740992', false],
      ['{ gt: 9007199254740992 }', '9007199254740993', true],
      ['{ lt: 100 }', '99', true],
      ['{ lt: 100 }', '100', false],
      ['{ lte: 5 }', '5', true],
      ['{ lte: 5 }', '6', false],
      ['{ gt: 0 }', null, false],
    ]);
    check(OID.numeric, [
      ['{ gt: 0.1 }', '0.10000000000000000001', true],
      ['{ gt: "0.1" }', '0.1', false],
      ['{ lt: 0 }', '-Infinity', true],
      ['{ gt: 0 }', 'NaN', false],
    ]);
    check(OID.float8, [
      ['{ gt: 1.5 }', '1.6', true],
      ['{ gt: 1.5 }', '1.5', false],
    ]);
    check(OID.timestamptz, [
      ['{ gt: "2026-01-01" }', '2026-01-31 12:00:00+00', true],
      ['{ lt: "2026-01-01T00:00:00Z" }', '2026-01-31 12:00:00+00', false],
      ['{ gte: "2026-01-31T14:00:00+02:00" }', '2026-01-31 12:00:00+00', true],
      ['{ gt: 0 }', '2026-01-31 12:00:00+00', false],
    ]);
    check(OID.date, [
      ['{ lte: "2026-01-31" }', '2026-01-31', true],
      ['{ lt: "2026-01-31" }', '2026-01-31', false],
    ]);
    check(OID.text, [['{ gt: 0 }', '5', false]]);
  });
});

describe('match-value: describeExpected', () => {
  it('shows plain values as written and matchers as text', () => {
    assert.equal(describeExpected(ev('true')), true);
    assert.equal(describeExpected(ev('hello')), 'hello');
    assert.equal(describeExpected(ev('null')), null);
    assert.equal(describeExpected(ev('42')), 42);
    assert.equal(describeExpected(ev('9007199254740993')), '9007199254740993');
    assert.equal(describeExpected(ev('12.5')), 12.5);
    assert.deepEqual(describeExpected(ev('{ plan: pro, seats: 5 }')), { plan: 'pro', seats: 5 });
    assert.deepEqual(describeExpected(ev('[1, 2]')), [1, 2]);
    assert.equal(describeExpected(ev('{ any: true }')), '<any>');
    assert.equal(describeExpected(ev('{ null: true }')), null);
    assert.equal(describeExpected(ev('{ not_null: true }')), '<not null>');
    assert.equal(describeExpected(ev('{ regex: "^user-" }')), '/^user-/');
    assert.equal(describeExpected(ev('{ type: uuid }')), '<uuid>');
    assert.equal(describeExpected(ev('{ approx: 12.5, tolerance: 0.1 }')), '≈12.5 ±0.1');
    assert.equal(describeExpected(ev('{ gt: 0 }')), '> 0');
    assert.equal(describeExpected(ev('{ lte: 5 }')), '<= 5');
    assert.deepEqual(describeExpected(ev('{ json: { type: x } }')), { type: 'x' });
  });
});
