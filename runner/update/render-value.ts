/**
 * An actual cell -> the YAML text that dbspec reads back as an expected value matching it, written in a
 * flow map (`{ col: value }`). The column type decides the form: booleans and integers plain, numerics as
 * quoted exact decimals, json as flow maps, arrays as flow lists. A value equal to a variable becomes
 * `"${name}"`; a value that differs every run and no variable explains (a generated uuid, a timestamp of
 * the run) becomes a `{ type: ... }` matcher, so the recorded expectation holds on the next run too.
 */
import { type Cell, UUID_TEXT } from '../values/cell.ts';
import { MATCHER_KEYS } from '../spec/matchers.ts';
import type { YamlValue } from '../spec/types.ts';
import { matchValue } from '../execute/match-value.ts';
import { instantMicros, parseDateTime } from '../execute/pg-datetime.ts';
import { type JsonNode, parseJson } from '../execute/pg-json.ts';
import { arrayElementOid, parseArrayLiteral, TEXT_OID, typeFamily, type PgArray } from '../execute/pg-types.ts';

/** A variable the recorded value may be written as: name and value, in order of preference. */
export type KnownVariable = { readonly name: string; readonly value: YamlValue };

export type RenderContext = {
  readonly variables: readonly KnownVariable[];
  /** When the value was observed; timestamps this close to it are the run's own, not data. */
  readonly observedAt: Date;
};

/** A timestamp within this much of the run is taken as written by the run (now(), a default). */
const RUN_WINDOW_MS = 15 * 60_000;

/** Too short or too common a value would turn `1` or `true` into a variable by coincidence. */
const distinctive = (value: YamlValue): boolean =>
  (typeof value === 'string' && value.length >= 6) ||
  (typeof value === 'bigint' && (value >= 100_000n || value <= -100_000n)) ||
  (typeof value === 'number' && Math.abs(value) >= 100_000);

/** Plain YAML scalars that read back as the same string in a flow map under the core schema. */
const plainSafe = (text: string): boolean => /^[A-Za-z_][A-Za-z0-9_ .@/+-]*$/.test(text) && !/ $/.test(text) && !/^(null|true|false)$/i.test(text);

/** JSON's escapes are YAML's; YAML additionally wants C1 control characters escaped. */
const quoted = (text: string): string => JSON.stringify(text).replace(/[\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** A string value: plain when safe, double-quoted otherwise. (Text that itself holds `${...}` would read back as a reference.) */
export const yamlString = (text: string): string => (plainSafe(text) ? text : quoted(text));

export const yamlKey = (key: string): string => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && plainSafe(key) ? key : quoted(key));

/** A JSON tree as YAML: numbers with every digit as PostgreSQL printed them, so they read back exactly. */
const jsonText = (node: JsonNode): string => {
  switch (node.kind) {
    case 'null':
    case 'bool':
      // JSON spells these as YAML does.
      return node.kind === 'null' ? 'null' : String(node.value);
    case 'number':
      return node.text;
    case 'string':
      return yamlString(node.value);
    case 'array':
      return `[${node.items.map(jsonText).join(', ')}]`;
    case 'object':
      if (node.entries.length === 0) return '{}';
      return `{ ${node.entries.map(([k, v]) => `${yamlKey(k)}: ${jsonText(v)}`).join(', ')} }`;
  }
};

/** Duplicate keys (json keeps them) have no YAML map: such a value is written as its JSON text. */
const hasDuplicateKeys = (node: JsonNode): boolean =>
  node.kind === 'array'
    ? node.items.some(hasDuplicateKeys)
    : node.kind === 'object' && (new Set(node.entries.map(([k]) => k)).size !== node.entries.length || node.entries.some(([, v]) => hasDuplicateKeys(v)));

/** A json value as YAML; JSON null is the text 'null' (YAML null means SQL NULL); a map that reads as a matcher is wrapped in `{ json: ... }`. */
const jsonValue = (text: string): string => {
  const node = parseJson(text);
  if (!node || node.kind === 'null' || hasDuplicateKeys(node)) return quoted(text);
  if (node.kind === 'object' && node.entries.length > 0 && node.entries.every(([k]) => MATCHER_KEYS.has(k))) return `{ json: ${jsonText(node)} }`;
  return jsonText(node);
};

const integerText = (text: string): string => (/^-?\d+$/.test(text.trim()) ? text.trim() : quoted(text));

const floatText = (text: string): string => (/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text) && String(Number(text)) === text ? text : quoted(text));

