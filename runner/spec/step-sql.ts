/**
 * The SQL and databases each step kind holds, asked by binding, validation, --db-check, list and results.
 * (Interim: the step-kind module of #13 takes this over.)
 */
import { interleaveSql } from './build-interleave.ts';
import type { Step, SqlText } from './types.ts';

/** Each piece of SQL with the database it runs on and the loop variable it may use. */
export const sqlPiecesOf = (step: Step): { readonly db: string; readonly sql: SqlText; readonly extra?: 'session' | 'iteration' }[] => {
  switch (step.kind) {
    case 'query':
      return [{ db: step.db, sql: step.sql }];
    case 'concurrent':
      return [{ db: step.db, sql: step.sql, extra: 'session' }];
    case 'benchmark':
      return [{ db: step.db, sql: step.sql, extra: 'iteration' }];
    case 'transaction':
      return step.statements.map((sql) => ({ db: step.db, sql }));
    case 'compare':
      return [step.left, step.right].map((side) => ({ db: side.db, sql: side.sql }));
    case 'interleave': {
      const dbOf = new Map(step.sessions.map((s) => [s.name, s.db]));
      return [
        ...step.setup.map((b) => ({ db: b.db, sql: b.sql })),
        ...step.sessions.flatMap((s) => [
          ...(s.setup ? [{ db: s.db, sql: s.setup }] : []),
          ...s.statements.map((st) => ({ db: dbOf.get(st.session)!, sql: st.sql })),
        ]),
        ...step.teardown.map((b) => ({ db: b.db, sql: b.sql })),
      ];
    }
    case 'upgrade':
    case 'schema':
      return [];
  }
};

export const sqlTextsOfStep = (step: Step): SqlText[] => (step.kind === 'interleave' ? interleaveSql(step) : sqlPiecesOf(step).map((p) => p.sql));

/** The databases a step names, as one label: `auth`, `auth, backend`. */
export const dbLabelOf = (step: Step, separator = ', '): string => {
  if (step.kind === 'compare') return `${step.left.db}${separator}${step.right.db}`;
  if (step.kind === 'interleave') return [...new Set(step.sessions.map((s) => s.db))].join(separator);
  return step.db;
};

/** The connections a step holds at once, so that the pool never starves it. */
export const connectionsOf = (step: Step): number => {
  if (step.kind === 'concurrent') return step.sessions;
  if (step.kind === 'benchmark') return step.concurrency;
  // Each session holds one; blocking is watched from one more.
  if (step.kind === 'interleave') return step.sessions.length + 1;
  return 1;
};
