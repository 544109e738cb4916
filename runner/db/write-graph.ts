/**
 * Which tables of a database some SQL can change, so the leak check counts those rows only: counting
 * every table around every spec costs a scan of each, and one big table then makes every spec slow.
 * From the statements' own write targets (sql/effects.ts) the catalog leads further: triggers on a changed
 * table (their PL/pgSQL or SQL bodies are parsed in turn), foreign keys whose ON DELETE/UPDATE changes
 * the referencing table, inheritance and partition parents (their counts include the children), column
 * defaults and check constraints that call functions. Whatever cannot be followed (a C or PL/Python
 * function that may write, dynamic SQL, rules, writes through views, DDL) answers "every table".
 * Not followed, knowingly: user-defined operators, casts and type I/O functions that write — PostgreSQL
 * allows them, nobody writes them.
 */
import { mergeEffects, NO_EFFECTS, effectsOfPlpgsql, effectsOfSql, type QualifiedName, type SqlEffects } from '../sql/effects.ts';
import type { ParamValue, QueryResult } from './query-result.ts';
import { ownReadOnly } from './session-state.ts';

type Query = (sql: string, values?: readonly ParamValue[]) => Promise<QueryResult>;

export type Relation = {
  readonly oid: string;
  readonly key: string;
  readonly name: string;
  readonly kind: string;
  readonly counted: boolean;
  readonly parents: readonly string[];
  readonly hasRules: boolean;
};

export type FunctionInfo = {
  readonly oid: string;
  readonly schema: string;
  readonly name: string;
  /** What its body can write (nothing when it is STABLE or IMMUTABLE). */
  readonly writes: () => SqlEffects;
  /** Everything its body does, whatever its volatility (a STABLE function may still call set_config). */
  readonly effects: () => SqlEffects;
};

export type WriteGraph = {
  readonly relations: ReadonlyMap<string, Relation>;
  readonly byName: ReadonlyMap<string, readonly Relation[]>;
  readonly triggers: ReadonlyMap<string, readonly string[]>;
  /** Parent oid -> referencing tables whose rows a delete or update of the parent changes. */
  readonly cascades: ReadonlyMap<string, readonly string[]>;
  /** Table oid -> the function calls in its defaults and check constraints. */
  readonly expressions: ReadonlyMap<string, SqlEffects>;
  /** Table oid -> the function calls in its row level security policies. */
  readonly policies: ReadonlyMap<string, SqlEffects>;
  readonly functions: ReadonlyMap<string, FunctionInfo>;
  readonly functionsByName: ReadonlyMap<string, readonly FunctionInfo[]>;
};

/** Extensions whose functions compute values and write no table (uuid-ossp's generators, pgcrypto, ...). */
const VALUE_EXTENSIONS = new Set([
  'uuid-ossp',
  'pgcrypto',
  'citext',
  'hstore',
  'pg_trgm',
  'ltree',
  'cube',
  'earthdistance',
  'fuzzystrmatch',
  'unaccent',
  'intarray',
  'isn',
  'btree_gin',
  'btree_gist',
  'tablefunc',
  'seg',
  'pgtap',
  'plpgsql',
]);

const USER_SCHEMA = `n.nspname not in ('pg_catalog', 'information_schema') and n.nspname !~ '^pg_(toast|temp_)'`;

const RELATIONS_SQL = `select c.oid::text, n.nspname, c.relname, c.relkind::text, (c.relkind in ('r', 'p') and not c.relispartition)::text,
    coalesce((select string_agg(i.inhparent::text, ',') from pg_inherits i where i.inhrelid = c.oid), ''),
    exists (select 1 from pg_rewrite r where r.ev_class = c.oid and r.rulename <> '_RETURN')::text
  from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p', 'v', 'm', 'f') and ${USER_SCHEMA}`;

const TRIGGERS_SQL = `select tgrelid::text, tgfoid::text from pg_trigger where not tgisinternal and tgenabled <> 'D'`;

