/**
 * Names in parse trees, and the names objects have once every migration has run: a later `alter table ...
 * rename` changes the table or column a compensating statement must name.
 */
import type { ParsedMigration } from './migration-tree.ts';
import { quoteIdent } from '../sql/quote.ts';

export type RangeVar = { readonly relname: string; readonly schemaname?: string; readonly location?: number };

export const qualified = (relation: RangeVar, relname: string = relation.relname): string =>
  relation.schemaname ? `${quoteIdent(relation.schemaname)}.${quoteIdent(relname)}` : quoteIdent(relname);

/** The `sval`s of a list of String nodes, e.g. a constraint's keys. */
export const strings = (list: unknown): string[] =>
  Array.isArray(list) ? list.map((item) => (item as { String?: { sval?: string } }).String?.sval).filter((s): s is string => s !== undefined) : [];

/** Distinct column names an expression refers to (ColumnRef nodes, last field). */
export const columnsOf = (node: unknown, into: Set<string> = new Set()): string[] => {
  if (Array.isArray(node)) for (const item of node) columnsOf(item, into);
  else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'ColumnRef') {
        const last = strings((value as { fields?: unknown }).fields).at(-1);
        if (last !== undefined) into.add(last);
      } else columnsOf(value, into);
    }
  }
  return [...into];
};

type Rename = { readonly at: number; readonly table: string; readonly column?: string; readonly to: string };

/** Statement position across all migrations of a database: migration index * 1e6 + statement index. */
export const position = (migration: number, statement: number): number => migration * 1_000_000 + statement;

export type FinalNames = {
  table(table: string, after: number): string;
  column(table: string, column: string, after: number): string;
};

/** Every table and column rename in the migrations, applied in order to a name created at `after`. */
export const finalNames = (migrations: readonly ParsedMigration[]): FinalNames => {
  const renames: Rename[] = [];
  for (const [m, migration] of migrations.entries())
    for (const [s, statement] of migration.statements.entries()) {
      if (statement.type !== 'RenameStmt') continue;
      const node = statement.node as { renameType?: string; relation?: RangeVar; subname?: string; newname?: string };
      if (!node.relation || !node.newname) continue;
      if (node.renameType === 'OBJECT_TABLE') renames.push({ at: position(m, s), table: node.relation.relname, to: node.newname });
      if (node.renameType === 'OBJECT_COLUMN' && node.subname)
        renames.push({ at: position(m, s), table: node.relation.relname, column: node.subname, to: node.newname });
    }
  const table = (name: string, after: number): string =>
    renames.reduce((current, r) => (r.at > after && r.column === undefined && r.table === current ? r.to : current), name);
  const column = (tableName: string, name: string, after: number): string => {
    let currentTable = tableName;
    let current = name;
    for (const r of renames) {
      if (r.at <= after || r.table !== currentTable) continue;
      if (r.column === undefined) currentTable = r.to;
      else if (r.column === current) current = r.to;
    }
    return current;
  };
  return { table, column };
};
