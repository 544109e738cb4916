/**
 * Every piece of SQL of a spec with the database it goes to, in the order the spec runs it: what the
 * database check (db-check/) and the shared-target guard look at.
 */
import type { SqlText, Spec, Step } from './types.ts';

export type Piece = {
  readonly db: string;
  readonly sql: SqlText;
  /** The step expects an error: whatever PostgreSQL says about it is the spec's business, not a mistake. */
  readonly errorExpected: boolean;
};

const expectsError = (step: Step): boolean => {
  if (step.kind === 'query' || step.kind === 'transaction') return step.expect?.error !== undefined;
  if (step.kind === 'concurrent') return Object.keys(step.expect.failed ?? {}).length > 0;
  return false;
};

const stepPieces = (step: Step): Piece[] => {
  const errorExpected = expectsError(step);
  switch (step.kind) {
    case 'query':
    case 'concurrent':
    case 'benchmark':
      return [{ db: step.db, sql: step.sql, errorExpected }];
    case 'transaction':
      return step.statements.map((sql) => ({ db: step.db, sql, errorExpected }));
    case 'compare':
      return [step.left, step.right].map((side) => ({ db: side.db, sql: side.sql, errorExpected }));
  }
};

export const piecesOf = (spec: Spec): Piece[] => [
  ...spec.setup.map((block) => ({ db: block.db, sql: block.sql, errorExpected: false })),
  ...spec.steps.flatMap(stepPieces),
  ...spec.cleanup.map((block) => ({ db: block.db, sql: block.sql, errorExpected: false })),
];
