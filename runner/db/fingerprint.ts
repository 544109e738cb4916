/**
 * Row counts of every user table in one round trip, to show what a spec changed. The UNION ALL query is
 * built once; it carries the catalog's table list signature so a table created or dropped since is noticed
 * in the same round trip and the query rebuilt.
 */
import type { ParamValue, QueryResult } from './query-result.ts';
import { ownPrepared, ownReadOnly } from './session-state.ts';
import { quoteIdent } from '../sql/quote.ts';

type Query = (sql: string, values?: readonly ParamValue[]) => Promise<QueryResult>;

/** User tables: no catalogs, toast or temp schemas, dbspec's own bookkeeping, or partitions (their parent counts them). */
const USER_TABLES = `from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and not c.relispartition
    and n.nspname not in ('pg_catalog', 'information_schema', 'dbspec') and n.nspname !~ '^pg_(toast|temp_)'`;

const SIGNATURE = `(select coalesce(string_agg(c.oid::text, ',' order by c.oid), '') ${USER_TABLES})`;

/** Every user table, in catalog order, with the signature of that list. */
type Listing = {
  readonly signature: string;
  readonly tables: readonly string[];
  readonly listed: ReadonlySet<string>;
  readonly pairs: readonly (readonly [string, string])[];
};

const list = async (query: Query): Promise<Listing> => {
  const listed = await query(`select n.nspname, c.relname, ${SIGNATURE} ${USER_TABLES} union all select null, null, ${SIGNATURE}`);
  const signature = String(listed.rows.at(-1)?.[2] ?? '');
  const pairs = listed.rows.slice(0, -1).map((row) => [String(row[0]), String(row[1])] as const);
  const tables = pairs.map(([schema, table]) => `${schema}.${table}`);
  return { signature, tables, listed: new Set(tables), pairs };
};

/** Row counts with the transaction-id mark of the same snapshot (see written-rows.ts): one round trip for both. */
export type RowCounts = ReadonlyMap<string, number> & { readonly xidMark: string };

/**
 * One query: the next transaction id (row -1, the mark a leak explanation scans from), the signature (row
 * 0, when `signed`), then the count of each chosen table (row i+1 for the i-th).
 */
const countSql = (listing: Listing, chosen: readonly number[], signed: boolean): string =>
  [
    'select -1 as k, pg_snapshot_xmax(pg_current_snapshot())::text as v',
    ...(signed ? [`select 0, ${SIGNATURE}`] : []),
    ...chosen.map((index, i) => {
      const [schema, table] = listing.pairs[index]!;
      return `select ${i + 1}, (select count(*) from ${quoteIdent(schema)}.${quoteIdent(table)})::text`;
    }),
  ].join('\nunion all ');

const SQLSTATE_UNDEFINED_TABLE = '42P01';

/**
 * Counts rows: of every user table, or of the named ones ('schema.table'; names that are not user tables
 * are left out). The listing is cached; a table created or dropped since shows in the signature, and the
 * listing is rebuilt in the same call.
 */
export const createFingerprinter = (runQuery: Query): ((tables?: readonly string[]) => Promise<RowCounts>) => {
  // Reads only: no session reset after them.
  const query: Query = (sql, values) => runQuery(ownReadOnly(sql), values);
  // The counts run twice per spec: prepared once per connection.
  const countQuery: Query = (sql, values) => runQuery(ownPrepared(ownReadOnly(sql)), values);
  let listing: Listing | undefined;
  const sqlFor = new Map<string, { readonly sql: string; readonly chosen: readonly number[] }>();

  /** `fresh`: the listing was just read, so a named table it lacks does not exist. */
  const attempt = async (current: Listing, tables: readonly string[] | undefined, fresh: boolean): Promise<RowCounts | undefined> => {
    const key = tables === undefined ? '*' : tables.join('\n');
    // Named tables are the ones a spec's plain DML can change (execute/isolation.ts: DDL, or anything not
    // followed, counts every table): only a full count must notice tables created or dropped since the
    // listing. A named table the listing lacks sends it to be read again; one dropped since fails the
    // count (42P01), which does too. The signature scans pg_class: 0.1 to 0.25 ms of the server's time
    // per count, two counts per spec (issue 18).
    const signed = tables === undefined;
    let prepared = sqlFor.get(key);
    if (!prepared) {
      if (!fresh && tables?.some((table) => !current.listed.has(table))) return undefined;
      const wanted = tables && new Set(tables);
      const chosen = current.tables.flatMap((table, index) => (!wanted || wanted.has(table) ? [index] : []));
      prepared = { sql: countSql(current, chosen, signed), chosen };
      sqlFor.set(key, prepared);
    }
    let result;
    try {
      result = await countQuery(prepared.sql);
    } catch (error) {
      // A table dropped since the listing was made: rebuild.
      if ((error as { code?: unknown }).code === SQLSTATE_UNDEFINED_TABLE) return undefined;
      throw error;
    }
    const byKey = new Map(result.rows.map((row) => [Number(row[0]), row[1]]));
    if (signed && byKey.get(0) !== current.signature) return undefined;
    const counts = new Map(prepared.chosen.map((index, i) => [current.tables[index]!, Number(byKey.get(i + 1))]));
    return Object.assign(counts, { xidMark: String(byKey.get(-1) ?? '0') });
  };

  const relist = async (): Promise<Listing> => {
    sqlFor.clear();
    listing = await list(query);
    return listing;
  };

  return async (tables) => {
    const counts = listing ? await attempt(listing, tables, false) : await attempt(await relist(), tables, true);
    if (counts) return counts;
    const retried = await attempt(await relist(), tables, true);
    if (!retried) throw new Error('the set of tables kept changing while counting rows');
    return retried;
  };
};
