/**
 * Intervals in every IntervalStyle PostgreSQL prints (postgres, postgres_verbose, sql_standard, iso_8601) and
 * the forms a person writes ('2 hours 30 minutes', 'P1D', '1.5 days'), read into one exact number:
 * PostgreSQL's interval `=` compares months as 30 days and days as 24 hours, so '1 mon' = '30 days' and
 * '1 day' = '24:00:00'. The total in microseconds is that comparison's key.
 */
import { fractionMicros } from './pg-datetime.ts';

const MICROS_PER_SECOND = 1_000_000n;
const DAY = 86_400n * MICROS_PER_SECOND;
const MONTH = 30n * DAY;

/** ±infinity (PostgreSQL 17 and later), beyond any finite interval. */
const INFINITE = 2n ** 120n;

/** A decimal amount ('6', '-06.5', '.5') times a unit in microseconds, exact to the microsecond. */
const scaled = (amount: string, unit: bigint): bigint | undefined => {
  const m = /^([+-]?)(\d*)(?:[.,](\d*))?$/.exec(amount);
  if (!m || (m[2] === '' && (m[3] ?? '') === '')) return undefined;
  const fraction = m[3] ?? '';
  const whole = BigInt(m[2] || '0') * unit;
  // The fraction's share, rounded to the microsecond as PostgreSQL rounds input.
  const part = fraction === '' ? 0n : (BigInt(fraction) * unit * 2n + 10n ** BigInt(fraction.length)) / (2n * 10n ** BigInt(fraction.length));
  const micros = whole + (unit === MICROS_PER_SECOND ? fractionMicros(fraction) : part);
  return m[1] === '-' ? -micros : micros;
};

const UNITS: ReadonlyMap<string, bigint> = new Map(
  (
    [
      [['millennium', 'millennia', 'millenniums', 'mil', 'mils'], 1000n * 12n * MONTH],
      [['century', 'centuries', 'cent', 'c'], 100n * 12n * MONTH],
      [['decade', 'decades', 'dec', 'decs'], 10n * 12n * MONTH],
      [['year', 'years', 'y', 'yr', 'yrs'], 12n * MONTH],
      [['mon', 'mons', 'month', 'months'], MONTH],
      [['week', 'weeks', 'w'], 7n * DAY],
      [['day', 'days', 'd'], DAY],
      [['hour', 'hours', 'h', 'hr', 'hrs'], 3600n * MICROS_PER_SECOND],
      [['minute', 'minutes', 'min', 'mins', 'm'], 60n * MICROS_PER_SECOND],
      [['second', 'seconds', 'sec', 'secs', 's'], MICROS_PER_SECOND],
      [['millisecond', 'milliseconds', 'ms', 'msec', 'msecs'], 1000n],
      [['microsecond', 'microseconds', 'us', 'usec', 'usecs'], 1n],
    ] as const
  ).flatMap(([names, unit]) => names.map((name) => [name, unit] as const)),
);

/** '-04:05:06.5', '4:05', '100:00:00' (hours may exceed 24). */
const clockMicros = (text: string): bigint | undefined => {
  const m = /^([+-]?)(\d+):(\d{1,2})(?::(\d{1,2}(?:[.,]\d*)?))?$/.exec(text);
  if (!m) return undefined;
  const micros = (BigInt(m[2]!) * 3600n + BigInt(m[3]!) * 60n) * MICROS_PER_SECOND + (scaled(m[4] ?? '0', MICROS_PER_SECOND) ?? 0n);
  return m[1] === '-' ? -micros : micros;
};

