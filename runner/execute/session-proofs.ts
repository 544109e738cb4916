/**
 * Before a spec runs, each database it names is told which of the spec's statements provably cannot change
 * their session (db/session-proof.ts, from the parse tree and the catalog): the pooled connection skips its
 * DISCARD ALL after those, and only those. A database the spec does not name proves nothing, so that what
 * an earlier spec proved never outlives it.
 */
import type { Database } from '../db/database.ts';
import type { Plan } from '../plan/plan.ts';
import type { BoundStatement } from '../spec/bind.ts';
import { stepSql } from '../spec/step-kinds.ts';
import type { Spec } from '../spec/types.ts';

export const proveSessions = async (plan: Plan, spec: Spec, databases: ReadonlyMap<string, Database>): Promise<void> => {
  const byDatabase = new Map<string, BoundStatement[]>();
  for (const piece of [...spec.setup, ...spec.cleanup, ...spec.steps.flatMap(stepSql)])
    byDatabase.set(piece.db, [...(byDatabase.get(piece.db) ?? []), ...plan.statementsOf(piece.sql)]);
  // A proof that cannot be had (the catalog unreadable) leaves every statement followed by its reset.
  await Promise.all([...databases].map(([name, db]) => db.proveSessionSafe(byDatabase.get(name) ?? []).catch(() => undefined)));
};
