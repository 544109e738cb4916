/**
 * The leak check counts rows (fingerprint.ts), and count(*) reads every row version a table still holds,
 * dead ones included. A disposable database used run after run, on a server whose autovacuum is off or
 * behind, keeps the dead rows of every spec that inserted and cleaned up: 90,000 of them in three small
 * tables made a 500-spec run take 3.1 s instead of 2.4 s, and every run added more (issue 18). So before a
 * run the tables where dead rows are many and outnumber the live ones are vacuumed: a plain VACUUM, which
 * takes no lock that blocks reads or writes, and skips a table someone holds locked.
 */
import type { Database } from './database.ts';

/** Fewer dead rows than this cost a count(*) less than a millisecond: not worth a VACUUM. */
const MIN_DEAD_ROWS = 1_000;

/**
 * Tables larger than this are left alone: a VACUUM of them could hold the run's start for minutes, and
 * a test database's tables that specs fill and empty are far smaller.
 */
const MAX_TABLE_BYTES = 256 * 1024 * 1024;

/**
 * The server's own estimates (pg_stat_user_tables), which is all a threshold needs. Not dbspec's own
 * bookkeeping, and not temporary tables (another session's cannot be vacuumed).
 */
const BLOATED_TABLES = `select format('%I.%I', schemaname, relname) from pg_stat_user_tables
  where n_dead_tup > $1 and n_dead_tup > n_live_tup and schemaname <> 'dbspec' and schemaname !~ '^pg_temp_'
    and pg_total_relation_size(relid) < $2
  order by n_dead_tup desc limit 100`;

/**
 * Vacuums the tables of `db` that hold many dead rows; returns their names. Never throws: an old server
 * (SKIP_LOCKED is PostgreSQL 12+) or a role that may not vacuum only leaves the counts slower.
 */
export const vacuumDeadRows = async (db: Database): Promise<readonly string[]> => {
  try {
    const { rows } = await db.query(BLOATED_TABLES, [MIN_DEAD_ROWS, MAX_TABLE_BYTES]);
    const tables = rows.map((row) => String(row[0]));
    if (tables.length > 0) await db.query(`vacuum (skip_locked) ${tables.join(', ')}`);
    return tables;
  } catch {
    return [];
  }
};
