/**
 * Row counts of every user table in one round trip, to show what a spec changed. The UNION ALL query is
 * built once; it carries the catalog's table list signature so a table created or dropped since is noticed
 * in the same round trip and the query rebuilt.
 */
import type { ParamValue, QueryResult } from './query-result.ts';

type Query = (sql: string, values?: readonly ParamValue[]) => Promise<QueryResult>;

/** User tables: no catalogs, toast or temp schemas, dbspec's own bookkeeping, or partitions (their parent counts them). */
const USER_TABLES = `from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and not c.relispartition
    and n.nspname not in ('pg_catalog', 'information_schema', 'dbspec') and n.nspname !~ '^pg_(toast|temp_)'`;

const SIGNATURE = `(select coalesce(string_agg(c.oid::text, ',' order by c.oid), '') ${USER_TABLES})`;

const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

type Plan = { readonly signature: string; readonly tables: readonly string[]; readonly sql: string };

const buildPlan = async (query: Query): Promise<Plan> => {
  const listed = await query(`select n.nspname, c.relname, ${SIGNATURE} ${USER_TABLES} union all select null, null, ${SIGNATURE}`);
  const signature = String(listed.rows.at(-1)?.[2] ?? '');
  const pairs = listed.rows.slice(0, -1).map((row) => [String(row[0]), String(row[1])] as const);
  const tables = pairs.map(([schema, table]) => `${schema}.${table}`);
  const counts = pairs.map(([schema, table], index) => `select ${index + 1}, (select count(*) from ${quoteIdent(schema)}.${quoteIdent(table)})::text`);
  return { signature, tables, sql: [`select 0 as k, ${SIGNATURE} as v`, ...counts].join('\nunion all ') };
};

const SQLSTATE_UNDEFINED_TABLE = '42P01';

export const createFingerprinter = (query: Query): (() => Promise<ReadonlyMap<string, number>>) => {
  let plan: Plan | undefined;

  const attempt = async (current: Plan): Promise<ReadonlyMap<string, number> | undefined> => {
    let result;
    try {
      result = await query(current.sql);
    } catch (error) {
      // A table dropped since the plan was built: rebuild.
      if ((error as { code?: unknown }).code === SQLSTATE_UNDEFINED_TABLE) return undefined;
      throw error;
    }
    const byKey = new Map(result.rows.map((row) => [Number(row[0]), row[1]]));
    if (byKey.get(0) !== current.signature) return undefined;
    return new Map(current.tables.map((table, index) => [table, Number(byKey.get(index + 1))]));
  };

  return async () => {
    plan ??= await buildPlan(query);
    const counts = await attempt(plan);
    if (counts) return counts;
    plan = await buildPlan(query);
    const retried = await attempt(plan);
    if (!retried) throw new Error('the set of tables kept changing while counting rows');
    return retried;
  };
};
