/**
 * Which rows were written since a moment: every row version carries the id of the transaction that wrote
 * it (`xmin`), and transaction ids grow. A mark is the next id to be handed out; a row whose `xmin` lies
 * between two marks was inserted (or updated) in between. This only explains a change the row counts
 * already found: the scan runs for the tables that changed, after the fact, and returns only those rows,
 * so it stays cheap on big tables and costs nothing while nothing leaks. Knows nothing of specs.
 */
import type { ParamValue, QueryResult } from './query-result.ts';
import { quoteIdent } from '../sql/quote.ts';

type Query = (sql: string, values?: readonly ParamValue[]) => Promise<QueryResult>;

/** The next transaction id, as a 64-bit decimal string. */
export type XidMark = string;

export type TableShape = {
  /** 'schema.table' as the row counts name it. */
  readonly table: string;
  readonly columns: readonly string[];
  readonly primaryKey: readonly string[];
  /** Tables this one references by a foreign key. */
  readonly references: readonly string[];
  /** Triggers on this table: name and the source of their function (to guess which tables they write). */
  readonly triggers: readonly { readonly name: string; readonly functionName: string; readonly source: string }[];
};

const SHAPES = `with t as (
  select c.oid, n.nspname || '.' || c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
  where c.relkind in ('r', 'p') and n.nspname not in ('pg_catalog', 'information_schema'))
select t.name,
  (select coalesce(json_agg(a.attname order by a.attnum), '[]') from pg_attribute a where a.attrelid = t.oid and a.attnum > 0 and not a.attisdropped),
  (select coalesce(json_agg(a.attname order by k.ord), '[]') from pg_index i cross join unnest(i.indkey) with ordinality k(attnum, ord)
     join pg_attribute a on a.attrelid = t.oid and a.attnum = k.attnum where i.indrelid = t.oid and i.indisprimary),
  (select coalesce(json_agg(distinct p.name), '[]') from pg_constraint f join t p on p.oid = f.confrelid where f.conrelid = t.oid and f.contype = 'f'),
  (select coalesce(json_agg(json_build_array(g.tgname, f.proname, f.prosrc) order by g.tgname), '[]')
     from pg_trigger g join pg_proc f on f.oid = g.tgfoid where g.tgrelid = t.oid and not g.tgisinternal)
from t order by t.name`;

/** json cells arrive as text (the text driver keeps json lossless) or, from older paths, parsed. */
const parsed = (cell: unknown): unknown => (typeof cell === 'string' ? JSON.parse(cell) : cell);

const strings = (cell: unknown): string[] => {
  const value = parsed(cell);
  return Array.isArray(value) ? value.map(String) : [];
};

/** Every user table of the database with its keys, foreign keys and triggers (one catalog query). */
export const tableShapes = async (query: Query): Promise<TableShape[]> =>
  (await query(SHAPES)).rows.map((row) => ({
    table: String(row[0]),
    columns: strings(row[1]),
    primaryKey: strings(row[2]),
    references: strings(row[3]),
    triggers: ((Array.isArray(parsed(row[4])) ? parsed(row[4]) : []) as unknown[]).map((t) => {
      const [name, functionName, source] = strings(t);
      return { name: name ?? '', functionName: functionName ?? '', source: source ?? '' };
    }),
  }));

export const quoteTable = (table: string): string => {
  const dot = table.indexOf('.');
  return `${quoteIdent(table.slice(0, dot))}.${quoteIdent(table.slice(dot + 1))}`;
};

const XID_SPACE = 4294967296n;

/** A row as PostgreSQL prints it, column name -> text (null for NULL). */
export type WrittenRow = Readonly<Record<string, string | null>>;

/**
 * The rows of `shape` whose current version was written between the two marks, at most `limit`, in primary
 * key order. `xmin` is 32 bits and wraps: distances are taken modulo 2^32 from the first mark.
 */
export const rowsWrittenBetween = async (query: Query, shape: TableShape, from: XidMark, to: XidMark, limit: number): Promise<WrittenRow[]> => {
  const start = BigInt(from);
  const span = BigInt(to) - start;
  if (span <= 0n || shape.columns.length === 0) return [];
  const low = start % XID_SPACE;
  const cells = shape.columns.map((c) => `${quoteIdent(c)}::text`).join(', ');
  const order = shape.primaryKey.length > 0 ? ` order by ${shape.primaryKey.map(quoteIdent).join(', ')}` : '';
  const sql = `select ${cells} from ${quoteTable(shape.table)} where (xmin::text::bigint - ${low} + ${XID_SPACE}) % ${XID_SPACE} < ${span}${order} limit ${limit}`;
  const result = await query(sql);
  return result.rows.map((row) => Object.fromEntries(shape.columns.map((c, i) => [c, row[i] === null || row[i] === undefined ? null : String(row[i])])));
};
