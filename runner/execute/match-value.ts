/**
 * Does one expected value (as written in a spec, variables resolved) match one cell PostgreSQL returned?
 * The rules are the "Expected values" table of specs/README.md: each type compares as PostgreSQL's `=` does
 * (exact decimals, instants, intervals as 30-day months and 24-hour days, JSON by value), never by a float
 * or by accident of formatting; and a value written exactly as PostgreSQL printed it always matches, even
 * when dbspec cannot read that type.
 */
import type { OutputStyle } from '../db/query-result.ts';
import type { Cell } from '../values/cell.ts';
import type { ExpectedValue, YamlValue } from '../spec/types.ts';
import { YamlNumber } from '../spec/yaml-number.ts';
import { matchMatcher } from './match-matcher.ts';
import { compareDecimals, decimalOf, parseDecimal, type Decimal } from './pg-decimal.ts';
import { dateOrderOf, parseDateTime, sameInstant, sameTime } from './pg-datetime.ts';
import { intervalMicros } from './pg-interval.ts';
import { jsonKey, jsonOfYaml, parseJson } from './pg-json.ts';
import { TEXT_OID, type PgArray, arrayDelimiter, arrayElementOid, parseArrayLiteral, typeFamily } from './pg-types.ts';

export const matchValue = (expected: ExpectedValue, actual: Cell, typeOid: number, style?: OutputStyle): boolean =>
  'matcher' in expected ? matchMatcher(expected, actual, typeOid, style) : matchPlain(expected.value, actual, typeOid, style);

/** How an expected value shows in a report: plain values as written, matchers as short text. */
export const describeExpected = (expected: ExpectedValue): Cell => {
  if (!('matcher' in expected)) return toCell(expected.value);
  switch (expected.matcher) {
    case 'any':
      return '<any>';
    case 'null':
      return null;
    case 'not_null':
      return '<not null>';
    case 'regex':
      return `/${expected.pattern}/`;
    case 'type':
      return `<${expected.type}>`;
    case 'approx':
      return `≈${expected.value} ±${expected.tolerance}`;
    case 'compare':
      return `${COMPARE_SYMBOL[expected.op]} ${expected.value}`;
    case 'json':
      return toCell(expected.value);
  }
};

const COMPARE_SYMBOL = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

/** Cells cannot hold bigint: a big integer (or a decimal a double would round) shows as its digits. */
const toCell = (value: YamlValue): Cell => {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (value instanceof YamlNumber) return String(Number(value.text)) === value.text ? Number(value.text) : value.text;
  if (Array.isArray(value)) return value.map(toCell) as Cell;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCell(v)])) as Cell;
  return value;
};

/** The text of a cell as a person reads it: PostgreSQL's text (a hand-built cell may be JSON). */
export const cellText = (cell: Exclude<Cell, null>): string => (typeof cell === 'string' ? cell : JSON.stringify(cell));

/** A scalar written in YAML as text; lists and maps have none. */
export const scalarText = (value: YamlValue): string | undefined =>
  typeof value === 'string'
    ? value
    : value instanceof YamlNumber
      ? value.text
      : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean'
        ? String(value)
        : undefined;

/** An expected number or numeric text as an exact decimal. */
export const expectedDecimal = (value: YamlValue): Decimal | undefined =>
  value instanceof YamlNumber
    ? parseDecimal(value.decimalText())
    : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string'
      ? decimalOf(value)
      : undefined;

// ---------------------------------------------------------------------------------------------------------
// Plain values

