/**
 * Does one expected value (as written in a spec, variables resolved) match one cell PostgreSQL returned?
 * The rules are the "Expected values" table of specs/README.md: each type compares by what its values mean
 * (exact decimals, instants, JSON by value), never by a float or by accident of formatting.
 */
import type { Cell } from '../results/types.ts';
import type { ExpectedValue, Matcher, YamlValue } from '../spec/types.ts';
import {
  type JsonLike,
  type PgArray,
  TEXT_OID,
  arrayElementOid,
  canonicalJson,
  compareDecimals,
  decimalOf,
  normalizeTime,
  parseArrayLiteral,
  parseDecimal,
  parseInterval,
  parseTimestamp,
  timestampMicros,
  typeFamily,
} from './pg-types.ts';

export const matchValue = (expected: ExpectedValue, actual: Cell, typeOid: number): boolean =>
  'matcher' in expected ? matchMatcher(expected, actual, typeOid) : matchPlain(expected.value, actual, typeOid);

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

/** Cells cannot hold bigint: a big integer shows as its digits (exact), a small one as a number. */
const toCell = (value: YamlValue): Cell => {
  if (typeof value === 'bigint') return Number.isSafeInteger(Number(value)) ? Number(value) : String(value);
  if (Array.isArray(value)) return value.map(toCell) as Cell;
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toCell(v)])) as Cell;
  return value;
};

/** The text of a cell as a person reads it: PostgreSQL's text, or JSON text for a parsed json value. */
export const cellText = (cell: Exclude<Cell, null>): string => (typeof cell === 'string' ? cell : JSON.stringify(cell));

/** A scalar written in YAML as text; lists and maps have none. */
const scalarText = (value: YamlValue): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean' ? String(value) : undefined;

// ---------------------------------------------------------------------------------------------------------
// Plain values

const matchPlain = (value: YamlValue, actual: Cell, oid: number): boolean => {
  if (value === null || actual === null) return value === null && actual === null;
  const family = typeFamily(oid);
  if (family === 'json') return matchJson(value, actual, true);
  const text = cellText(actual);
  switch (family) {
    case 'bool':
      return boolOf(value) !== undefined && boolOf(value) === boolOf(text);
    case 'integer':
    case 'numeric':
      return decimalEquals(value, text);
    case 'float':
      return floatEquals(value, text);
    case 'text':
      return scalarText(value) === text;
    case 'bpchar':
      // PostgreSQL pads character(n) with spaces; the padding is not part of the value.
      return scalarText(value)?.trimEnd() === text.trimEnd();
    case 'uuid':
    case 'bytea':
      return typeof value === 'string' && value.trim().toLowerCase() === text.toLowerCase();
    case 'timestamptz':
    case 'timestamp':
      return typeof value === 'string' && sameMicros(timestampMicros(value, family === 'timestamptz'), timestampMicros(text, family === 'timestamptz'));
    case 'date':
      // Strict: a date is written 'YYYY-MM-DD', as PostgreSQL prints it; a timestamp does not match a date.
      return typeof value === 'string' && value.trim() === text;
    case 'time':
    case 'timetz':
      return typeof value === 'string' && normalizeTime(value) === normalizeTime(text);
    case 'interval':
      return typeof value === 'string' && intervalEquals(value, text);
    case 'array':
      return matchArray(value, text, arrayElementOid(oid) ?? TEXT_OID);
    case 'other':
      // Arrays of enums and other user types have OIDs no table knows; their text still reads as an array.
      return Array.isArray(value) ? matchArray(value, text, TEXT_OID) : scalarText(value) === text;
  }
};

const boolOf = (value: YamlValue): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (typeof value !== 'string') return undefined;
  const lower = value.trim().toLowerCase();
  return lower === 'true' || lower === 't' ? true : lower === 'false' || lower === 'f' ? false : undefined;
};

const expectedDecimal = (value: YamlValue) =>
  typeof value === 'number' || typeof value === 'bigint' || typeof value === 'string' ? decimalOf(value) : undefined;

const decimalEquals = (value: YamlValue, text: string): boolean => {
  const expected = expectedDecimal(value);
  const actual = parseDecimal(text);
  return expected !== undefined && actual !== undefined && compareDecimals(expected, actual) === 0;
};

