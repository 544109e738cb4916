/**
 * A database's schema as data, read from the catalogs in one round trip: tables (with row security),
 * columns and types, constraints, indexes, row-level security policies, triggers and functions, each with
 * PostgreSQL's own rendering of its definition (pg_get_constraintdef, pg_get_indexdef, ...), so that two
 * snapshots diff to "constraint auth_users_email_key removed". dbspec's own bookkeeping is left out, as are
 * extension members (a version bump of an extension is not the system's schema change).
 */
import { createHash } from 'node:crypto';
import type { SchemaObject, SchemaSnapshot } from '../results/types.ts';
import type { Database } from './database.ts';

const USER_SCHEMA = `n.nspname not in ('pg_catalog', 'information_schema', 'dbspec') and n.nspname !~ '^pg_(toast|temp_)'`;
const NOT_EXTENSION = (oid: string, catalog: string) =>
  `not exists (select 1 from pg_depend d where d.objid = ${oid} and d.classid = '${catalog}'::regclass and d.deptype = 'e')`;
const TABLE = `n.nspname || '.' || c.relname`;
const TABLES_OF = `from pg_class c join pg_namespace n on n.oid = c.relnamespace where ${USER_SCHEMA} and c.relkind in ('r', 'p', 'v', 'm', 'f') and ${NOT_EXTENSION('c.oid', 'pg_class')}`;

const SNAPSHOT_SQL = [
  `select 'table', ${TABLE}, ${TABLE}, case c.relkind when 'v' then 'view' when 'm' then 'materialized view' when 'f' then 'foreign table' when 'p' then 'partitioned table' else 'table' end
     || case when c.relrowsecurity then ' with row level security' else '' end || case when c.relforcerowsecurity then ' (forced)' else '' end ${TABLES_OF}`,
  `select 'column', ${TABLE} || '.' || a.attname, ${TABLE}, format_type(a.atttypid, a.atttypmod) || case when a.attnotnull then ' not null' else '' end
     || coalesce(' default ' || pg_get_expr(ad.adbin, ad.adrelid), '')
     from pg_attribute a join pg_class c on c.oid = a.attrelid join pg_namespace n on n.oid = c.relnamespace
     left join pg_attrdef ad on ad.adrelid = a.attrelid and ad.adnum = a.attnum
     where a.attnum > 0 and not a.attisdropped and c.oid in (select c.oid ${TABLES_OF})`,
  // PostgreSQL 18 lists NOT NULL as constraints too; the column's definition already says it.
  `select 'constraint', ${TABLE} || '.' || con.conname, ${TABLE}, pg_get_constraintdef(con.oid)
     from pg_constraint con join pg_class c on c.oid = con.conrelid join pg_namespace n on n.oid = c.relnamespace
     where con.contype <> 'n' and c.oid in (select c.oid ${TABLES_OF})`,
  `select 'index', ${TABLE} || '.' || ic.relname, ${TABLE}, pg_get_indexdef(i.indexrelid)
     from pg_index i join pg_class ic on ic.oid = i.indexrelid join pg_class c on c.oid = i.indrelid join pg_namespace n on n.oid = c.relnamespace
     where c.oid in (select c.oid ${TABLES_OF})`,
  `select 'policy', ${TABLE} || '.' || p.polname, ${TABLE}, case when p.polpermissive then 'permissive' else 'restrictive' end
     || ' for ' || case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end
     || ' to ' || coalesce((select string_agg(case when r = 0 then 'public' else pg_get_userbyid(r) end, ', ' order by r) from unnest(p.polroles) r), 'public')
     || coalesce(' using (' || pg_get_expr(p.polqual, p.polrelid) || ')', '') || coalesce(' with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')', '')
     from pg_policy p join pg_class c on c.oid = p.polrelid join pg_namespace n on n.oid = c.relnamespace where c.oid in (select c.oid ${TABLES_OF})`,
  `select 'trigger', ${TABLE} || '.' || t.tgname, ${TABLE}, pg_get_triggerdef(t.oid)
     from pg_trigger t join pg_class c on c.oid = t.tgrelid join pg_namespace n on n.oid = c.relnamespace
     where not t.tgisinternal and c.oid in (select c.oid ${TABLES_OF})`,
  // A function's body can be long: its MD5 says whether it changed.
  `select 'function', n.nspname || '.' || p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', null,
     'returns ' || pg_get_function_result(p.oid) || ', body md5 ' || md5(pg_get_functiondef(p.oid))
     from pg_proc p join pg_namespace n on n.oid = p.pronamespace where ${USER_SCHEMA} and p.prokind in ('f', 'p') and ${NOT_EXTENSION('p.oid', 'pg_proc')}`,
].join('\nunion all\n');

const KINDS: readonly SchemaObject['kind'][] = ['table', 'column', 'constraint', 'index', 'policy', 'trigger', 'function'];

const byKindThenName = (a: SchemaObject, b: SchemaObject): number =>
  KINDS.indexOf(a.kind) - KINDS.indexOf(b.kind) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0);

/** The schema of `database` now, sorted (kind, then name) so that equal schemas serialize equally. */
export const takeSchemaSnapshot = async (database: Database): Promise<SchemaSnapshot> => {
  const result = await database.query(SNAPSHOT_SQL);
  const objects = result.rows
    .map(
      ([kind, name, table, definition]): SchemaObject => ({
        kind: String(kind) as SchemaObject['kind'],
        name: String(name),
        ...(table !== null ? { table: String(table) } : {}),
        definition: String(definition),
      }),
    )
    .sort(byKindThenName);
  const fingerprint = createHash('sha256').update(JSON.stringify(objects)).digest('hex');
  return { fingerprint, objects };
};
