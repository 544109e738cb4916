import type { Cell } from '../results/types.ts';

/**
 * What a statement returned, as PostgreSQL printed it: every cell is the server's text output (with the
 * session in UTC, DateStyle ISO, IntervalStyle postgres), except json/jsonb which are parsed, and SQL NULL
 * which is null. Keeping text keeps bigint, numeric and timestamps exact; `typeOid` tells how to compare.
 */
export type QueryResult = {
  /** The command tag's verb: SELECT, INSERT, UPDATE, DELETE, ... */
  readonly command: string;
  /** Rows returned (SELECT) or changed (INSERT/UPDATE/DELETE); null when the command has no count. */
  readonly rowCount: number | null;
  readonly columns: readonly { readonly name: string; readonly typeOid: number }[];
  readonly rows: readonly (readonly Cell[])[];
};

/** A value sent as a bind parameter. */
export type ParamValue = string | number | bigint | boolean | null;