const matchPlain = (value: YamlValue, actual: Cell, oid: number, style: OutputStyle | undefined): boolean => {
  if (value === null || actual === null) return value === null && actual === null;
  const text = cellText(actual);
  // Written exactly as printed: equal, whatever the type (and whether or not it can be read).
  if (scalarText(value) === text) return true;
  const family = typeFamily(oid);
  const written = scalarText(value);
  switch (family) {
    case 'bool':
      return boolOf(value) !== undefined && boolOf(value) === boolOf(text);
    case 'integer':
    case 'numeric':
      return decimalEquals(expectedDecimal(value), parseDecimal(text));
    case 'money':
      return decimalEquals(expectedDecimal(value) ?? moneyDecimal(written), moneyDecimal(text));
    case 'float':
      return floatEquals(value, text, oid === 700);
    case 'bpchar':
      // PostgreSQL pads character(n) with spaces; the padding is not part of the value.
      return written?.trimEnd() === text.trimEnd();
    case 'uuid':
      return typeof value === 'string' && uuidDigits(value) !== undefined && uuidDigits(value) === uuidDigits(text);
    case 'bytea':
    case 'address':
      return typeof value === 'string' && value.trim().toLowerCase() === text.toLowerCase();
    case 'timestamptz':
    case 'timestamp':
    case 'date':
      return written !== undefined && typeof value !== 'boolean' && sameDateTime(written, text, family, style);
    case 'time':
    case 'timetz':
      return typeof value === 'string' && sameTime(value, text);
    case 'interval':
      return typeof value === 'string' && intervalEquals(value, text);
    case 'json':
      return matchJson(value, text, oid === 114, true);
    case 'array':
      return matchArray(value, text, arrayElementOid(oid) ?? TEXT_OID, style);
    case 'other':
      // Arrays of enums and other user types have OIDs no table knows; their text still reads as an array.
      return Array.isArray(value) && matchArray(value, text, TEXT_OID, style);
    case 'text':
      return false;
  }
};

/** PostgreSQL's boolean input: t/true/y/yes/on/1 and f/false/n/no/off/0, any case. */
const boolOf = (value: YamlValue): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'bigint') return value === 1n ? true : value === 0n ? false : undefined;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  if (['t', 'true', 'y', 'yes', 'on', '1'].includes(lower)) return true;
  return ['f', 'false', 'n', 'no', 'off', '0'].includes(lower) ? false : undefined;
};

const decimalEquals = (a: Decimal | undefined, b: Decimal | undefined): boolean => a !== undefined && b !== undefined && compareDecimals(a, b) === 0;

/** '$1,234.56', '-$1,234.56', '($1.00)' (some locales): the amount as a decimal. */
export const moneyDecimal = (text: string | undefined): Decimal | undefined => {
  if (text === undefined) return undefined;
  const trimmed = text.trim();
  const negative = /^-|^\(.*\)$/.test(trimmed);
  const digits = trimmed.replace(/[^\d.]/g, '');
  return digits === '' ? undefined : parseDecimal(`${negative ? '-' : ''}${digits}`);
};

/** A float as PostgreSQL holds it: a double, or for float4 a single-precision value; '' is not 0. */
export const floatOf = (value: YamlValue, single = false): number | undefined => {
  let n: number | undefined;
  if (typeof value === 'number') n = value;
  else {
    const d = expectedDecimal(value);
    if (d === undefined) return undefined;
    n = d.kind === 'nan' ? NaN : d.kind === 'infinity' ? d.sign * Infinity : Number(value instanceof YamlNumber ? value.decimalText() : String(value).trim());
  }
  return single ? Math.fround(n) : n;
};

/**
 * A float matches the decimal PostgreSQL prints for it (its shortest exact form), so any other digits are a
 * different value, even ones that round to the same double; only a value written with more digits than
 * PostgreSQL prints compares as a float (float4 in single precision): 1.23456789 matches float4 1.2345679.
 */
const floatEquals = (value: YamlValue, text: string, single: boolean): boolean => {
  const written = expectedDecimal(value);
  const printed = parseDecimal(text);
  if (written === undefined || printed === undefined) return false;
  if (written.kind !== 'finite' || printed.kind !== 'finite') return compareDecimals(written, printed) === 0;
  if (compareDecimals(written, printed) === 0) return true;
  if (written.digits.length <= printed.digits.length) return false;
  const expected = floatOf(value, single);
  return expected !== undefined && expected === floatOf(text, single);
};