const CASCADES_SQL = `select confrelid::text, conrelid::text from pg_constraint
  where contype = 'f' and (confdeltype in ('c', 'n', 'd') or confupdtype in ('c', 'n', 'd'))`;

const EXPRESSIONS_SQL = `select adrelid::text, pg_get_expr(adbin, adrelid) from pg_attrdef
  union all select conrelid::text, pg_get_expr(conbin, conrelid) from pg_constraint where contype = 'c' and conrelid <> 0`;

const POLICIES_SQL = `select polrelid::text, pg_get_expr(polqual, polrelid) from pg_policy where polqual is not null
  union all select polrelid::text, pg_get_expr(polwithcheck, polrelid) from pg_policy where polwithcheck is not null`;

const FUNCTIONS_SQL = `select p.oid::text, n.nspname, p.proname, l.lanname, p.provolatile::text, coalesce(e.extname, ''),
    case when p.prokind in ('f', 'p') and l.lanname in ('plpgsql', 'sql') then pg_get_functiondef(p.oid) else '' end, p.prosrc
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace join pg_language l on l.oid = p.prolang
    left join pg_depend d on d.classid = 'pg_proc'::regclass and d.objid = p.oid and d.deptype = 'e'
    left join pg_extension e on e.oid = d.refobjid
  where ${USER_SCHEMA}`;

const text = (cell: unknown): string => (cell === null || cell === undefined ? '' : String(cell));

const groupBy = <T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const item of items) map.set(keyOf(item), [...(map.get(keyOf(item)) ?? []), item]);
  return map;
};

/** What a function body does; parsed on first use only. */
const bodyEffects = (language: string, extension: string, definition: string, source: string): (() => SqlEffects) => {
  let memo: SqlEffects | undefined;
  return () =>
    (memo ??= (() => {
      if (VALUE_EXTENSIONS.has(extension)) return NO_EFFECTS;
      if (language === 'plpgsql' && definition) return effectsOfPlpgsql(definition);
      if (language === 'sql' && source.trim()) return effectsOfSql(source);
      return { ...NO_EFFECTS, opaque: `a ${language} function may write any table`, session: `a ${language} function` };
    })());
};

/** Expressions (defaults, checks, policies) of each table, as the function calls in them. */
const expressionEffects = (rows: readonly (readonly unknown[])[]): Map<string, SqlEffects> =>
  new Map(
    [...groupBy(rows, (r) => text(r[0]))].map(([table, group]) => [
      table,
      mergeEffects(group.filter((r) => text(r[1]).includes('(')).map((r) => effectsOfSql(`select ${text(r[1])}`))),
    ]),
  );

/** Reads the catalog once; the caller reloads it after SQL that may have changed the schema. */
export const loadWriteGraph = async (runQuery: Query): Promise<WriteGraph> => {
  const query: Query = (sql, values) => runQuery(ownReadOnly(sql), values);
  const [relationRows, triggerRows, cascadeRows, expressionRows, policyRows, functionRows] = await Promise.all(
    [RELATIONS_SQL, TRIGGERS_SQL, CASCADES_SQL, EXPRESSIONS_SQL, POLICIES_SQL, FUNCTIONS_SQL].map(async (sql) => (await query(sql)).rows),
  );
  const relations = new Map(
    relationRows!.map((r): [string, Relation] => {
      const [oid, schema, name, kind, counted, parents, rules] = r.map(text);
      return [
        oid!,
        {
          oid: oid!,
          key: `${schema}.${name}`,
          name: name!,
          kind: kind!,
          counted: counted === 'true',
          parents: parents ? parents.split(',') : [],
          hasRules: rules === 'true',
        },
      ];
    }),
  );
  const functions = new Map(
    functionRows!.map((r): [string, FunctionInfo] => {
      const [oid, schema, name, language, volatility, extension, definition, source] = r.map(text);
      const effects = bodyEffects(language!, extension!, definition!, source!);
      // PostgreSQL refuses writes in STABLE and IMMUTABLE SQL and PL/pgSQL functions; others promise the same.
      const writes = (): SqlEffects => (volatility === 'v' ? effects() : NO_EFFECTS);
      return [oid!, { oid: oid!, schema: schema!, name: name!, writes, effects }];
    }),
  );
  return {
    relations,
    byName: groupBy([...relations.values()], (r) => r.name),
    triggers: new Map([...groupBy(triggerRows!, (r) => text(r[0]))].map(([table, rows]) => [table, rows.map((r) => text(r[1]))])),
    cascades: new Map([...groupBy(cascadeRows!, (r) => text(r[0]))].map(([table, rows]) => [table, rows.map((r) => text(r[1]))])),
    expressions: expressionEffects(expressionRows!),
    policies: expressionEffects(policyRows!),
    functions,
    functionsByName: groupBy([...functions.values()], (f) => f.name),
  };
};

