/**
 * What PostgreSQL's catalogs say about a table and about functions: columns with their types, constraints,
 * indexes, row level security and its policies, triggers. One round trip per table; names only, no
 * definitions, so that a schema assertion compares what a spec author writes. Knows nothing of specs.
 */
import type { Database } from './database.ts';

export type CatalogConstraint = {
  readonly name: string;
  /** p primary key, u unique, c check, f foreign key, x exclusion, n not null (PostgreSQL 18). */
  readonly type: string;
  readonly columns: readonly string[];
  readonly refTable?: string;
  readonly refColumns: readonly string[];
  /** confdeltype: a no action, r restrict, c cascade, n set null, d set default. */
  readonly onDelete?: string;
};

export type TableCatalog = {
  readonly rls: { readonly enabled: boolean; readonly forced: boolean };
  readonly columns: readonly { readonly name: string; readonly type: string; readonly nullable: boolean }[];
  readonly constraints: readonly CatalogConstraint[];
  /** Key columns by name; an expression key as pg_get_indexdef prints it. */
  readonly indexes: readonly { readonly name: string; readonly unique: boolean; readonly columns: readonly string[] }[];
  /** polcmd: * all, r select, a insert, w update, d delete. */
  readonly policies: readonly { readonly name: string; readonly command: string }[];
  readonly triggers: readonly { readonly name: string }[];
};

const attnames = (table: string, keys: string) =>
  `(select coalesce(json_agg(a.attname order by u.ord), '[]') from unnest(${keys}) with ordinality u(num, ord) join pg_attribute a on a.attrelid = ${table} and a.attnum = u.num)`;

const TABLE_SQL = `
with t as (
  select c.oid, c.relrowsecurity, c.relforcerowsecurity from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relname = $1 and n.nspname = coalesce($2, current_schema()) and c.relkind in ('r', 'p')
)
select json_build_object(
  'rls', json_build_object('enabled', t.relrowsecurity, 'forced', t.relforcerowsecurity),
  'columns', (select coalesce(json_agg(json_build_object('name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'nullable', not a.attnotnull) order by a.attnum), '[]')
              from pg_attribute a where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped),
  'constraints', (select coalesce(json_agg(json_build_object('name', k.conname, 'type', k.contype, 'columns', ${attnames('k.conrelid', 'k.conkey')},
                    'refTable', case when k.contype = 'f' then k.confrelid::regclass::text end, 'refColumns', ${attnames('k.confrelid', 'k.confkey')},
                    'onDelete', case when k.contype = 'f' then k.confdeltype::text end) order by k.conname), '[]')
                  from pg_constraint k where k.conrelid = t.oid),
  'indexes', (select coalesce(json_agg(json_build_object('name', i.relname, 'unique', x.indisunique,
                'columns', (select coalesce(json_agg(coalesce(a.attname, pg_get_indexdef(x.indexrelid, u.ord::int, true)) order by u.ord), '[]')
                            from unnest(x.indkey::int2[]) with ordinality u(num, ord)
                            left join pg_attribute a on a.attrelid = x.indrelid and a.attnum = u.num and u.num > 0
                            where u.ord <= x.indnkeyatts)) order by i.relname), '[]')
              from pg_index x join pg_class i on i.oid = x.indexrelid where x.indrelid = t.oid),
  'policies', (select coalesce(json_agg(json_build_object('name', p.polname, 'command', p.polcmd) order by p.polname), '[]') from pg_policy p where p.polrelid = t.oid),
  'triggers', (select coalesce(json_agg(json_build_object('name', g.tgname) order by g.tgname), '[]') from pg_trigger g where g.tgrelid = t.oid and not g.tgisinternal)
) from t`;

/** The table's catalog entry, or undefined when there is no such table (in `schema`, default the current one). */
export const describeTable = async (db: Database, table: string, schema?: string): Promise<TableCatalog | undefined> => {
  const result = await db.query(TABLE_SQL, [table, schema ?? null]);
  const cell = result.rows[0]?.[0];
  // Cells are PostgreSQL's text, json too (see text-driver.ts); this json holds names and flags only.
  return cell === undefined || cell === null ? undefined : (JSON.parse(String(cell)) as TableCatalog);
};

/** Which of `names` exist as functions or procedures in `schema` (default the current one). */
export const existingFunctions = async (db: Database, names: readonly string[], schema?: string): Promise<Set<string>> => {
  if (names.length === 0) return new Set();
  const result = await db.query(
    'select distinct p.proname from pg_proc p join pg_namespace n on n.oid = p.pronamespace where n.nspname = coalesce($1, current_schema()) and p.proname = any($2::text[])',
    [schema ?? null, `{${names.map((n) => `"${n.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`).join(',')}}`],
  );
  return new Set(result.rows.map((row) => String(row[0])));
};

/** The name the current schema has, for messages. */
export const currentSchema = async (db: Database): Promise<string> => String((await db.query('select current_schema()')).rows[0]?.[0] ?? 'public');
