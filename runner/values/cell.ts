/**
 * A cell of a result row, as every stage holds it: the database layer reads it, execute compares it,
 * results.json stores it, reports print it. Below all of them, so none imports another stage for it.
 */

/** A cell as PostgreSQL printed it (text), a parsed JSON value for json/jsonb, or null for SQL NULL. */
export type Cell = null | string | number | boolean | CellJson[] | { [k: string]: CellJson };
type CellJson = null | string | number | boolean | CellJson[] | { [k: string]: CellJson };

/** A uuid as PostgreSQL prints one (either case): how a text cell is known to hold a uuid. */
export const UUID_TEXT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
