/**
 * Turns validated specs into something ready to send: every piece of SQL is bound once, here, to
 * PostgreSQL text with $n placeholders, so execution never parses. Binding already succeeded during
 * validation; a failure here is a bug, not an authoring mistake.
 */
import { bindSql, type BoundStatement } from '../spec/bind.ts';
import { stepSql } from '../spec/step-kinds.ts';
import type { SqlText, Spec } from '../spec/types.ts';
import { ensureParser } from '../sql/split.ts';
import { mergeEffects, NO_EFFECTS, type SqlEffects } from '../sql/effects.ts';

export type Plan = {
  readonly specs: readonly Spec[];
  /** The statements of a piece of SQL from one of the specs, looked up by identity. */
  readonly statementsOf: (sql: SqlText) => readonly BoundStatement[];
  /** What the spec's SQL (setup, steps, cleanup) writes, per database it names. */
  readonly effectsOf: (spec: Spec) => ReadonlyMap<string, SqlEffects>;
};

export const planRun = async (specs: readonly Spec[]): Promise<Plan> => {
  await ensureParser();
  const bound = new Map<SqlText, readonly BoundStatement[]>();
  const bind = (sql: SqlText): void => {
    if (sql.bound) {
      bound.set(sql, sql.bound);
      return;
    }
    const { statements, diagnostics } = bindSql(sql);
    if (diagnostics.length > 0) throw new Error(`internal: SQL at ${sql.loc.file}:${sql.loc.line} failed to bind after validation: ${diagnostics[0]!.message}`);
    bound.set(sql, statements);
  };
  for (const spec of specs) {
    for (const block of [...spec.setup, ...spec.cleanup]) bind(block.sql);
    for (const step of spec.steps) for (const piece of stepSql(step)) bind(piece.sql);
  }
  const statementsOf = (sql: SqlText): readonly BoundStatement[] => {
    const statements = bound.get(sql);
    if (!statements) throw new Error(`internal: SQL at ${sql.loc.file}:${sql.loc.line} was not planned`);
    return statements;
  };
  const effectsOf = (spec: Spec): ReadonlyMap<string, SqlEffects> => {
    const pieces = [...spec.setup, ...spec.cleanup, ...spec.steps.flatMap(stepSql)].map((piece) => [piece.db, piece.sql] as const);
    const byDatabase = new Map<string, SqlEffects[]>();
    for (const [db, sql] of pieces)
      byDatabase.set(db, [
        ...(byDatabase.get(db) ?? []),
        ...statementsOf(sql).map((s) => s.effects ?? { ...NO_EFFECTS, opaque: 'not analysed', session: 'not analysed' }),
      ]);
    return new Map([...byDatabase].map(([db, writes]) => [db, mergeEffects(writes)]));
  };
  return { specs, statementsOf, effectsOf };
};
