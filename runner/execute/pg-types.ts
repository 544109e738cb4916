/**
 * PostgreSQL's types as dbspec compares them: which family a column's type OID belongs to, and readers that
 * turn the server's text output (TimeZone UTC, DateStyle ISO, IntervalStyle postgres) into exact comparable
 * values. Nothing here goes through a float where PostgreSQL is exact: numerics become decimals, timestamps
 * microseconds as bigint. Pure; shared by value matching (expected vs actual) and result comparison.
 */

export type TypeFamily =
  | 'bool'
  | 'integer'
  | 'numeric'
  | 'float'
  | 'text'
  | 'bpchar'
  | 'uuid'
  | 'timestamptz'
  | 'timestamp'
  | 'date'
  | 'time'
  | 'timetz'
  | 'interval'
  | 'json'
  | 'bytea'
  | 'array'
  /** Enums, domains over unknown types, citext, inet, money, user types: compared as text. */
  | 'other';

const FAMILY_BY_OID: ReadonlyMap<number, TypeFamily> = new Map<number, TypeFamily>([
  [16, 'bool'],
  [21, 'integer'], // int2
  [23, 'integer'], // int4
  [20, 'integer'], // int8
  [26, 'integer'], // oid
  [28, 'integer'], // xid
  [1700, 'numeric'],
  [700, 'float'], // float4
  [701, 'float'], // float8
  [25, 'text'],
  [1043, 'text'], // varchar
  [19, 'text'], // name
  [18, 'text'], // "char"
  [705, 'text'], // unknown (an untyped literal in a select list)
  [142, 'text'], // xml
  [1042, 'bpchar'],
  [2950, 'uuid'],
  [1184, 'timestamptz'],
  [1114, 'timestamp'],
  [1082, 'date'],
  [1083, 'time'],
  [1266, 'timetz'],
  [1186, 'interval'],
  [114, 'json'],
  [3802, 'json'],
  [17, 'bytea'],
]);

/** Array type OID -> element type OID, for the built-in types (arrays of user types have dynamic OIDs). */
const ELEMENT_BY_ARRAY_OID: ReadonlyMap<number, number> = new Map([
  [1000, 16], // _bool
  [1005, 21], // _int2
  [1007, 23], // _int4
  [1016, 20], // _int8
  [1028, 26], // _oid
  [1231, 1700], // _numeric
  [1021, 700], // _float4
  [1022, 701], // _float8
  [1009, 25], // _text
  [1015, 1043], // _varchar
  [1003, 19], // _name
  [1002, 18], // _char
  [1014, 1042], // _bpchar
  [2951, 2950], // _uuid
  [1185, 1184], // _timestamptz
  [1115, 1114], // _timestamp
  [1182, 1082], // _date
  [1183, 1083], // _time
  [1270, 1266], // _timetz
  [1187, 1186], // _interval
  [199, 114], // _json
  [3807, 3802], // _jsonb
  [1001, 17], // _bytea
  [143, 142], // _xml
  [1041, 869], // _inet
  [651, 650], // _cidr
  [1040, 829], // _macaddr
  [791, 790], // _money
]);

export const typeFamily = (oid: number): TypeFamily => (ELEMENT_BY_ARRAY_OID.has(oid) ? 'array' : (FAMILY_BY_OID.get(oid) ?? 'other'));

/** The element type of a built-in array type, or undefined when `oid` is not one. */
export const arrayElementOid = (oid: number): number | undefined => ELEMENT_BY_ARRAY_OID.get(oid);

/** A text column's OID, the element type assumed for arrays of types this table does not know. */
export const TEXT_OID = 25;

// ---------------------------------------------------------------------------------------------------------
// Exact decimals (numeric, integers, and the decimal form of a JavaScript number)

/** `digits` × 10^`exp`, with no leading or trailing zeros in `digits` (zero is sign 0 with no digits). */
export type Decimal =
  | { readonly kind: 'finite'; readonly sign: -1 | 0 | 1; readonly digits: string; readonly exp: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'infinity'; readonly sign: -1 | 1 };

const DECIMAL = /^([+-]?)(\d*)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;