/** A float as a number; '' and other non-numbers are not 0. */
const floatOf = (value: YamlValue): number | undefined => {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string' || parseDecimal(value) === undefined) return undefined;
  const d = parseDecimal(value)!;
  return d.kind === 'nan' ? NaN : d.kind === 'infinity' ? d.sign * Infinity : Number(value.trim());
};

const floatEquals = (value: YamlValue, text: string): boolean => {
  const expected = floatOf(value);
  const actual = floatOf(text);
  if (expected === undefined || actual === undefined) return false;
  return expected === actual || (Number.isNaN(expected) && Number.isNaN(actual));
};

const sameMicros = (a: bigint | undefined, b: bigint | undefined): boolean => a !== undefined && a === b;

/** Both read as (months, days, microseconds) when they can (so 'P1D' equals '1 day'); else the text, spacing aside. */
const intervalEquals = (value: string, text: string): boolean => {
  const expected = parseInterval(value);
  const actual = parseInterval(text);
  if (expected && actual) return expected.months === actual.months && expected.days === actual.days && expected.micros === actual.micros;
  const squeeze = (s: string): string => s.trim().replace(/\s+/g, ' ');
  return squeeze(value) === squeeze(text);
};

/**
 * JSON compares by value. An expected string may be JSON text ('{"a": 1}') or a JSON string value: either
 * reading matches (`parseStrings` false for the `{ json: ... }` matcher, which is always the literal value).
 */
const matchJson = (value: YamlValue, actual: Cell, parseStrings: boolean): boolean => {
  const actualKey = canonicalJson(actual as JsonLike);
  if (canonicalJson(value as JsonLike) === actualKey) return true;
  if (!parseStrings || typeof value !== 'string') return false;
  try {
    return canonicalJson(JSON.parse(value) as JsonLike) === actualKey;
  } catch {
    return false;
  }
};

/** A YAML list against an array cell, element by element with the element type's rules; a string as text. */
const matchArray = (value: YamlValue, text: string, elementOid: number): boolean => {
  if (typeof value === 'string') return value.trim() === text;
  if (!Array.isArray(value)) return false;
  const parsed = parseArrayLiteral(text);
  return parsed !== undefined && matchElements(value, parsed, elementOid);
};

const matchElements = (expected: readonly YamlValue[], actual: PgArray, elementOid: number): boolean =>
  expected.length === actual.length &&
  expected.every((item, i) => {
    const element = actual[i]!;
    if (Array.isArray(element)) return Array.isArray(item) && matchElements(item, element as PgArray, elementOid);
    return matchPlain(item, elementCell(element as string | null, elementOid), elementOid);
  });

/** Array elements arrive as text; json elements are parsed, as json cells are. */
const elementCell = (element: string | null, elementOid: number): Cell => {
  if (element === null || typeFamily(elementOid) !== 'json') return element;
  try {
    return JSON.parse(element) as Cell;
  } catch {
    return element;
  }
};

// ---------------------------------------------------------------------------------------------------------
// Matchers

const matchMatcher = (matcher: Matcher, actual: Cell, oid: number): boolean => {
  switch (matcher.matcher) {
    case 'any':
      return true;
    case 'null':
      return actual === null;
    case 'not_null':
      return actual !== null;
    case 'json':
      return actual !== null && typeFamily(oid) === 'json' ? matchJson(matcher.value, actual, false) : matchPlain(matcher.value, actual, oid);
  }
  if (actual === null) return false;
  switch (matcher.matcher) {
    case 'regex':
      return regexOf(matcher.pattern)?.test(cellText(actual)) ?? false;
    case 'type':
      return isOfType(matcher.type, actual, oid);
    case 'approx': {
      const n = numberOf(actual, oid);
      return n !== undefined && Math.abs(n - matcher.value) <= matcher.tolerance;
    }
    case 'compare': {
      const order = compareToBound(actual, oid, matcher.value);
      return order !== undefined && OP_HOLDS[matcher.op](order);
    }
  }
};

const OP_HOLDS = { gt: (o: number) => o > 0, gte: (o: number) => o >= 0, lt: (o: number) => o < 0, lte: (o: number) => o <= 0 } as const;

