/**
 * A table's expected shape against the catalog, in plain words: each problem names what is missing or
 * different and where the expectation is written. Pure: the catalog is read by db/catalog.ts.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { CatalogConstraint, TableCatalog } from '../db/catalog.ts';
import type { ForeignKeyExpect, TableExpect } from '../spec/types.ts';

export type SchemaProblem = { readonly message: string; readonly loc: SourceLocation };

/** Short spellings PostgreSQL accepts, as format_type writes them. */
const TYPE_ALIASES: Readonly<Record<string, string>> = {
  int: 'integer',
  int4: 'integer',
  int8: 'bigint',
  int2: 'smallint',
  bool: 'boolean',
  float8: 'double precision',
  float4: 'real',
  varchar: 'character varying',
  char: 'character',
  timestamptz: 'timestamp with time zone',
  timestamp: 'timestamp without time zone',
  timetz: 'time with time zone',
  decimal: 'numeric',
};

export const normalType = (type: string): string => {
  const t = type.trim().toLowerCase().replace(/\s+/g, ' ');
  const m = /^([a-z0-9_ ]+?)\s*(\(.*\))?(\[\])?$/.exec(t);
  if (!m) return t;
  return `${TYPE_ALIASES[m[1]!] ?? m[1]}${m[2] ?? ''}${m[3] ?? ''}`;
};

const list = (columns: readonly string[]): string => `(${columns.join(', ')})`;
const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);

const ON_DELETE: Readonly<Record<string, string>> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };
const COMMANDS: Readonly<Record<string, string>> = { '*': 'all', r: 'select', a: 'insert', w: 'update', d: 'delete' };

const columnProblems = (t: TableExpect, c: TableCatalog): SchemaProblem[] => {
  const out: SchemaProblem[] = [];
  for (const col of t.columns ?? []) {
    const found = c.columns.find((x) => x.name === col.name);
    if (!found) out.push({ message: `table ${t.name} has no column ${col.name}`, loc: col.loc });
    else if (col.type !== undefined && normalType(col.type) !== normalType(found.type))
      out.push({ message: `column ${t.name}.${col.name} is ${found.type}, expected ${col.type}`, loc: col.loc });
    else if (col.nullable !== undefined && col.nullable !== found.nullable)
      out.push({
        message: `column ${t.name}.${col.name} is ${found.nullable ? 'nullable' : 'not null'}, expected ${col.nullable ? 'nullable' : 'not null'}`,
        loc: col.loc,
      });
  }
  if (t.exactColumns && t.columns) {
    const extra = c.columns.filter((x) => !t.columns!.some((col) => col.name === x.name)).map((x) => x.name);
    if (extra.length > 0) out.push({ message: `table ${t.name} has columns the spec does not list: ${extra.join(', ')}`, loc: t.loc });
  }
  return out;
};

const refName = (ref: string): { table: string; columns?: string[] } => {
  const m = /^\s*([^()\s]+)\s*(?:\(([^)]*)\))?\s*$/.exec(ref);
  return { table: m?.[1] ?? ref, ...(m?.[2] !== undefined ? { columns: m[2].split(',').map((s) => s.trim()) } : {}) };
};

/** `public.threads` matches `threads`: the catalog qualifies a name only when it is off the search path. */
const sameTable = (expected: string, actual: string): boolean => actual === expected || actual.endsWith(`.${expected}`) || expected.endsWith(`.${actual}`);

const foreignKeyProblem = (t: TableExpect, fk: ForeignKeyExpect, constraints: readonly CatalogConstraint[]): SchemaProblem | undefined => {
  const ref = refName(fk.references);
  const candidates = constraints.filter((k) => k.type === 'f' && same(k.columns, fk.columns) && sameTable(ref.table, k.refTable ?? ''));
  const what = `foreign key ${t.name} ${list(fk.columns)} -> ${fk.references}`;
  const match = candidates.find((k) => !ref.columns || same(ref.columns, k.refColumns));
  if (!match) return { message: `there is no ${what}`, loc: fk.loc };
  if (fk.onDelete !== undefined && ON_DELETE[match.onDelete ?? 'a'] !== fk.onDelete.toLowerCase())
    return { message: `${what} is on delete ${ON_DELETE[match.onDelete ?? 'a']}, expected on delete ${fk.onDelete}`, loc: fk.loc };
  return undefined;
};

