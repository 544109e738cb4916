/**
 * Matchers in place of a plain expected value: any, null, not_null, regex, type, approx, gt/gte/lt/lte and
 * json. Numbers compare as exact decimals from the text written in YAML and the text PostgreSQL printed.
 */
import type { OutputStyle } from '../db/query-result.ts';
import { type Cell, UUID_TEXT } from '../values/cell.ts';
import type { Matcher } from '../spec/types.ts';
import { cellText, matchJson, matchValue, moneyDecimal } from './match-value.ts';
import { compareDecimals, parseDecimal, withinTolerance, type Decimal } from './pg-decimal.ts';
import { dateOrderOf, instantMicros, parseDateTime } from './pg-datetime.ts';
import { parseJson } from './pg-json.ts';
import { typeFamily } from './pg-types.ts';

// The circular import with match-value.ts is safe: each only calls the other's functions at match time.
export const matchMatcher = (matcher: Matcher, actual: Cell, oid: number, style: OutputStyle | undefined): boolean => {
  switch (matcher.matcher) {
    case 'any':
      return true;
    case 'null':
      return actual === null;
    case 'not_null':
      return actual !== null;
    case 'json':
      // A literal JSON value, `{ json: null }` included: never SQL NULL.
      if (actual === null) return false;
      return typeFamily(oid) === 'json' ? matchJson(matcher.value, cellText(actual), oid === 114, false) : plainJsonFallback(matcher, actual, oid, style);
  }
  if (actual === null) return false;
  switch (matcher.matcher) {
    case 'regex':
      return regexOf(matcher.pattern)?.test(regexSubject(cellText(actual), oid)) ?? false;
    case 'type':
      return isOfType(matcher.type, cellText(actual), oid, style);
    case 'approx': {
      const a = numericCell(cellText(actual), oid);
      const v = parseDecimal(matcher.value);
      const t = parseDecimal(matcher.tolerance);
      return a !== undefined && v !== undefined && t !== undefined && withinTolerance(a, v, t);
    }
    case 'compare': {
      const order = compareToBound(cellText(actual), oid, matcher.value, style);
      return order !== undefined && OP_HOLDS[matcher.op](order);
    }
  }
};

/** `{ json: ... }` on a column that is not json: the value compares as a plain value would. */
const plainJsonFallback = (matcher: Matcher & { matcher: 'json' }, actual: Cell, oid: number, style: OutputStyle | undefined): boolean =>
  matchValue({ value: matcher.value, loc: NOWHERE }, actual, oid, style);

const NOWHERE = { file: '', line: 0, column: 0 };

/** A regex reads the text PostgreSQL printed; a JSON string scalar's text is its value, unquoted. */
const regexSubject = (text: string, oid: number): string => {
  if (typeFamily(oid) !== 'json') return text;
  const node = parseJson(text);
  return node?.kind === 'string' ? node.value : text;
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

/** The cell as an exact decimal, for numeric columns (floats as printed, money's amount) and json numbers. */
const numericCell = (text: string, oid: number): Decimal | undefined => {
  switch (typeFamily(oid)) {
    case 'integer':
    case 'numeric':
    case 'float':
      return parseDecimal(text);
    case 'money':
      return moneyDecimal(text);
    case 'json':
      return parseJson(text)?.kind === 'number' ? parseDecimal(text) : undefined;
    default:
      return undefined;
  }
};

/**
 * Sign of (actual - bound). Numbers compare as exact decimals (NaN with nothing); timestamps and dates
 * compare as instants against a bound written as a date or timestamp, read in the session's DateStyle.
 */
const compareToBound = (text: string, oid: number, bound: string, style: OutputStyle | undefined): number | undefined => {
  const family = typeFamily(oid);
  const a = numericCell(text, oid);
  if (a !== undefined) {
    const b = parseDecimal(bound);
    if (family === 'float' && (a.kind === 'nan' || b?.kind === 'nan')) return undefined;
    return b ? compareDecimals(a, b) : undefined;
  }
  if (family === 'timestamptz' || family === 'timestamp' || family === 'date') {
    const order = dateOrderOf(style);
    const x = parseDateTime(text, order);
    const y = parseDateTime(bound, order);
    if (!x || !y) return undefined;
    const [ia, ib] = family === 'timestamptz' ? [instantMicros(x, style), instantMicros(y, style)] : [x.wallMicros, y.wallMicros];
    return ia === undefined || ib === undefined ? undefined : ia === ib ? 0 : ia < ib ? -1 : 1;
  }
  return undefined;
};

const INTEGER = /^[+-]?\d+$/;

/** Decided by the column type; for text columns (and json values) by the content where it is unambiguous. */
const isOfType = (type: string, text: string, oid: number, style: OutputStyle | undefined): boolean => {
  const family = typeFamily(oid);
  const textual = family === 'text' || family === 'bpchar' || family === 'other';
  const json = family === 'json' ? parseJson(text) : undefined;
  const jsonString = json?.kind === 'string' ? json.value : undefined;
  const content = textual ? text : jsonString;
  switch (type) {
    case 'uuid':
      return family === 'uuid' || (content !== undefined && UUID_TEXT.test(content));
    case 'integer':
      return family === 'integer' || ((family === 'numeric' || textual) && INTEGER.test(text.trim())) || (json?.kind === 'number' && INTEGER.test(text.trim()));
    case 'number':
      return (
        family === 'integer' ||
        family === 'numeric' ||
        family === 'float' ||
        (textual && /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(text.trim())) ||
        json?.kind === 'number'
      );
    case 'string':
      return textual || family === 'uuid' || json?.kind === 'string';
    case 'boolean':
      return family === 'bool' || json?.kind === 'bool' || (textual && /^(true|false)$/i.test(text));
    case 'timestamp':
      return family === 'timestamptz' || family === 'timestamp' || (content !== undefined && parseDateTime(content, dateOrderOf(style))?.hasTime === true);
    case 'date':
      return family === 'date' || (content !== undefined && /^\d{4}-\d{2}-\d{2}$/.test(content) && parseDateTime(content) !== undefined);
    case 'json':
      return family === 'json' || (textual && /^\s*[[{]/.test(text) && parseJson(text) !== undefined);
    case 'array':
      return family === 'array' || json?.kind === 'array';
    default:
      return false;
  }
};
