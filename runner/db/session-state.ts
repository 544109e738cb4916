/**
 * When is a pooled connection reset (DISCARD ALL) before another step gets it? After every statement of a
 * spec, unless the statement was proven unable to change its session; dbspec's own fixed statements below
 * (and our BEGIN/COMMIT/ROLLBACK, tracked apart) never need one.
 *
 * Which approach and why: a proof, decided before the spec runs, not a comparison of the session after each
 * step. The statement's text alone proves nothing (`update pg_settings set setting = ...` is a plain UPDATE;
 * `select * from v` may read a view that calls set_config; `lower(x)` resolves to `public.lower(int)` when
 * someone created one; a trigger, a rule, a default or a row-level-security policy can call anything), so
 * db/session-proof.ts follows the parse tree (sql/effects.ts) into the catalog (write-graph.ts): views,
 * functions by every overload of their name, triggers, defaults, policies, and the bodies of what they call.
 * Only what it proves safe skips the reset (Database.proveSessionSafe, fed by execute/session-proofs.ts per
 * spec); a spec with DDL proves nothing, as its DDL may change what the proof read. Comparing the session's
 * state after each step would cost a round trip per step and can miss what no view exposes (a held advisory
 * lock, a prepared statement made by a function), so it is not used. Unproven, the reset costs one DISCARD
 * ALL, about 0.1 ms on a local server.
 */

/** Statements dbspec itself sends that read a setting or a counter and change nothing. */
const OWN_READ_ONLY = new Set(['show server_version', 'select pg_backend_pid()']);

/** Our own transaction control: leaves no state once the transaction has ended. */
export const TRANSACTION_CONTROL = new Set(['begin', 'commit', 'rollback']);

/**
 * dbspec's own generated reads (row counts, transaction-id marks, catalog reads for the leak check): they
 * change nothing, so the connection is not reset after them. Returns `sql`, for use at the call.
 */
export const ownReadOnly = (sql: string): string => {
  OWN_READ_ONLY.add(sql);
  return sql;
};

/**
 * dbspec's own reads that run before and after every spec (the leak check's counts): each connection
 * prepares them once, as a named statement, instead of the server planning a union of subqueries twice per
 * spec (0.3 to 0.6 ms each, issue 18). Returns `sql`, for use at the call.
 */
const PREPARED = new Map<string, string>();
export const ownPrepared = (sql: string): string => {
  if (!PREPARED.has(sql)) PREPARED.set(sql, `dbspec_own_${PREPARED.size + 1}`);
  return sql;
};

/** The prepared statement's name for one of ownPrepared's texts; undefined for any other. */
export const preparedName = (sql: string): string | undefined => PREPARED.get(sql);

/** Does a connection that ran `sql` need a reset before it is handed on? */
export const mayChangeSession = (sql: string): boolean => !OWN_READ_ONLY.has(sql);
