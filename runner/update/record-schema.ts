/**
 * Record mode for schema steps: a listed table whose expectation did not hold (or is written `{}`) is
 * rewritten with what the catalog says: its columns and types, keys, checks, foreign keys, indexes, row
 * level security, policies and triggers. Only that table's value changes in the file; the rest stays byte
 * for byte.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { isMap, isPair, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { TableCatalog } from '../db/catalog.ts';
import { EVENT_SCHEMA, type RunEvents, type SchemaObservation } from '../execute/events.ts';
import { keyText, parseYamlText } from '../spec/load.ts';
import { yamlKey } from './render-value.ts';
import { applyEdits, mapAt, type TextEdit } from './rewrite-rows.ts';

export type SchemaChange = { readonly file: string; readonly line: number; readonly step: string; readonly table: string; readonly skipped?: string };

const ON_DELETE: Readonly<Record<string, string>> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const COMMANDS: Readonly<Record<string, string>> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };

/** A scalar safe in both block and flow context, else double-quoted. */
const scalar = (text: string): string => (/^[A-Za-z_][A-Za-z0-9_ (),.]*$/.test(text) && !/[,]/.test(text) ? text : JSON.stringify(text));
const names = (list: readonly string[]): string => `[${list.map(scalar).join(', ')}]`;

/** The recorded shape of a table, as block YAML lines (without indentation). */
export const renderTable = (c: TableCatalog): string[] => {
  const out: string[] = ['columns:'];
  for (const col of c.columns) out.push(`  ${yamlKey(col.name)}: ${col.nullable ? scalar(col.type) : `{ type: ${scalar(col.type)}, nullable: false }`}`);
  const pk = c.constraints.find((k) => k.type === 'p');
  if (pk) out.push(`primary_key: ${names(pk.columns)}`);
  const unique = c.constraints.filter((k) => k.type === 'u');
  if (unique.length > 0) out.push(`unique: [${unique.map((k) => names(k.columns)).join(', ')}]`);
  const checks = c.constraints.filter((k) => k.type === 'c');
  if (checks.length > 0) out.push(`checks: ${names(checks.map((k) => k.name))}`);
  const fks = c.constraints.filter((k) => k.type === 'f');
  if (fks.length > 0) {
    out.push('foreign_keys:');
    for (const k of fks)
      out.push(
        `  - { columns: ${names(k.columns)}, references: ${JSON.stringify(`${k.refTable}(${k.refColumns.join(', ')})`)}, on_delete: ${ON_DELETE[k.onDelete ?? 'a']} }`,
      );
  }
  // Indexes behind a primary key or unique constraint are said by those already.
  const constraintNames = new Set(c.constraints.map((k) => k.name));
  const indexes = c.indexes.filter((i) => !constraintNames.has(i.name));
  if (indexes.length > 0) {
    out.push('indexes:');
    for (const i of indexes) out.push(`  ${yamlKey(i.name)}: ${i.unique ? `{ columns: ${names(i.columns)}, unique: true }` : names(i.columns)}`);
  }
  out.push(`row_level_security: { enabled: ${c.rls.enabled}, forced: ${c.rls.forced} }`);
  if (c.policies.length > 0) {
    out.push('policies:');
    for (const p of c.policies) out.push(`  ${yamlKey(p.name)}: ${COMMANDS[p.command] ?? 'all'}`);
  }
  if (c.triggers.length > 0) out.push(`triggers: ${names(c.triggers.map((t) => t.name))}`);
  return out;
};

const offsetOf = (text: string, line: number, column: number): number => {
  let offset = 0;
  for (let l = 1; l < line; l++) offset = text.indexOf('\n', offset) + 1;
  return offset + column - 1;
};

const columnOf = (text: string, offset: number): number => offset - (text.lastIndexOf('\n', offset - 1) + 1);

const pairIn = (map: unknown, key: string) => (isMap(map) ? map.items.find((p) => isPair(p) && keyText(p.key) === key) : undefined);

/** The edit replacing one table's value with the recorded shape, or why it cannot be made. */
const tableEdit = (text: string, body: YAMLMap, table: string, catalog: TableCatalog): TextEdit | string => {
  const pair = pairIn(pairIn(body, 'tables')?.value, table);
  const key = pair?.key as YamlNode | undefined;
  if (!pair || !key?.range) return 'the table was not found in the file';
  const value = pair.value as YamlNode | null;
  if (value && (value as YAMLMap).flow === undefined && !isMap(value)) return 'the table is not written as a map';
  const indent = ' '.repeat(columnOf(text, key.range[0]) + 2);
  const start = text.indexOf(':', key.range[1]) + 1;
  let end = value?.range ? value.range[1] : start;
  while (end > start && /\s/.test(text[end - 1]!)) end--;
  return {
    start,
    end,
    replacement: renderTable(catalog)
      .map((l) => `\n${indent}${l}`)
      .join(''),
  };
};

/** Starts listening to the run's schema steps; `finish` stops and returns the last observation of each step. */
export const startSchemaRecording = (events: RunEvents): { finish: () => SchemaObservation[] } => {
  const last = new Map<string, SchemaObservation>();
  const listener = (o: SchemaObservation): void => {
    last.set(`${o.step.loc.file}:${o.step.loc.line}`, o);
  };
  events.on(EVENT_SCHEMA, listener);
  return {
    finish: () => {
      events.off(EVENT_SCHEMA, listener);
      return [...last.values()];
    },
  };
};

/** Rewrites every table that did not hold; returns what changed. */
export const applySchemaRecordings = async (observations: readonly SchemaObservation[], cwd: string): Promise<SchemaChange[]> => {
  const changes: SchemaChange[] = [];
  const byFile = new Map<string, SchemaObservation[]>();
  for (const o of observations) byFile.set(o.step.loc.file, [...(byFile.get(o.step.loc.file) ?? []), o]);
  for (const [file, list] of byFile) {
    const path = resolve(cwd, file);
    const text = (await readFile(path)).toString('utf8');
    const { loaded } = parseYamlText(Buffer.from(text, 'utf8'), file);
    const edits: TextEdit[] = [];
    for (const o of list) {
      const body = loaded && mapAt(loaded.doc, offsetOf(text, o.step.bodyLoc.line, o.step.bodyLoc.column));
      for (const t of o.tables) {
        const empty = pairIn(pairIn(body, 'tables')?.value, t.name);
        const isEmpty = isMap(empty?.value) && (empty.value as YAMLMap).items.length === 0;
        if (t.held && !isEmpty) continue;
        const base = { file, line: o.step.loc.line, step: o.step.name, table: t.name };
        if (!t.catalog || !body) {
          changes.push({ ...base, skipped: t.catalog ? 'the step was not found in the file' : 'there is no such table to record' });
          continue;
        }
        const edit = tableEdit(text, body, t.name, t.catalog);
        if (typeof edit === 'string') changes.push({ ...base, skipped: edit });
        else {
          edits.push(edit);
          changes.push(base);
        }
      }
    }
    if (edits.length > 0) await writeFile(path, applyEdits(text, edits));
  }
  return changes;
};

export const describeSchemaChanges = (changes: readonly SchemaChange[]): string =>
  changes.length === 0
    ? ''
    : `dbspec --update: ${changes.filter((c) => !c.skipped).length} schema table(s) recorded\n${changes
        .map((c) => `  ${c.skipped ? 'not updated' : 'updated    '}  ${c.file}:${c.line}  "${c.step}": table ${c.table}${c.skipped ? `: ${c.skipped}` : ''}`)
        .join('\n')}\n`;
