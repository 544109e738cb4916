/**
 * PostgreSQL's types as dbspec compares them: which family a column's type OID belongs to, and the reader of
 * array literals. The readers of each family's text live beside it: pg-decimal (numbers), pg-datetime,
 * pg-interval, pg-json. Pure; shared by value matching (expected vs actual) and result comparison.
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
  | 'money'
  /** inet, cidr, macaddr, macaddr8: hexadecimal digits in either case. */
  | 'address'
  | 'array'
  /** Enums, ranges, geometric types, tsvector, bit strings, composites, user types: compared as text. */
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
  [790, 'money'],
  [869, 'address'], // inet
  [650, 'address'], // cidr
  [829, 'address'], // macaddr
  [774, 'address'], // macaddr8
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
  [775, 774], // _macaddr8
  [1017, 600], // _point
  [1018, 601], // _lseg
  [1019, 602], // _path
  [1020, 603], // _box (elements separated by ';')
  [1027, 604], // _polygon
  [629, 628], // _line
  [719, 718], // _circle
  [1561, 1560], // _bit
  [1563, 1562], // _varbit
  [3643, 3614], // _tsvector
  [3645, 3615], // _tsquery
  [3905, 3904], // _int4range
  [3927, 3926], // _int8range
  [3907, 3906], // _numrange
  [3913, 3912], // _daterange
  [3909, 3908], // _tsrange
  [3911, 3910], // _tstzrange
  [2287, 2249], // _record
]);

/** Array elements are separated by commas, except for box, whose own text holds commas. */
export const arrayDelimiter = (elementOid: number): string => (elementOid === 603 ? ';' : ',');

export const typeFamily = (oid: number): TypeFamily => (ELEMENT_BY_ARRAY_OID.has(oid) ? 'array' : (FAMILY_BY_OID.get(oid) ?? 'other'));

/** The element type of a built-in array type, or undefined when `oid` is not one. */
export const arrayElementOid = (oid: number): number | undefined => ELEMENT_BY_ARRAY_OID.get(oid);

/** A text column's OID, the element type assumed for arrays of types this table does not know. */
export const TEXT_OID = 25;

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
