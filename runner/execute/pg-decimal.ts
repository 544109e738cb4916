/**
 * Exact decimals: numeric, integers, floats as printed, money amounts and the numbers a person writes in
 * YAML, all read from their text and never through a double. Order, equality and the little arithmetic the
 * `approx` matcher needs (a difference, compared with a tolerance) are exact too.
 */
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

/** The finite decimal as an integer scaled by 10^-exp (value = scaled × 10^exp). */
const scaledTo = (d: Decimal & { kind: 'finite' }, exp: number): bigint => (d.sign === 0 ? 0n : BigInt(d.sign) * BigInt(d.digits) * 10n ** BigInt(d.exp - exp));

/** Exponents further apart than this would build huge integers; such values are never within a tolerance anyway. */
const MAX_EXP_SPREAD = 4000;

/**
 * Is |a - b| <= tolerance? Exact for finite values; infinities are within any tolerance of an equal
 * infinity (as `x - x` is not defined for them, equality decides), NaN of nothing.
 */
export const withinTolerance = (a: Decimal, b: Decimal, tolerance: Decimal): boolean => {
  if (a.kind === 'nan' || b.kind === 'nan' || tolerance.kind === 'nan') return false;
  if (a.kind === 'infinity' || b.kind === 'infinity') return compareDecimals(a, b) === 0;
  if (tolerance.kind === 'infinity') return tolerance.sign > 0;
  if (tolerance.kind !== 'finite' || tolerance.sign < 0) return false;
  const finite = [a, b, tolerance] as const;
  const exps = finite.filter((d) => d.sign !== 0).map((d) => d.exp);
  const low = Math.min(0, ...exps);
  const high = Math.max(0, ...finite.filter((d) => d.sign !== 0).map((d) => d.exp + d.digits.length));
  if (high - low > MAX_EXP_SPREAD) return Math.abs(Number(decimalKey(a)) - Number(decimalKey(b))) <= Number(decimalKey(tolerance));
  const diff = scaledTo(a, low) - scaledTo(b, low);
  return (diff < 0n ? -diff : diff) <= scaledTo(tolerance, low);
};
