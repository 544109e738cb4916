/**
 * Dates, timestamps and times as PostgreSQL prints them in every DateStyle (ISO, SQL, Postgres, German, with
 * either day order) and as a person writes them (those forms, or ISO 8601 with `T` and `Z`), read into exact
 * microseconds. A timestamptz printed outside ISO carries a zone abbreviation (PST, CET, LMT...) instead of
 * an offset; it is resolved through a table of common abbreviations, else through the session's TimeZone
 * with the platform's time zone data, and when neither helps two values still compare by wall clock and
 * zone text.
 */
import type { OutputStyle } from '../db/query-result.ts';

/** Microseconds; timestamps at ±infinity are these sentinels, beyond any real timestamp. */
export const INFINITY_MICROS = 2n ** 100n;
const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_DAY = 86_400n * MICROS_PER_SECOND;

export type DateOrder = 'MDY' | 'DMY' | 'YMD';

/** The day order of a DateStyle setting ('ISO, MDY', 'German, DMY'); MDY is PostgreSQL's default. */
export const dateOrderOf = (style: OutputStyle | undefined): DateOrder => {
  const setting = style?.dateStyle.toUpperCase() ?? '';
  return setting.includes('DMY') ? 'DMY' : setting.includes('YMD') ? 'YMD' : 'MDY';
};

export type DateTimeText = {
  /** The written wall-clock time as microseconds since 1970-01-01 00:00 (zone not applied). */
  readonly wallMicros: bigint;
  /** False for a bare date. */
  readonly hasTime: boolean;
  /** The zone as written ('+05:30', 'PST', 'Z'), when one was. */
  readonly zone?: string;
};

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
export const fractionMicros = (fraction: string): bigint => {
  const micros = BigInt(fraction.slice(0, 6).padEnd(6, '0'));
  return fraction.length > 6 && fraction[6]! >= '5' ? micros + 1n : micros;
};

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const monthOf = (name: string): number => MONTHS.indexOf(name.slice(0, 3).toLowerCase()) + 1;

const TIME = String.raw`(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d*))?)?`;
const ZONE = String.raw`Z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?|[A-Za-z][A-Za-z0-9/_+-]*`;

type Fields = { y: string; mo: string; d: string; h?: string; mi?: string; s?: string; f?: string; zone?: string; weekday?: string };

const WEEKDAYS = ['thu', 'fri', 'sat', 'sun', 'mon', 'tue', 'wed'];

/** Each DateStyle's shape; groups are mapped to fields by the reader beside it. */
const READERS: readonly ((text: string, order: DateOrder) => Fields | null | undefined)[] = [
  // ISO (and ISO 8601): 1997-02-10 17:32:01.5-08, 1997-02-10T17:32:01Z
  (text) => {
    const m = new RegExp(String.raw`^(\d{4,})-(\d{2})-(\d{2})(?:[T ]${TIME})?\s*(${ZONE})?$`, 'i').exec(text);
    return m && { y: m[1]!, mo: m[2]!, d: m[3]!, h: m[4], mi: m[5], s: m[6], f: m[7], zone: m[8] };
  },
  // SQL: 02/10/1997 17:32:01.5 PST (10/02/1997 under DMY); German: 10.02.1997 17:32:01 PST
  (text, order) => {
    const m = new RegExp(String.raw`^(\d{1,2})([/.])(\d{1,2})\2(\d{4,})(?:\s+${TIME})?\s*(${ZONE})?$`, 'i').exec(text);
    if (!m) return undefined;
    const dayFirst = m[2] === '.' || order === 'DMY';
    return { y: m[4]!, mo: dayFirst ? m[3]! : m[1]!, d: dayFirst ? m[1]! : m[3]!, h: m[5], mi: m[6], s: m[7], f: m[8], zone: m[9] };
  },
  // Postgres, dates: 02-10-1997 (10-02-1997 under DMY)
  (text, order) => {
    const m = /^(\d{2})-(\d{2})-(\d{4,})$/.exec(text);
    return m && (order === 'DMY' ? { y: m[3]!, mo: m[2]!, d: m[1]! } : { y: m[3]!, mo: m[1]!, d: m[2]! });
  },
  // Postgres, timestamps: Mon Feb 10 17:32:01.5 1997 PST, or Mon 10 Feb ... under DMY
  (text) => {
    const m = new RegExp(
      String.raw`^(?:[a-z]{3,}\.?\s+)?(?:([a-z]{3,})\.?\s+(\d{1,2})|(\d{1,2})\s+([a-z]{3,})\.?)\s+${TIME}\s+(\d{4,})(?:\s+(${ZONE}))?$`,
      'i',
    ).exec(text);
    if (!m) return undefined;
    const month = monthOf(m[1] ?? m[4]!);
    const first = m[0].split(/\s+/)[0]!;
    // The first word is a day name when it is neither the month (MDY) nor the day of the month (DMY).
    const weekday = first !== (m[1] ?? m[3]) ? first.replace(/\.$/, '') : undefined;
    return month === 0 ? undefined : { y: m[9]!, mo: String(month), d: m[2] ?? m[3]!, h: m[5], mi: m[6], s: m[7], f: m[8], zone: m[10], weekday };
  },
];

