/**
 * The three ways a person writes an expected cell, as YAML text: exactly as psql printed it (quoted),
 * naturally (numbers and booleans bare, lists for arrays, maps for jsonb, text unquoted where YAML allows),
 * and one cell changed minimally (the caller checks with PostgreSQL that the change is a different value).
 */
import { parseJson, type JsonNode } from '../../runner/execute/pg-json.ts';
import { arrayElementOid, parseArrayLiteral, type PgArray, typeFamily } from '../../runner/execute/pg-types.ts';
import type { Column, Query } from './collect.ts';

/** YAML double-quoted scalars accept JSON's escapes; C1 controls and separators are escaped too. */
export const quoted = (text: string): string =>
  JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

const CORE_NUMBER = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$/;
const CORE_SPECIAL = /^(null|Null|NULL|~|true|True|TRUE|false|False|FALSE|[-+]?\.(inf|Inf|INF)|\.(nan|NaN|NAN))$/;

/** Text a person may leave unquoted inside a flow map or list, reading back as the same text (or that number). */
const plainInFlow = (text: string): boolean =>
  text !== '' &&
  !CORE_SPECIAL.test(text) &&
  !/^[\s\-?:,[\]{}#&*!|>'"%@`]/.test(text) &&
  !/[,[\]{}]|:\s|:$|\s#|\s$|[\u0000-\u001f\u007f-\u009f]/.test(text) &&
  !/^-/.test(text);

const natural = (text: string): string => (plainInFlow(text) || (CORE_NUMBER.test(text) && !text.startsWith('.')) ? text : quoted(text));

export const exactCell = (text: string | null): string => (text === null ? 'null' : quoted(text));

/** JSON as YAML: maps and lists, numbers bare with every digit; undefined when YAML cannot say it (duplicate keys). */
const jsonYaml = (node: JsonNode, top: boolean): string | undefined => {
  switch (node.kind) {
    case 'null':
      return top ? quoted('null') : 'null';
    case 'bool':
      return String(node.value);
    case 'number':
      return node.text;
    case 'string':
      // A bare string at the top is the JSON string's value; inside, it must not read as a number or bool.
      return plainInFlow(node.value) && !CORE_NUMBER.test(node.value) ? node.value : quoted(node.value);
    case 'array': {
      const items = node.items.map((i) => jsonYaml(i, false));
      return items.every((i) => i !== undefined) ? `[${items.join(', ')}]` : undefined;
    }
    case 'object': {
      if (new Set(node.entries.map(([k]) => k)).size !== node.entries.length) return undefined;
      const entries = node.entries.map(([k, v]) => [k, jsonYaml(v, false)] as const);
      if (entries.some(([, v]) => v === undefined)) return undefined;
      return `{${entries.map(([k, v]) => `${quoted(k)}: ${v}`).join(', ')}}`;
    }
  }
};

const arrayYaml = (items: PgArray, elementOid: number): string =>
  `[${items.map((item) => (item === null ? 'null' : typeof item === 'string' ? naturalCell(item, elementOid) : arrayYaml(item as PgArray, elementOid))).join(', ')}]`;

const jsonDepth = (node: JsonNode): number =>
  node.kind === 'array'
    ? 1 + Math.max(0, ...node.items.map(jsonDepth))
    : node.kind === 'object'
      ? 1 + Math.max(0, ...node.entries.map(([, v]) => jsonDepth(v)))
      : 0;

export const naturalCell = (text: string | null, oid: number): string => {
  if (text === null) return 'null';
  const family = typeFamily(oid);
  if (family === 'bool') return text === 't' ? 'true' : text === 'f' ? 'false' : quoted(text);
  if (family === 'json') {
    const node = parseJson(text);
    // json keeps key order and duplicates: a person copies its text; jsonb reads naturally as YAML.
    if (oid === 114 || !node || jsonDepth(node) > 32) return quoted(text);
    // A JSON string is written as its value; one that YAML would read as a number, bool or null is quoted.
    if (node.kind === 'string') return plainInFlow(node.value) && !CORE_NUMBER.test(node.value) ? node.value : quoted(node.value);
    return jsonYaml(node, true) ?? quoted(text);
  }
  if (family === 'array') {
    const elementOid = arrayElementOid(oid)!;
    const items = /^\[/.test(text) || elementOid === 603 ? undefined : parseArrayLiteral(text);
    return items ? arrayYaml(items, elementOid) : quoted(text);
  }
  return natural(text);
};

/** Candidate minimal changes of a cell's text: a digit, then a letter, then one character more. */
export const mutations = (text: string): string[] => {
  // A boolean has no nearer other value.
  const out: string[] = text === 't' ? ['f'] : text === 'f' ? ['t'] : [];
  for (let i = text.length - 1; i >= 0 && out.length < 3; i--) {
    const c = text[i]!;
    if (/\d/.test(c)) out.push(text.slice(0, i) + String((Number(c) + 1) % 10) + text.slice(i + 1));
  }
  for (let i = text.length - 1; i >= 0 && out.length < 5; i--) {
    const c = text[i]!;
    if (/[a-y]/i.test(c)) out.push(text.slice(0, i) + String.fromCharCode(c.charCodeAt(0) + 1) + text.slice(i + 1));
  }
  out.push(`${text}x`, text === '' ? ' ' : text.slice(0, -1));
  return [...new Set(out)].filter((t) => t !== text);
};

/** The columns a row map can name: the first of each name. */
export const writtenColumns = (columns: readonly Column[]): number[] =>
  columns.flatMap((c, k) => (columns.findIndex((d) => d.name === c.name) === k ? [k] : []));

export type CellWriter = (text: string | null, oid: number, row: number, column: number) => string;

export const rowsYaml = (query: Query, write: CellWriter): string[] => {
  const columns = writtenColumns(query.columns);
  return query.rows.map(
    (row, r) => `        - {${columns.map((k) => `${quoted(query.columns[k]!.name)}: ${write(row[k] ?? null, query.columns[k]!.typeOid, r, k)}`).join(', ')}}`,
  );
};

export type SpecStep = { readonly name: string; readonly sql: string; readonly rows?: readonly string[] };

export const specYaml = (name: string, db: string, setup: readonly string[], steps: readonly SpecStep[]): string =>
  [
    `name: ${quoted(name)}`,
    ...(setup.length > 0 ? ['setup:', ...setup.map((sql) => `  - db: ${db}\n    sql: ${quoted(sql)}`)] : []),
    'steps:',
    ...steps.map((s) =>
      [
        `  - name: ${quoted(s.name)}`,
        `    db: ${db}`,
        `    sql: ${quoted(s.sql)}`,
        ...(s.rows ? ['    expect:', s.rows.length === 0 ? '      rows: []' : '      rows:', ...s.rows] : []),
      ].join('\n'),
    ),
    '',
  ].join('\n');