/** 'postgres' and 'postgres_verbose': '1 year 2 mons -3 days +04:05:06.5', '@ 1 day 2 hours ago', '@ 0'. */
const parseUnits = (text: string): bigint | undefined => {
  let body = text.trim().replace(/^@\s*/, '');
  const ago = /\s*\bago$/i.test(body);
  if (ago) body = body.replace(/\s*\bago$/i, '');
  if (body === '') return undefined;
  const tokens = body.split(/\s+/);
  let total = 0n;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const clock = clockMicros(token);
    let part: bigint | undefined;
    if (clock !== undefined) part = clock;
    else if (i + 1 < tokens.length && UNITS.has(tokens[i + 1]!.toLowerCase())) part = scaled(token, UNITS.get(tokens[++i]!.toLowerCase())!);
    else if (tokens.length === 1 && /^[+-]?[\d.]+$/.test(token)) part = scaled(token, MICROS_PER_SECOND);
    else {
      // '5days' written without a space
      const glued = /^([+-]?[\d.]+)([a-z]+)$/i.exec(token);
      const unit = glued ? UNITS.get(glued[2]!.toLowerCase()) : undefined;
      part = unit === undefined ? undefined : scaled(glued![1]!, unit);
    }
    if (part === undefined) return undefined;
    total += part;
  }
  return ago ? -total : total;
};

/** 'sql_standard': '1-2', '3 4:05:06', '-1-2', '+1-2 -3 +4:05:06'. A lone leading sign applies to all fields. */
const parseSqlStandard = (text: string): bigint | undefined => {
  const tokens = text.trim().split(/\s+/);
  const m = /^(?:([+-]?\d+-\d+)\s*)?(?:([+-]?\d+)\s+)?([+-]?\d+:\d{1,2}(?::\d{1,2}(?:[.,]\d*)?)?)?$/.exec(tokens.join(' '));
  if (!m || (m[1] === undefined && m[3] === undefined)) return undefined;
  const signed = tokens.slice(1).some((t) => /^[+-]/.test(t));
  const lead = !signed && tokens[0]!.startsWith('-') ? -1n : 1n;
  const unsign = (t: string): string => (signed ? t : t.replace(/^[+-]/, ''));
  const [, yearMonth, days, clock] = m;
  let total = 0n;
  if (yearMonth !== undefined) {
    const [, sign, years, months] = /^([+-]?)(\d+)-(\d+)$/.exec(yearMonth)!;
    const value = BigInt(years!) * 12n * MONTH + BigInt(months!) * MONTH;
    total += signed && sign === '-' ? -value : value;
  }
  if (days !== undefined) total += BigInt(unsign(days)) * DAY;
  if (clock !== undefined) total += clockMicros(unsign(clock))!;
  return lead * total;
};

const ISO_DURATION =
  /^([+-])?P(?:([+-]?[\d.,]+)Y)?(?:([+-]?[\d.,]+)M)?(?:([+-]?[\d.,]+)W)?(?:([+-]?[\d.,]+)D)?(?:T(?:([+-]?[\d.,]+)H)?(?:([+-]?[\d.,]+)M)?(?:([+-]?[\d.,]+)S)?)?$/i;

/** 'iso_8601' and ISO 8601 durations: 'P1Y2M3DT4H5M6.5S', 'PT0S', 'P-1Y-2M3DT-4H', '-P1D'. */
const parseIsoDuration = (text: string): bigint | undefined => {
  const trimmed = text.trim();
  const m = ISO_DURATION.exec(trimmed);
  if (!m || /^[+-]?PT?$/i.test(trimmed)) return undefined;
  const units = [12n * MONTH, MONTH, 7n * DAY, DAY, 3600n * MICROS_PER_SECOND, 60n * MICROS_PER_SECOND, MICROS_PER_SECOND];
  let total = 0n;
  for (const [k, unit] of units.entries()) {
    const amount = m[k + 2];
    if (amount === undefined) continue;
    const part = scaled(amount, unit);
    if (part === undefined) return undefined;
    total += part;
  }
  return m[1] === '-' ? -total : total;
};

/** An interval's value as PostgreSQL's `=` sees it, in microseconds; undefined when the text is none of the forms. */
export const intervalMicros = (text: string): bigint | undefined => {
  const trimmed = text.trim();
  const infinity = /^([+-]?)infinity$/i.exec(trimmed);
  if (infinity) return infinity[1] === '-' ? -INFINITE : INFINITE;
  if (/^[+-]?P/i.test(trimmed)) return parseIsoDuration(trimmed);
  return parseUnits(trimmed) ?? parseSqlStandard(trimmed);
};

/** A canonical key: equal intervals, and only they, have equal keys (unreadable text keys as itself). */
export const intervalKey = (text: string): string => {
  const micros = intervalMicros(text);
  return micros === undefined ? `text:${text}` : `${micros}us`;
};