/**
 * Reads a date or timestamp in any DateStyle (`order` decides 01/02 versus 02/01, as it does for PostgreSQL),
 * with ' BC' and ±infinity; undefined when it is none of them or names a day that does not exist.
 */
export const parseDateTime = (text: string, order: DateOrder = 'MDY'): DateTimeText | undefined => {
  let trimmed = text.trim();
  const infinity = /^([+-]?)infinity$/i.exec(trimmed);
  if (infinity) return { wallMicros: infinity[1] === '-' ? -INFINITY_MICROS : INFINITY_MICROS, hasTime: true };
  const bc = /\s+BC$/i.test(trimmed);
  if (bc) trimmed = trimmed.replace(/\s+BC$/i, '');
  let fields: Fields | undefined;
  for (const read of READERS) if ((fields = read(trimmed, order) ?? undefined)) break;
  if (!fields) return undefined;
  const year = bc ? 1 - Number(fields.y) : Number(fields.y);
  const [month, day, hour, minute, second] = [fields.mo, fields.d, fields.h ?? '0', fields.mi ?? '0', fields.s ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const fraction = fields.f ?? '';
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  if (hour > 24 || minute > 59 || second > 60 || (hour === 24 && (minute > 0 || second > 0 || /[1-9]/.test(fraction)))) return undefined;
  const days = daysFromCivil(year, month, day);
  // A day name, when written, must be that date's (PostgreSQL prints the right one; 1970-01-01 was a Thursday).
  if (fields.weekday !== undefined && WEEKDAYS[((days % 7) + 7) % 7] !== fields.weekday.slice(0, 3).toLowerCase()) return undefined;
  const wallMicros = BigInt(days) * MICROS_PER_DAY + BigInt(hour * 3600 + minute * 60 + second) * MICROS_PER_SECOND + fractionMicros(fraction);
  return { wallMicros, hasTime: fields.h !== undefined, ...(fields.zone === undefined ? {} : { zone: fields.zone }) };
};

// ---------------------------------------------------------------------------------------------------------
// Zones

/** Offsets (hours east) of abbreviations PostgreSQL's default set defines and that mean one thing only. */
const ABBREVIATIONS: ReadonlyMap<string, number> = new Map(
  Object.entries({
    Z: 0,
    UTC: 0,
    UT: 0,
    GMT: 0,
    PST: -8,
    PDT: -7,
    MST: -7,
    MDT: -6,
    CST: -6,
    CDT: -5,
    EST: -5,
    EDT: -4,
    AKST: -9,
    AKDT: -8,
    HST: -10,
    WET: 0,
    WEST: 1,
    CET: 1,
    CEST: 2,
    MET: 1,
    MEST: 2,
    EET: 2,
    EEST: 3,
    BST: 1,
    MSK: 3,
    JST: 9,
    KST: 9,
    AEST: 10,
    AEDT: 11,
    NZST: 12,
    NZDT: 13,
  }),
);

/** '+05:30', '+0530', '+05', '-8' -> seconds east; undefined when not numeric. */
const numericOffset = (zone: string): number | undefined => {
  const m = /^([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/.exec(zone);
  if (!m) return undefined;
  const seconds = Number(m[2]) * 3600 + Number(m[3] ?? '0') * 60 + Number(m[4] ?? '0');
  return m[1] === '-' ? -seconds : seconds;
};

/** Seconds east of a written zone: numeric, or an abbreviation of the table. */
const zoneOffset = (zone: string): number | undefined => {
  const hours = ABBREVIATIONS.get(zone.toUpperCase());
  return numericOffset(zone) ?? (hours === undefined ? undefined : hours * 3600);
};

/** The offset of `timeZone` at the UTC instant `utcMillis`, from the platform's time zone data. */
const platformOffset = (timeZone: string, utcMillis: number): number | undefined => {
  try {
    const name = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' })
      .formatToParts(new Date(utcMillis))
      .find((p) => p.type === 'timeZoneName')?.value;
    if (name === 'GMT') return 0;
    const offset = name === undefined ? undefined : numericOffset(name.replace(/^GMT/, ''));
    return offset;
  } catch {
    return undefined;
  }
};

/** The offset a wall-clock time has in `timeZone` (the earlier one when the clock is set back). */
const wallOffset = (timeZone: string, wallMicros: bigint): number | undefined => {
  // Beyond JavaScript's dates (year 275760) the zone's last known offset stands.
  const wallMillis = Math.max(-8.64e15 + 864e5, Math.min(8.64e15 - 864e5, Number(wallMicros / 1000n)));
  const first = platformOffset(timeZone, wallMillis);
  if (first === undefined) return undefined;
  const second = platformOffset(timeZone, wallMillis - first * 1000);
  return second ?? first;
};

/**
 * The UTC instant of a timestamptz text: the written offset or abbreviation applies; with no zone (or an
 * abbreviation no table knows) the session's TimeZone does, as when PostgreSQL reads it. Undefined when the
 * zone cannot be resolved.
 */
export const instantMicros = (parsed: DateTimeText, style: OutputStyle | undefined): bigint | undefined => {
  if (parsed.wallMicros === INFINITY_MICROS || parsed.wallMicros === -INFINITY_MICROS) return parsed.wallMicros;
  const zone = parsed.zone;
  let offset = zone === undefined ? undefined : zoneOffset(zone);
  // No zone, or LMT (local mean time, before a zone had standard time): the session zone's offset then.
  // Any other abbreviation no table knows stays unresolved: it compares only as written.
  if (offset === undefined && (zone === undefined || zone.toUpperCase() === 'LMT')) offset = wallOffset(style?.timeZone ?? 'UTC', parsed.wallMicros);
  return offset === undefined ? undefined : parsed.wallMicros - BigInt(offset) * MICROS_PER_SECOND;
};

/** timestamptz equality: the same wall clock in the same written zone, or the same instant. */
export const sameInstant = (a: DateTimeText, b: DateTimeText, style: OutputStyle | undefined): boolean => {
  if ((a.zone ?? '').toUpperCase() === (b.zone ?? '').toUpperCase()) return a.wallMicros === b.wallMicros;
  const ia = instantMicros(a, style);
  return ia !== undefined && ia === instantMicros(b, style);
};

// ---------------------------------------------------------------------------------------------------------
// Times of day

const TIME_OF_DAY = new RegExp(String.raw`^${TIME}\s*(Z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?$`, 'i');

/** A time (and a timetz's offset) as exact numbers: '12:00' is '12:00:00', 'Z' and '+00:00' are '+00'. */
export const parseTime = (text: string): { readonly micros: bigint; readonly offsetSeconds?: number } | undefined => {
  const m = TIME_OF_DAY.exec(text.trim());
  if (!m) return undefined;
  const [, h, mi, s = '0', fraction = '', zone] = m;
  const micros = BigInt(Number(h) * 3600 + Number(mi) * 60 + Number(s)) * MICROS_PER_SECOND + fractionMicros(fraction);
  if (micros > MICROS_PER_DAY) return undefined;
  if (zone === undefined) return { micros };
  return { micros, offsetSeconds: zone.toUpperCase() === 'Z' ? 0 : numericOffset(zone)! };
};

/** time and timetz equality as PostgreSQL's `=`: a timetz equals only the same time in the same offset. */
export const sameTime = (a: string, b: string): boolean => {
  const x = parseTime(a);
  const y = parseTime(b);
  return x !== undefined && y !== undefined && x.micros === y.micros && x.offsetSeconds === y.offsetSeconds;
};

/** A canonical key for a time or timetz text (the text itself when it does not read as one). */
export const timeKey = (text: string): string => {
  const t = parseTime(text);
  return t ? `${t.micros}@${t.offsetSeconds ?? ''}` : text;
};
