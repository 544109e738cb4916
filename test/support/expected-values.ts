/**
 * Expected values as tests write them: YAML text read the way the spec loader reads it, and the type OIDs
 * of the cells they are matched against. Shared by the match-* and type-fidelity tests.
 */
import { LineCounter, parse, parseDocument } from 'yaml';
import type { Diagnostic } from '../../runner/diagnostics.ts';
import { buildExpectedValue } from '../../runner/spec/matchers.ts';
import type { ExpectedValue, YamlValue } from '../../runner/spec/types.ts';

const LOC = { file: 'test.spec.yaml', line: 3, column: 7 };

/** A YAML snippet as the spec loader reads it (integers as bigint). */
export const yamlValue = (text: string): YamlValue => parse(text, { intAsBigInt: true }) as YamlValue;

/** What the spec loader makes of a written value: a matcher map becomes a Matcher, anything else a plain value. */
export const expectedOf = (value: YamlValue): ExpectedValue => {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const v = value as Record<string, YamlValue>;
    const num = (x: YamlValue): string => String(x);
    const bound = (x: YamlValue): string => String(x);
    if (v.any === true) return { matcher: 'any', loc: LOC };
    // yaml's parse() turns the key `null` into '' (a null key); `"null"` stays 'null'.
    if (v.null === true || v[''] === true) return { matcher: 'null', loc: LOC };
    if (v.not_null === true) return { matcher: 'not_null', loc: LOC };
    if (typeof v.regex === 'string') return { matcher: 'regex', pattern: v.regex, loc: LOC };
    if (typeof v.type === 'string' && Object.keys(v).length === 1) return { matcher: 'type', type: v.type, loc: LOC };
    if ('approx' in v) return { matcher: 'approx', value: num(v.approx!), tolerance: num(v.tolerance!), loc: LOC };
    for (const op of ['gt', 'gte', 'lt', 'lte'] as const) if (op in v) return { matcher: 'compare', op, value: bound(v[op]!), loc: LOC };
    if ('json' in v && Object.keys(v).length === 1) return { matcher: 'json', value: v.json!, loc: LOC };
  }
  return { value, loc: LOC };
};

/** A YAML cell as the spec loader reads it (decimals keep their source text, matchers built and checked). */
export const ev = (yaml: string): ExpectedValue => {
  const lineCounter = new LineCounter();
  const text = `cell: ${yaml}\n`;
  const doc = parseDocument(text, { lineCounter, uniqueKeys: false, intAsBigInt: true, schema: 'core', strict: true });
  const node = (doc.contents as { items: { value: unknown }[] }).items[0]!.value;
  const out: Diagnostic[] = [];
  const value = buildExpectedValue({ file: 'cell.yaml', text, lineCounter }, node, 'cell', out);
  return value ?? expectedOf(yamlValue(yaml));
};

export const OID = {
  bool: 16,
  int2: 21,
  int4: 23,
  int8: 20,
  oid: 26,
  numeric: 1700,
  float4: 700,
  float8: 701,
  text: 25,
  varchar: 1043,
  bpchar: 1042,
  name: 19,
  uuid: 2950,
  timestamptz: 1184,
  timestamp: 1114,
  date: 1082,
  time: 1083,
  timetz: 1266,
  interval: 1186,
  json: 114,
  jsonb: 3802,
  bytea: 17,
  _bool: 1000,
  _int4: 1007,
  _int8: 1016,
  _text: 1009,
  _varchar: 1015,
  _numeric: 1231,
  _uuid: 2951,
  _float8: 1022,
  _timestamptz: 1185,
  _date: 1182,
  _jsonb: 3807,
  enum: 91234,
} as const;
