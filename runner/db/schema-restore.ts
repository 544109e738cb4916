/**
 * Putting a schema object back after it was dropped or changed in place, and telling whether a schema is
 * still the one it was: `dbspec prove` reuses one database for many mutants instead of building one per
 * mutant, and checks after each that the restore was exact (else the database is rebuilt). Knows nothing
 * of mutants: only constraints, columns, triggers, policies, row level security and indexes.
 */
import type { Database } from './database.ts';
import { quoteIdent } from '../sql/quote.ts';

/**
 * The object a restore puts back, as it is in the catalog now (read before it is dropped). `table` and
 * `name` of an index are SQL text (quoted, maybe schema-qualified); other names are plain.
 */
export type RestoreTarget =
  | { readonly kind: 'constraint'; readonly table: string; readonly name: string }
  | { readonly kind: 'not-null'; readonly table: string; readonly column: string }
  | { readonly kind: 'default'; readonly table: string; readonly column: string }
  | { readonly kind: 'trigger'; readonly table: string; readonly name: string }
  | { readonly kind: 'policy'; readonly table: string; readonly name: string }
  | { readonly kind: 'row-security'; readonly table: string }
  | { readonly kind: 'index'; readonly name: string }
  | { readonly kind: 'statement'; readonly sql: string };

const one = async (db: Database, sql: string, values: string[]): Promise<string> => {
  const row = (await db.query(sql, values)).rows[0];
  if (!row || row[0] === null) throw new Error(`nothing to restore: ${values.join(' ')}`);
  return String(row[0]);
};

/** `table` is SQL text (quoted, maybe qualified), as written in the statement that changes it. */
const POLICY_SQL = `select format('create policy %I on %s as %s for %s to %s%s%s', p.polname, $1::regclass,
    case when p.polpermissive then 'permissive' else 'restrictive' end,
    case p.polcmd when 'r' then 'select' when 'a' then 'insert' when 'w' then 'update' when 'd' then 'delete' else 'all' end,
    case when p.polroles = '{0}' then 'public' else (select string_agg(quote_ident(rolname), ', ') from pg_roles where oid = any(p.polroles)) end,
    ' using (' || pg_get_expr(p.polqual, p.polrelid) || ')',
    ' with check (' || pg_get_expr(p.polwithcheck, p.polrelid) || ')')
  from pg_policy p where p.polrelid = $1::regclass and p.polname = $2`;

/** The statements that put `target` back as it is now. */
export const restoreStatements = async (db: Database, target: RestoreTarget): Promise<string[]> => {
  switch (target.kind) {
    case 'constraint': {
      const def = await one(db, 'select pg_get_constraintdef(oid) from pg_constraint where conrelid = $1::regclass and conname = $2', [
        target.table,
        target.name,
      ]);
      return [`alter table ${target.table} add constraint ${quoteIdent(target.name)} ${def}`];
    }
    case 'not-null':
      return [`alter table ${target.table} alter column ${quoteIdent(target.column)} set not null`];
    case 'default': {
      const expr = await one(
        db,
        'select pg_get_expr(d.adbin, d.adrelid) from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum where d.adrelid = $1::regclass and a.attname = $2',
        [target.table, target.column],
      );
      return [`alter table ${target.table} alter column ${quoteIdent(target.column)} set default ${expr}`];
    }
    case 'trigger':
      return [await one(db, 'select pg_get_triggerdef(oid) from pg_trigger where tgrelid = $1::regclass and tgname = $2', [target.table, target.name])];
    case 'policy':
      return [await one(db, POLICY_SQL, [target.table, target.name])];
    case 'row-security':
      return [`alter table ${target.table} enable row level security`];
    case 'index':
      return [await one(db, 'select pg_get_indexdef($1::regclass)', [target.name])];
    case 'statement':
      return [target.sql];
  }
};

/**
 * Everything a restore could get wrong, as one text: constraints, user triggers (and whether enabled),
 * policies, row level security, not-null and defaults of every column, indexes and privileges of the
 * user schemas, privileges in any order (an index's columns keep the names they had when it was built: not compared). Internal triggers (a foreign key's) are left out: their firing order depends on their
 * creation order, which no restore can give back, so a foreign key is never restored in place.
 */
const SIGNATURE_SQL = `with rels as (
    select c.oid, c.relname, c.relkind, c.relrowsecurity, c.relforcerowsecurity, c.relacl from pg_class c join pg_namespace n on n.oid = c.relnamespace
     where n.nspname not in ('pg_catalog', 'information_schema', 'dbspec') and n.nspname !~ '^pg_(toast|temp_)')
  select md5(coalesce(string_agg(x, E'\\n' order by x), '')) from (
    select format('c %s %s %s', r.relname, k.conname, pg_get_constraintdef(k.oid)) from pg_constraint k join rels r on r.oid = k.conrelid
    union all select format('t %s %s %s %s', r.relname, t.tgname, t.tgenabled, pg_get_triggerdef(t.oid)) from pg_trigger t join rels r on r.oid = t.tgrelid where not t.tgisinternal
    union all select format('p %s %s %s %s %s %s / %s', r.relname, p.polname, p.polpermissive, p.polcmd, p.polroles, pg_get_expr(p.polqual, p.polrelid), pg_get_expr(p.polwithcheck, p.polrelid))
      from pg_policy p join rels r on r.oid = p.polrelid
    union all select format('r %s %s %s %s', r.relname, r.relrowsecurity, r.relforcerowsecurity, (select array_agg(x::text order by x::text) from unnest(r.relacl) x)) from rels r
    union all select format('n %s %s', n.nspname, (select array_agg(x::text order by x::text) from unnest(n.nspacl) x)) from pg_namespace n
      where n.nspname not in ('pg_catalog', 'information_schema', 'dbspec') and n.nspname !~ '^pg_(toast|temp_)'
    union all select format('a %s %s %s %s', r.relname, a.attname, a.attnotnull, pg_get_expr(d.adbin, d.adrelid)) from pg_attribute a join rels r on r.oid = a.attrelid
      left join pg_attrdef d on d.adrelid = a.attrelid and d.adnum = a.attnum where a.attnum > 0 and not a.attisdropped and r.relkind in ('r', 'p')
    union all select format('i %s %s', r.relname, pg_get_indexdef(i.indexrelid)) from pg_index i join rels r on r.oid = i.indexrelid
  ) s(x)`;

export const schemaSignature = async (db: Database): Promise<string> => one(db, SIGNATURE_SQL, []);