const keyProblems = (t: TableExpect, c: TableCatalog): SchemaProblem[] => {
  const out: SchemaProblem[] = [];
  if (t.primaryKey) {
    const pk = c.constraints.find((k) => k.type === 'p');
    if (!pk) out.push({ message: `table ${t.name} has no primary key`, loc: t.primaryKey.loc });
    else if (!same(pk.columns, t.primaryKey.columns))
      out.push({ message: `the primary key of ${t.name} is ${list(pk.columns)}, expected ${list(t.primaryKey.columns)}`, loc: t.primaryKey.loc });
  }
  for (const u of t.unique ?? []) {
    const byConstraint = c.constraints.some((k) => (k.type === 'u' || k.type === 'p') && same(k.columns, u.columns));
    if (!byConstraint && !c.indexes.some((i) => i.unique && same(i.columns, u.columns)))
      out.push({ message: `nothing makes ${t.name} ${list(u.columns)} unique (no unique constraint or unique index)`, loc: u.loc });
  }
  for (const check of t.checks ?? [])
    if (!c.constraints.some((k) => k.type === 'c' && k.name === check.name))
      out.push({ message: `table ${t.name} has no check constraint ${check.name}`, loc: check.loc });
  for (const fk of t.foreignKeys ?? []) {
    const p = foreignKeyProblem(t, fk, c.constraints);
    if (p) out.push(p);
  }
  return out;
};

const otherProblems = (t: TableExpect, c: TableCatalog): SchemaProblem[] => {
  const out: SchemaProblem[] = [];
  for (const ix of t.indexes ?? []) {
    const found = c.indexes.find((i) => i.name === ix.name);
    if (!found) out.push({ message: `table ${t.name} has no index ${ix.name}`, loc: ix.loc });
    else if (ix.columns && !same(ix.columns, found.columns))
      out.push({ message: `index ${ix.name} is on ${list(found.columns)}, expected ${list(ix.columns)}`, loc: ix.loc });
    else if (ix.unique !== undefined && ix.unique !== found.unique)
      out.push({ message: `index ${ix.name} is ${found.unique ? '' : 'not '}unique, expected the opposite`, loc: ix.loc });
  }
  const rls = t.rowSecurity;
  if (rls?.enabled !== undefined && rls.enabled !== c.rls.enabled)
    out.push({
      message: `row level security on ${t.name} is ${c.rls.enabled ? 'enabled' : 'not enabled'}, expected ${rls.enabled ? 'enabled' : 'disabled'}`,
      loc: rls.loc,
    });
  if (rls?.forced !== undefined && rls.forced !== c.rls.forced)
    out.push({
      message: `row level security on ${t.name} is ${c.rls.forced ? 'forced' : 'not forced'} for the table owner, expected ${rls.forced ? 'forced' : 'not forced'}`,
      loc: rls.loc,
    });
  for (const p of t.policies ?? []) {
    const found = c.policies.find((x) => x.name === p.name);
    if (!found) out.push({ message: `table ${t.name} has no policy ${p.name}`, loc: p.loc });
    else if (p.command !== undefined && COMMANDS[found.command] !== p.command.toLowerCase())
      out.push({ message: `policy ${p.name} on ${t.name} applies to ${COMMANDS[found.command]}, expected ${p.command}`, loc: p.loc });
  }
  for (const tr of t.triggers ?? [])
    if (!c.triggers.some((x) => x.name === tr.name)) out.push({ message: `table ${t.name} has no trigger ${tr.name}`, loc: tr.loc });
  return out;
};

/** Every difference between the expected table and the catalog's; none when it matches. */
export const tableProblems = (t: TableExpect, catalog: TableCatalog | undefined, schema: string): SchemaProblem[] => {
  if (!catalog) return [{ message: `there is no table ${t.name} in schema ${schema}`, loc: t.loc }];
  return [...columnProblems(t, catalog), ...keyProblems(t, catalog), ...otherProblems(t, catalog)];
};