export const tablesNamed = (graph: WriteGraph, name: QualifiedName): readonly Relation[] =>
  (graph.byName.get(name.name) ?? []).filter((r) => name.schema === undefined || r.key === `${name.schema}.${name.name}`);

/** Functions a call may resolve to: pg_catalog's own write nothing, user functions of that name may. */
export const functionsNamed = (graph: WriteGraph, name: QualifiedName): readonly FunctionInfo[] =>
  name.schema === 'pg_catalog' ? [] : (graph.functionsByName.get(name.name) ?? []).filter((f) => name.schema === undefined || f.schema === name.schema);

export type ChangeScope = { readonly tables: readonly string[] } | { readonly everything: string };

/**
 * The counted tables ('schema.table', as the fingerprint names them) that `writes` can change, or
 * `everything` with the reason when that cannot be bounded.
 */
export const changeScope = (graph: WriteGraph, writes: SqlEffects): ChangeScope => {
  const tables = new Set<string>();
  const seenFunctions = new Set<string>();
  const pending: SqlEffects[] = [writes];
  const addTable = (relation: Relation): string | undefined => {
    if (tables.has(relation.oid)) return undefined;
    if (relation.kind === 'v' || relation.kind === 'm') return `writes through the view ${relation.key}`;
    if (relation.hasRules) return `${relation.key} has rules`;
    tables.add(relation.oid);
    for (const parent of relation.parents) {
      const p = graph.relations.get(parent);
      const why = p && addTable(p);
      if (why) return why;
    }
    for (const fn of graph.triggers.get(relation.oid) ?? []) {
      const info = graph.functions.get(fn);
      if (!info) return `a trigger on ${relation.key} calls a function dbspec cannot read`;
      if (!seenFunctions.has(fn)) {
        seenFunctions.add(fn);
        pending.push(info.writes());
      }
    }
    for (const child of graph.cascades.get(relation.oid) ?? []) {
      const c = graph.relations.get(child);
      const why = c && addTable(c);
      if (why) return why;
    }
    const expressions = graph.expressions.get(relation.oid);
    if (expressions) pending.push(expressions);
    return undefined;
  };
  while (pending.length > 0) {
    const next = pending.pop()!;
    if (next.opaque !== undefined) return { everything: next.opaque };
    for (const name of next.writes) {
      for (const relation of tablesNamed(graph, name)) {
        const why = addTable(relation);
        if (why) return { everything: why };
      }
    }
    for (const name of next.functions) {
      for (const fn of functionsNamed(graph, name)) {
        if (seenFunctions.has(fn.oid)) continue;
        seenFunctions.add(fn.oid);
        pending.push(fn.writes());
      }
    }
  }
  return {
    tables: [...tables]
      .map((oid) => graph.relations.get(oid)!)
      .filter((r) => r.counted)
      .map((r) => r.key)
      .sort(),
  };
};