/** Reads '1.10', '-0.5', '1e3', '.5', 'NaN', 'Infinity', '-inf'; undefined for anything else. */
export const parseDecimal = (text: string): Decimal | undefined => {
  const trimmed = text.trim();
  const special = /^([+-]?)(nan|inf|infinity)$/i.exec(trimmed);
  if (special) return special[2]!.toLowerCase() === 'nan' ? { kind: 'nan' } : { kind: 'infinity', sign: special[1] === '-' ? -1 : 1 };
  const m = DECIMAL.exec(trimmed);
  if (!m) return undefined;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = m;
  if (whole === '' && fraction === '') return undefined;
  let digits = (whole + fraction).replace(/^0+/, '');
  let exp = Number(exponent) - fraction.length;
  const trailing = /0+$/.exec(digits)?.[0].length ?? 0;
  digits = digits.slice(0, digits.length - trailing);
  exp += trailing;
  if (digits === '') return { kind: 'finite', sign: 0, digits: '', exp: 0 };
  return { kind: 'finite', sign: sign === '-' ? -1 : 1, digits, exp };
};

/** A number is taken as its shortest round-trip text, the decimal a person wrote in YAML. */
export const decimalOf = (value: number | bigint | string): Decimal | undefined => {
  if (typeof value === 'number' && Number.isNaN(value)) return { kind: 'nan' };
  if (typeof value === 'number' && !Number.isFinite(value)) return { kind: 'infinity', sign: value < 0 ? -1 : 1 };
  return parseDecimal(String(value));
};

/** Order of two decimals; NaN equals NaN (as in PostgreSQL's numeric) but is unordered against the rest. */
export const compareDecimals = (a: Decimal, b: Decimal): number | undefined => {
  if (a.kind === 'nan' || b.kind === 'nan') return a.kind === b.kind ? 0 : undefined;
  const rank = (d: Decimal): number => (d.kind === 'infinity' ? d.sign * 2 : d.kind === 'finite' ? d.sign : 0);
  if (a.kind === 'infinity' || b.kind === 'infinity' || a.kind !== 'finite' || b.kind !== 'finite') return Math.sign(rank(a) - rank(b));
  if (a.sign !== b.sign) return Math.sign(a.sign - b.sign);
  if (a.sign === 0) return 0;
  // Same sign: compare magnitudes by the position of the leading digit, then digit by digit.
  const leadA = a.digits.length + a.exp;
  const leadB = b.digits.length + b.exp;
  let magnitude = Math.sign(leadA - leadB);
  if (magnitude === 0) {
    const width = Math.max(a.digits.length, b.digits.length);
    const da = a.digits.padEnd(width, '0');
    const db = b.digits.padEnd(width, '0');
    magnitude = da === db ? 0 : da < db ? -1 : 1;
  }
  return magnitude * a.sign;
};

/** A canonical text of a decimal: equal decimals, and only they, have equal keys. */
export const decimalKey = (d: Decimal): string =>
  d.kind === 'nan'
    ? 'NaN'
    : d.kind === 'infinity'
      ? d.sign < 0
        ? '-Infinity'
        : 'Infinity'
      : d.sign === 0
        ? '0'
        : `${d.sign < 0 ? '-' : ''}${d.digits}e${d.exp}`;

// ---------------------------------------------------------------------------------------------------------
// Dates and timestamps

/** Microseconds; timestamps at ±infinity are these sentinels, beyond any real timestamp. */
export const INFINITY_MICROS = 2n ** 100n;
const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

export type TimestampText = {
  /** The written wall-clock time as microseconds since 1970-01-01 00:00 (zone not applied). */
  readonly wallMicros: bigint;
  /** The written UTC offset in seconds east, when a zone was written. */
  readonly offsetSeconds?: number;
  /** False for a bare date. */
  readonly hasTime: boolean;
};

// PostgreSQL prints '2026-01-31 12:00:00.123456+00' (and '0044-03-15 00:00:00+00 BC'); ISO 8601 writes
// '2026-01-31T12:00:00Z' or '...+02:00'. Years may have more than four digits.
const TIMESTAMP = /^(\d{4,})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)?(\s+BC)?$/i;

/** Days since 1970-01-01 of a proleptic Gregorian date (astronomical years: 1 BC is year 0). */
const daysFromCivil = (year: number, month: number, day: number): number => {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
};