const regexCache = new Map<string, RegExp | undefined>();

/** Compiled once per pattern; an invalid pattern (validation reports it) matches nothing. */
const regexOf = (pattern: string): RegExp | undefined => {
  if (!regexCache.has(pattern)) {
    let compiled: RegExp | undefined;
    try {
      compiled = new RegExp(pattern);
    } catch {
      compiled = undefined;
    }
    regexCache.set(pattern, compiled);
  }
  return regexCache.get(pattern);
};

/** The cell as a JavaScript number, for numeric columns and json numbers only. */
const numberOf = (actual: Exclude<Cell, null>, oid: number): number | undefined => {
  const family = typeFamily(oid);
  if (family === 'json') return typeof actual === 'number' ? actual : undefined;
  if (family !== 'integer' && family !== 'numeric' && family !== 'float') return undefined;
  return floatOf(cellText(actual));
};

/**
 * Sign of (actual - bound). Numbers compare as exact decimals (floats as numbers); timestamps and dates
 * compare as instants against a bound written as a date or timestamp string, a date being its midnight UTC.
 */
const compareToBound = (actual: Exclude<Cell, null>, oid: number, bound: number | string): number | undefined => {
  const family = typeFamily(oid);
  const text = cellText(actual);
  if (family === 'integer' || family === 'numeric' || (family === 'json' && typeof actual === 'number')) {
    const a = decimalOf(typeof actual === 'number' ? actual : text);
    const b = decimalOf(bound);
    return a && b ? compareDecimals(a, b) : undefined;
  }
  if (family === 'float') {
    const a = floatOf(text);
    const b = floatOf(bound);
    if (a === undefined || b === undefined || Number.isNaN(a) || Number.isNaN(b)) return undefined;
    return Math.sign(a - b) || 0;
  }
  if ((family === 'timestamptz' || family === 'timestamp' || family === 'date') && typeof bound === 'string') {
    const zoned = family !== 'timestamp';
    const a = timestampMicros(text, zoned);
    const b = timestampMicros(bound, zoned);
    return a === undefined || b === undefined ? undefined : a === b ? 0 : a < b ? -1 : 1;
  }
  return undefined;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const INTEGER = /^[+-]?\d+$/;

/** Decided by the column type; for text columns (and json values) by the content where it is unambiguous. */
const isOfType = (type: string, actual: Exclude<Cell, null>, oid: number): boolean => {
  const family = typeFamily(oid);
  const text = cellText(actual);
  const textual = family === 'text' || family === 'bpchar' || family === 'other';
  const json = family === 'json';
  switch (type) {
    case 'uuid':
      return family === 'uuid' || ((textual || (json && typeof actual === 'string')) && UUID.test(text));
    case 'integer':
      return (
        family === 'integer' ||
        ((family === 'numeric' || textual) && INTEGER.test(text.trim())) ||
        (json && typeof actual === 'number' && Number.isInteger(actual))
      );
    case 'number':
      return (
        family === 'integer' ||
        family === 'numeric' ||
        family === 'float' ||
        (textual && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim())) ||
        (json && typeof actual === 'number')
      );
    case 'string':
      return textual || family === 'uuid' || (json && typeof actual === 'string');
    case 'boolean':
      return family === 'bool' || (json && typeof actual === 'boolean') || (textual && /^(true|false)$/i.test(text));
    case 'timestamp': {
      const isTimestampText = (s: string): boolean => parseTimestamp(s)?.hasTime === true;
      return family === 'timestamptz' || family === 'timestamp' || ((textual || (json && typeof actual === 'string')) && isTimestampText(text));
    }
    case 'date':
      return family === 'date' || ((textual || (json && typeof actual === 'string')) && /^\d{4}-\d{2}-\d{2}$/.test(text) && parseTimestamp(text) !== undefined);
    case 'json':
      return json || (textual && looksLikeJsonContainer(text));
    case 'array':
      return family === 'array' || (json && Array.isArray(actual));
    default:
      return false;
  }
};

const looksLikeJsonContainer = (text: string): boolean => {
  if (!/^\s*[[{]/.test(text)) return false;
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};