/** PostgreSQL reads uuids with or without hyphens and braces, in either case. */
const uuidDigits = (text: string): string | undefined => {
  const digits = text
    .trim()
    .replace(/^\{|\}$/g, '')
    .replaceAll('-', '')
    .toLowerCase();
  return /^[0-9a-f]{32}$/.test(digits) ? digits : undefined;
};

/** Dates by day, timestamps by wall clock, timestamptz by instant; a timestamp does not match a date. */
const sameDateTime = (written: string, text: string, family: 'timestamptz' | 'timestamp' | 'date', style: OutputStyle | undefined): boolean => {
  const order = dateOrderOf(style);
  const expected = parseDateTime(written, order);
  const actual = parseDateTime(text, order);
  if (!expected || !actual) return false;
  if (family === 'date') return !expected.hasTime && expected.wallMicros === actual.wallMicros;
  if (family === 'timestamp') return expected.wallMicros === actual.wallMicros;
  return sameInstant(expected, actual, style);
};

/** As PostgreSQL's interval `=`: '1 day' = '24:00:00', '1 mon' = '30 days', 'P1D' = '1 day'. */
const intervalEquals = (value: string, text: string): boolean => {
  const expected = intervalMicros(value);
  return expected !== undefined && expected === intervalMicros(text);
};

/**
 * JSON compares by value: jsonb ignoring key order; json (`ordered`) keeping its key order and duplicate
 * keys. An expected string may be JSON text ('{"a": 1}', 'null') or a JSON string value: either reading
 * matches (`parseStrings` false for the `{ json: ... }` matcher, which is always the literal value). For json,
 * whose value is the text itself, JSON text must be written exactly as stored (the plain-value fallback
 * has already compared it): only YAML maps, lists and scalars compare by structure.
 */
export const matchJson = (value: YamlValue, text: string, ordered: boolean, parseStrings: boolean): boolean => {
  const actual = parseJson(text);
  if (!actual) return false;
  const actualKey = jsonKey(actual, ordered);
  const parsed = typeof value === 'string' && parseStrings ? parseJson(value) : undefined;
  if (parsed && !ordered && jsonKey(parsed, ordered) === actualKey) return true;
  // A YAML map has no key order of its own worth trusting (JavaScript puts integer-like keys first), and no
  // duplicates: against json it compares in any order, every key of the text counted.
  const literal = jsonOfYaml(value);
  const mode = ordered ? 'sorted' : 'jsonb';
  return literal !== undefined && jsonKey(literal, mode) === jsonKey(actual, mode);
};

/** A YAML list against an array cell, element by element with the element type's rules; a string as an array literal. */
const matchArray = (value: YamlValue, text: string, elementOid: number, style: OutputStyle | undefined): boolean => {
  const delimiter = arrayDelimiter(elementOid);
  const parsed = parseArrayLiteral(text, delimiter);
  if (parsed === undefined) return false;
  if (typeof value === 'string') {
    // Written as an array literal with other spacing or quoting: the bounds ('[0:1]=') must agree, as for `=`.
    const written = parseArrayLiteral(value, delimiter);
    return written !== undefined && arrayBounds(value) === arrayBounds(text) && matchElements(written as YamlValue[], parsed, elementOid, style);
  }
  return Array.isArray(value) && matchElements(value, parsed, elementOid, style);
};

const arrayBounds = (text: string): string => /^\s*((?:\[-?\d+:-?\d+\])+)=/.exec(text)?.[1] ?? '';

const matchElements = (expected: readonly YamlValue[], actual: PgArray, elementOid: number, style: OutputStyle | undefined): boolean =>
  expected.length === actual.length &&
  expected.every((item, i) => {
    const element = actual[i]!;
    if (Array.isArray(element)) return Array.isArray(item) && matchElements(item, element as PgArray, elementOid, style);
    return matchPlain(item, element as string | null, elementOid, style);
  });
