/**
 * When is a pooled connection reset (DISCARD ALL) before another step gets it? Always, once it has run a
 * statement of a spec; only dbspec's own fixed statements below (and our BEGIN/COMMIT/ROLLBACK, tracked
 * apart) leave it as it is.
 *
 * Why not decide from the statement: a proof that a statement cannot change session state would have to
 * see everything it calls, and its text does not show that. `update pg_settings set setting = ...` is a
 * plain UPDATE; `select * from v` may read a view that calls set_config; `lower(x)` resolves to
 * `public.lower(int)` when someone created one and x is an integer; a trigger, a rule, a column default or a
 * row-level-security policy can call anything. Parsing (libpg-query) shows none of these, and asking the
 * catalog per statement costs the round trip the proof was meant to save. Comparing the session's state
 * after each step costs that round trip too and can miss what no view exposes (a held advisory lock,
 * sequence state, a prepared statement of a function). So the reset is unconditional: one DISCARD ALL,
 * about 0.1 ms on a local server, per pooled statement.
 */

/** Statements dbspec itself sends that read a setting or a counter and change nothing. */
const OWN_READ_ONLY = new Set(['show server_version', 'select pg_backend_pid()']);

/** Our own transaction control: leaves no state once the transaction has ended. */
export const TRANSACTION_CONTROL = new Set(['begin', 'commit', 'rollback']);

/** Does a connection that ran `sql` need a reset before it is handed on? */
export const mayChangeSession = (sql: string): boolean => !OWN_READ_ONLY.has(sql);