const daysInMonth = (year: number, month: number): number =>
  daysFromCivil(month === 12 ? year + 1 : year, month === 12 ? 1 : month + 1, 1) - daysFromCivil(year, month, 1);

/** Fractional seconds as microseconds, rounded half up at the sixth digit as PostgreSQL rounds input. */
const fractionMicros = (fraction: string): bigint => {
  const micros = BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  return fraction.length > 6 && fraction[6]! >= '5' ? micros + 1n : micros;
};

const offsetSecondsOf = (zone: string): number => {
  if (zone.toUpperCase() === 'Z') return 0;
  const body = zone.slice(1);
  // '+05:30', '+0530', '+05', '+5'
  const [h = '0', m = '0', s = '0'] = body.includes(':') ? body.split(':') : (body.match(/^\d{1,2}(?=(\d{2})*$)|\d{2}/g) ?? []);
  const seconds = Number(h) * 3600 + Number(m) * 60 + Number(s);
  return zone.startsWith('-') ? -seconds : seconds;
};

/** Reads PostgreSQL's output and ISO 8601 forms of a timestamp or a bare date; undefined when neither. */
export const parseTimestamp = (text: string): TimestampText | undefined => {
  const trimmed = text.trim();
  const infinity = /^([+-]?)infinity$/i.exec(trimmed);
  if (infinity) return { wallMicros: infinity[1] === '-' ? -INFINITY_MICROS : INFINITY_MICROS, hasTime: true };
  const m = TIMESTAMP.exec(trimmed);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s = '0', fraction = '', zone, bc] = m;
  const year = bc ? 1 - Number(y) : Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h ?? '0');
  const minute = Number(mi ?? '0');
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0 || /[1-9]/.test(fraction)))) return undefined;
  const wallMicros =
    BigInt(daysFromCivil(year, month, day)) * MICROS_PER_DAY + BigInt(hour * 3600 + minute * 60 + second) * MICROS_PER_SECOND + fractionMicros(fraction);
  return { wallMicros, hasTime: h !== undefined, ...(zone === undefined ? {} : { offsetSeconds: offsetSecondsOf(zone) }) };
};

/**
 * The instant a timestamp text stands for: with `zoned` (timestamptz) the written offset applies and no zone
 * means UTC; without (timestamp) the wall clock is the value and a written zone is ignored, as PostgreSQL
 * ignores it when it reads a timestamp without time zone.
 */
export const timestampMicros = (text: string, zoned: boolean): bigint | undefined => {
  const parsed = parseTimestamp(text);
  if (!parsed) return undefined;
  if (!zoned || parsed.offsetSeconds === undefined || parsed.wallMicros === INFINITY_MICROS || parsed.wallMicros === -INFINITY_MICROS) return parsed.wallMicros;
  return parsed.wallMicros - BigInt(parsed.offsetSeconds) * MICROS_PER_SECOND;
};

// ---------------------------------------------------------------------------------------------------------
// Times of day

