/**
 * The names a misspelt table or column could have meant, read from information_schema inside the check's
 * own transaction (so tables the spec created a moment ago count too).
 */
import type { Session } from '../db/database.ts';

const VISIBLE = 'table_schema = any(current_schemas(false))';

/** Tables and views on the search path. */
export const tableNames = async (session: Session): Promise<string[]> =>
  (await session.query(`select table_name from information_schema.tables where ${VISIBLE} order by 1`)).rows.map((row) => String(row[0]));

/** Columns of the given tables; of every visible table when none of them has any (they may be CTE names). */
export const columnNames = async (session: Session, tables: readonly string[]): Promise<string[]> => {
  const of = async (filter: string, values: string[]): Promise<string[]> =>
    (await session.query(`select distinct column_name from information_schema.columns where ${VISIBLE}${filter} order by 1`, values)).rows.map((row) =>
      String(row[0]),
    );
  const named = tables.length > 0 ? await of(' and table_name = any(string_to_array($1, chr(1)))', [tables.join('\u0001')]) : [];
  return named.length > 0 ? named : of('', []);
};
