/**
 * The cleanup a spec forgot, as SQL a person can paste (or `--update` can add): one delete per table,
 * children before the tables they reference, each row picked out by a spec variable whose value it holds
 * (so the statement still finds next run's rows) and by its primary key value only when no variable fits.
 * Pure: rows and table shapes in, text out.
 */
import type { TableShape, WrittenRow } from '../db/written-rows.ts';
import type { CleanupProposal } from '../results/types.ts';
import { quoteLiteral, readableIdent } from '../sql/quote.ts';

export type KnownValue = { readonly name: string; readonly text: string };

export type LeakedRows = { readonly db: string; readonly shape: TableShape; readonly rows: readonly WrittenRow[] };

/** `items` for public.items, `audit.events` otherwise; quoted where needed. */
export const sqlTableName = (table: string): string => {
  const dot = table.indexOf('.');
  const [schema, name] = [table.slice(0, dot), table.slice(dot + 1)];
  return schema === 'public' ? readableIdent(name) : `${readableIdent(schema)}.${readableIdent(name)}`;
};

/** The condition that picks out one row: a column holding a variable's value, else the primary key's values. */
const conditionFor = (row: WrittenRow, shape: TableShape, values: readonly KnownValue[]): { text: string; byVariable: boolean } | undefined => {
  const columns = [...shape.primaryKey, ...shape.columns.filter((c) => !shape.primaryKey.includes(c))];
  for (const column of columns) {
    const known = values.find((v) => v.text === row[column]);
    if (known) return { text: `${readableIdent(column)} = \${${known.name}}`, byVariable: true };
  }
  const key = shape.primaryKey.length > 0 ? shape.primaryKey : shape.columns;
  if (key.some((c) => row[c] === null)) return undefined;
  return key.length === 1
    ? { text: `${readableIdent(key[0]!)} = ${quoteLiteral(row[key[0]!]!)}`, byVariable: false }
    : { text: `(${key.map(readableIdent).join(', ')}) = (${key.map((c) => quoteLiteral(row[c]!)).join(', ')})`, byVariable: false };
};

/** One delete statement for a table's leaked rows. */
const deleteFor = (leaked: LeakedRows, values: readonly KnownValue[]): string | undefined => {
  const conditions = [...new Map(leaked.rows.flatMap((row) => conditionFor(row, leaked.shape, values) ?? []).map((c) => [c.text, c])).values()];
  if (conditions.length === 0) return undefined;
  const fixed = conditions.some((c) => !c.byVariable) ? '-- a fixed value: no spec variable holds it; the next run writes another one\n' : '';
  return `${fixed}delete from ${sqlTableName(leaked.shape.table)} where ${conditions.map((c) => c.text).join(' or ')}`;
};

/** Tables ordered so that every table comes before the tables it references (children first). */
export const childrenFirst = (tables: readonly string[], shapes: readonly TableShape[]): string[] => {
  const byName = new Map(shapes.map((s) => [s.table, s]));
  const ordered: string[] = [];
  const visiting = new Set<string>();
  // Depth first over "is referenced by": a table is placed once all tables referencing it are.
  const place = (table: string): void => {
    if (ordered.includes(table) || visiting.has(table)) return;
    visiting.add(table);
    for (const other of tables) if (other !== table && byName.get(other)?.references.includes(table)) place(other);
    ordered.push(table);
  };
  for (const table of [...tables].sort()) place(table);
  return ordered;
};

const referencesTransitively = (from: string, to: string, shapes: readonly TableShape[], seen = new Set<string>()): boolean => {
  if (seen.has(from)) return false;
  seen.add(from);
  const refs = shapes.find((s) => s.table === from)?.references ?? [];
  return refs.includes(to) || refs.some((r) => referencesTransitively(r, to, shapes, seen));
};

/**
 * The proposal for one database. A delete goes before the spec's own cleanup, unless a table that cleanup
 * empties references it (then the children go first, so it goes last).
 */
export const proposeCleanup = (
  db: string,
  leaked: readonly LeakedRows[],
  shapes: readonly TableShape[],
  values: readonly KnownValue[],
  cleanedTables: readonly string[],
): CleanupProposal[] => {
  const order = childrenFirst(
    leaked.map((l) => l.shape.table),
    shapes,
  );
  const statements = order.flatMap((table) => {
    const sql = deleteFor(leaked.find((l) => l.shape.table === table)!, values);
    const last = cleanedTables.some((cleaned) => cleaned !== table && referencesTransitively(cleaned, table, shapes));
    return sql ? [{ sql, placement: last ? ('last' as const) : ('first' as const) }] : [];
  });
  return (['first', 'last'] as const).flatMap((placement) => {
    const sql = statements.filter((s) => s.placement === placement).map((s) => s.sql);
    return sql.length > 0 ? [{ db, placement, sql: sql.join(';\n') }] : [];
  });
};
