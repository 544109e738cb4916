import type { Cell } from '../values/cell.ts';

/**
 * The session settings that shape PostgreSQL's text output of dates, timestamps and intervals, as the server
 * reported them (ParameterStatus) when the statement ran: SQL in a spec may SET them.
 */
export type OutputStyle = {
  /** 'ISO, YMD', 'Postgres, MDY', 'SQL, DMY', 'German, DMY' */
  readonly dateStyle: string;
  /** postgres, postgres_verbose, sql_standard, iso_8601 */
  readonly intervalStyle: string;
  /** 'UTC', 'PST8PDT', 'Europe/Paris' */
  readonly timeZone: string;
};

/**
 * What a statement returned, as PostgreSQL printed it: every cell is the server's text output (json and
 * jsonb included, byte for byte), and SQL NULL is null. Keeping text keeps bigint, numeric, JSON numbers and
 * timestamps exact; `typeOid` tells how to compare, `style` how dates and intervals were printed.
 */
export type QueryResult = {
  /** The command tag's verb: SELECT, INSERT, UPDATE, DELETE, ... */
  readonly command: string;
  /** Rows returned (SELECT) or changed (INSERT/UPDATE/DELETE); null when the command has no count. */
  readonly rowCount: number | null;
  readonly columns: readonly { readonly name: string; readonly typeOid: number }[];
  readonly rows: readonly (readonly Cell[])[];
  /** Absent when the driver did not say (tests building results by hand): ISO, postgres, UTC. */
  readonly style?: OutputStyle;
};

/** A value sent as a bind parameter. */
export type ParamValue = string | number | bigint | boolean | null;