const TIME = /^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d*))?)?\s*(Z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?$/i;

/** '12:00:00.500' and '12:00:00.5' read the same; '12:00' is '12:00:00'; 'Z' and '+00:00' are '+00'. */
export const normalizeTime = (text: string): string => {
  const trimmed = text.trim();
  const m = TIME.exec(trimmed);
  if (!m) return trimmed;
  const [, h, mi, s = '00', fraction = '', zone] = m;
  const frac = fraction.replace(/0+$/, '');
  const time = `${h!.padStart(2, '0')}:${mi}:${s}${frac === '' ? '' : `.${frac}`}`;
  if (zone === undefined) return time;
  const offset = offsetSecondsOf(zone);
  const abs = Math.abs(offset);
  const parts = [Math.floor(abs / 3600), Math.floor((abs % 3600) / 60), abs % 60].map((n) => String(n).padStart(2, '0'));
  const shown = abs % 60 !== 0 ? parts : Math.floor((abs % 3600) / 60) !== 0 ? parts.slice(0, 2) : parts.slice(0, 1);
  return `${time}${offset < 0 ? '-' : '+'}${shown.join(':')}`;
};

// ---------------------------------------------------------------------------------------------------------
// Intervals

export type IntervalValue = { readonly months: number; readonly days: number; readonly micros: bigint };

/** Seconds written as decimal text ('6', '-06.5') to microseconds, without a float. */
const secondsMicros = (text: string): bigint | undefined => {
  const m = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const micros = BigInt(m[2] || '0') * MICROS_PER_SECOND + fractionMicros(m[3] ?? '');
  return m[1] === '-' ? -micros : micros;
};

const INTERVAL_UNITS: ReadonlyMap<string, { readonly months?: number; readonly days?: number; readonly micros?: bigint }> = new Map(
  (
    [
      [['year', 'years', 'y', 'yr', 'yrs'], { months: 12 }],
      [['mon', 'mons', 'month', 'months'], { months: 1 }],
      [['week', 'weeks', 'w'], { days: 7 }],
      [['day', 'days', 'd'], { days: 1 }],
      [['hour', 'hours', 'h', 'hr', 'hrs'], { micros: 3600n * MICROS_PER_SECOND }],
      [['minute', 'minutes', 'min', 'mins', 'm'], { micros: 60n * MICROS_PER_SECOND }],
      [['second', 'seconds', 'sec', 'secs', 's'], { micros: MICROS_PER_SECOND }],
      [['millisecond', 'milliseconds', 'ms', 'msec', 'msecs'], { micros: 1000n }],
      [['microsecond', 'microseconds', 'us', 'usec', 'usecs'], { micros: 1n }],
    ] as const
  ).flatMap(([names, unit]) => names.map((name) => [name, unit] as const)),
);

/** One 'N unit' of PostgreSQL's interval text; calendar units must be whole (PostgreSQL prints them so). */
const addUnit = (total: IntervalValue, amount: string, unitName: string): IntervalValue | undefined => {
  const unit = INTERVAL_UNITS.get(unitName.toLowerCase());
  if (!unit) return undefined;
  if (unit.micros !== undefined) {
    // Sub-day units may be fractional: scale in microseconds exactly.
    const whole = secondsMicros(amount);
    if (whole === undefined) return undefined;
    return { ...total, micros: total.micros + (whole * unit.micros) / MICROS_PER_SECOND };
  }
  if (!/^[+-]?\d+$/.test(amount)) return undefined;
  return { months: total.months + Number(amount) * (unit.months ?? 0), days: total.days + Number(amount) * (unit.days ?? 0), micros: total.micros };
};

/** '-04:05:06.5' (hours may exceed 24). */
const clockMicros = (text: string): bigint | undefined => {
  const m = /^([+-]?)(\d+):(\d{2})(?::(\d{2}(?:\.\d*)?))?$/.exec(text);
  if (!m) return undefined;
  const micros = (BigInt(m[2]!) * 3600n + BigInt(m[3]!) * 60n) * MICROS_PER_SECOND + (secondsMicros(m[4] ?? '0') ?? 0n);
  return m[1] === '-' ? -micros : micros;
};

/** PostgreSQL's 'postgres' style: '1 year 2 mons -3 days +04:05:06.5', '00:00:00'; also '2 hours 30 minutes'. */
const parsePostgresInterval = (text: string): IntervalValue | undefined => {
  const tokens = text.trim().split(/\s+/);
  let total: IntervalValue | undefined = { months: 0, days: 0, micros: 0n };
  for (let i = 0; i < tokens.length && total; i++) {
    const token = tokens[i]!;
    const clock = clockMicros(token);
    if (clock !== undefined) total = { ...total, micros: total.micros + clock };
    else if (i + 1 < tokens.length) total = addUnit(total, token, tokens[++i]!);
    else {
      // '5days' written without a space
      const glued = /^([+-]?[\d.]+)([a-z]+)$/i.exec(token);
      total = glued ? addUnit(total, glued[1]!, glued[2]!) : undefined;
    }
  }
  return total;
};

const ISO_DURATION =
  /^([+-])?P(?:([+-]?\d+)Y)?(?:([+-]?\d+)M)?(?:([+-]?\d+)W)?(?:([+-]?\d+)D)?(?:T(?:([+-]?\d+(?:[.,]\d+)?)H)?(?:([+-]?\d+(?:[.,]\d+)?)M)?(?:([+-]?\d+(?:[.,]\d+)?)S)?)?$/i;

/** ISO 8601 durations: 'P1D', 'PT2H', 'P1Y2M3DT4H5M6.5S', '-P1D'. */
const parseIsoDuration = (text: string): IntervalValue | undefined => {
  const m = ISO_DURATION.exec(text.trim());
  if (!m || /^[+-]?PT?$/i.test(text.trim())) return undefined;
  const [, sign, y, mo, w, d, h, mi, s] = m;
  const n = (v: string | undefined): number => Number(v ?? '0');
  const part = (v: string | undefined, perUnit: bigint): bigint => ((secondsMicros((v ?? '0').replace(',', '.')) ?? 0n) * perUnit) / MICROS_PER_SECOND;
  const value = {
    months: n(y) * 12 + n(mo),
    days: n(w) * 7 + n(d),
    micros: part(h, 3600n * MICROS_PER_SECOND) + part(mi, 60n * MICROS_PER_SECOND) + part(s, MICROS_PER_SECOND),
  };
  return sign === '-' ? { months: -value.months, days: -value.days, micros: -value.micros } : value;
};

/** An interval as (months, days, microseconds), the fields PostgreSQL keeps; undefined when unreadable. */
export const parseInterval = (text: string): IntervalValue | undefined => (/^[+-]?P/i.test(text.trim()) ? parseIsoDuration(text) : parsePostgresInterval(text));

export const intervalKey = (v: IntervalValue): string => `${v.months}m${v.days}d${v.micros}us`;

// ---------------------------------------------------------------------------------------------------------
// Arrays

/** A parsed array literal: element texts (null for NULL) and nested arrays for more dimensions. */
export type PgArray = readonly (string | null | PgArray)[];

/**
 * Reads PostgreSQL's array output: '{1,2,NULL}', '{"a b","q\"x",NULL}', '{{1,2},{3,4}}', '{}', and
 * '[0:1]={1,2}' (a lower bound other than 1; the bounds are not compared). Undefined when malformed.
 */
export const parseArrayLiteral = (text: string, delimiter = ','): PgArray | undefined => {
  const source = text.trim().replace(/^(\[-?\d+:-?\d+\])+=/, '');
  let pos = 0;
  const skipSpace = (): void => {
    while (pos < source.length && /\s/.test(source[pos]!)) pos++;
  };
  const readArray = (): PgArray | undefined => {
    if (source[pos] !== '{') return undefined;
    pos++;
    const items: (string | null | PgArray)[] = [];
    skipSpace();
    if (source[pos] === '}') {
      pos++;
      return items;
    }
    for (;;) {
      skipSpace();
      const item = readItem();
      if (item === undefined) return undefined;
      items.push(item);
      skipSpace();
      const next = source[pos++];
      if (next === '}') return items;
      if (next !== delimiter) return undefined;
    }
  };
  const readItem = (): string | null | PgArray | undefined => {
    if (source[pos] === '{') return readArray();
    if (source[pos] === '"') {
      let value = '';
      for (pos++; pos < source.length; pos++) {
        const c = source[pos]!;
        if (c === '"') {
          pos++;
          return value;
        }
        if (c === '\\') pos++;
        value += source[pos] ?? '';
      }
      return undefined;
    }
    let value = '';
    while (pos < source.length && source[pos] !== delimiter && source[pos] !== '}') {
      if (source[pos] === '\\') pos++;
      value += source[pos++] ?? '';
    }
    value = value.trimEnd();
    if (value === '') return undefined;
    return value.toUpperCase() === 'NULL' ? null : value;
  };
  const result = readArray();
  skipSpace();
  return result !== undefined && pos === source.length ? result : undefined;
};

// ---------------------------------------------------------------------------------------------------------
// JSON

/** JSON as read from a cell or written in YAML (YAML integers arrive as bigint). */
export type JsonLike = null | boolean | number | bigint | string | readonly JsonLike[] | { readonly [key: string]: JsonLike };

/** Canonical text of a JSON value: object keys sorted, numbers by decimal value (1.0 and 1 are equal). */
export const canonicalJson = (value: JsonLike): string => {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'bigint') return `#${decimalKey(decimalOf(value)!)}`;
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const object = value as { readonly [key: string]: JsonLike };
  const keys = Object.keys(object).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(object[k]!)}`).join(',')}}`;
};
