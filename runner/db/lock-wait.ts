/**
 * Is a session waiting on another one? Asked from a separate connection, as PostgreSQL's isolation tester
 * does: `pg_isolation_test_session_is_blocked` sees heavyweight-lock waits (through pg_blocking_pids) and
 * waits for a safe snapshot, counting only the sessions named, so a passing autovacuum does not count.
 */
import type { Database } from './database.ts';

export const isBlockedBy = async (control: Database, pid: number, by: readonly number[]): Promise<boolean> => {
  const others = by.filter((p) => p !== pid);
  if (others.length === 0) return false;
  const result = await control.query('select pg_isolation_test_session_is_blocked($1, $2::int[]) as blocked', [pid, `{${others.join(',')}}`]);
  return result.rows[0]?.[0] === 't' || result.rows[0]?.[0] === true;
};