const elementText = (element: string | null | PgArray, elementOid: number): string => {
  if (element === null) return 'null';
  if (Array.isArray(element)) return `[${element.map((e) => elementText(e as string | null | PgArray, elementOid)).join(', ')}]`;
  return literalText(element as string, elementOid);
};

/** A non-null cell as a literal of its type, with no variable or matcher involved. */
const literalText = (cell: Exclude<Cell, null>, oid: number): string => {
  const family = typeFamily(oid);
  const text = typeof cell === 'string' ? cell : JSON.stringify(cell);
  if (family === 'json') return jsonValue(text);
  switch (family) {
    case 'bool':
      return text === 't' || text === 'true' ? 'true' : text === 'f' || text === 'false' ? 'false' : quoted(text);
    case 'integer':
      return integerText(text);
    case 'float':
      return floatText(text);
    case 'array': {
      const parsed = parseArrayLiteral(text);
      return parsed ? `[${parsed.map((e) => elementText(e, arrayElementOid(oid) ?? TEXT_OID)).join(', ')}]` : quoted(text);
    }
    case 'other': {
      const parsed = text.startsWith('{') ? parseArrayLiteral(text) : undefined;
      return parsed ? `[${parsed.map((e) => elementText(e, TEXT_OID)).join(', ')}]` : yamlString(text);
    }
    case 'numeric':
      // Quoted, so that YAML never reads it through a float: "12.50" stays exact.
      return quoted(text);
    default:
      return yamlString(text);
  }
};

/** `${name}` when a variable's value is exactly this cell (by the column type's rules). */
const wholeVariable = (cell: Cell, oid: number, context: RenderContext): string | undefined => {
  for (const v of context.variables) {
    if (!distinctive(v.value)) continue;
    if (matchValue({ value: v.value, loc: { file: '', line: 0, column: 0 } }, cell, oid)) return `"\${${v.name}}"`;
  }
  return undefined;
};

/** Text holding a variable's value (an email built from a uuid) is written with the reference inside. */
const textWithVariables = (text: string, context: RenderContext): string | undefined => {
  let out = text;
  const longestFirst = [...context.variables]
    .filter((v) => typeof v.value === 'string' && v.value.length >= 8)
    .sort((a, b) => String(b.value).length - String(a.value).length);
  for (const v of longestFirst) out = out.split(String(v.value)).join(`\${${v.name}}`);
  return out === text || out.includes('${') === false ? undefined : quoted(out);
};

const volatileMatcher = (cell: Exclude<Cell, null>, oid: number, context: RenderContext): string | undefined => {
  const family = typeFamily(oid);
  const text = typeof cell === 'string' ? cell : '';
  if (family === 'uuid' || ((family === 'text' || family === 'other') && UUID_TEXT.test(text))) return '{ type: uuid }';
  if (family === 'timestamptz' || family === 'timestamp') {
    const parsed = parseDateTime(text);
    const micros = parsed && (family === 'timestamptz' ? instantMicros(parsed, undefined) : parsed.wallMicros);
    const now = BigInt(context.observedAt.getTime()) * 1000n;
    const window = BigInt(RUN_WINDOW_MS) * 1000n;
    if (micros !== undefined && micros !== null && micros > now - window && micros < now + window) return '{ type: timestamp }';
  }
  return undefined;
};

/** The YAML text for one actual cell. */
export const renderCell = (cell: Cell, oid: number, context: RenderContext): string => {
  if (cell === null) return 'null';
  const family = typeFamily(oid);
  return (
    wholeVariable(cell, oid, context) ??
    (typeof cell === 'string' && (family === 'text' || family === 'other' || family === 'bpchar') ? textWithVariables(cell, context) : undefined) ??
    volatileMatcher(cell, oid, context) ??
    literalText(cell, oid)
  );
};
