/**
 * What each step kind holds, said once: the YAML key that marks it, the databases it names, every piece of
 * SQL it sends (with the extra built-in variables in scope there), whether it expects an error, the
 * expectation holding its expected rows, how many connections it holds, the variables it captures and the
 * metrics it records. Every stage asks here instead of switching on `kind` itself: spec/build.ts,
 * spec/schema-check.ts, spec/meaning.ts, plan/plan.ts, db-check/check-spec.ts, execute/run-spec.ts,
 * commands/list.ts, commands/run.ts, update/record.ts.
 *
 * To add a step kind `foo` (tsc reports each of 3-5 until it is there):
 *  1. spec/types.ts: a `FooStep` type with `kind: 'foo'`, added to the `Step` union.
 *  2. schema/spec.schema.json (the YAML shape, under the key of 3) and specs/README.md (for authors).
 *  3. here: a `foo` entry in STEP_KINDS.
 *  4. spec/build.ts: its builder from YAML, in BUILDERS.
 *  5. execute/steps/foo.ts: its executor, in EXECUTORS of execute/run-spec.ts.
 *  6. commands/explain-steps.ts: how `dbspec explain` says it in words, in IN_WORDS.
 * An `expect:` of rows or an error reuses `Expectation` (types.ts), checked by execute/expectation.ts.
 * Listing, planning (binding SQL), variable and SQL checks, db-check and results need nothing more.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { Expectation, SqlText, Step, StepKind } from './types.ts';

/** One piece of SQL a step sends. */
export type SqlPiece = {
  readonly db: string;
  readonly sql: SqlText;
  /** Built-in variables in scope only here (`session` in a concurrent step, `iteration` in a benchmark). */
  readonly vars?: readonly string[];
};

/** A name a step defines for later use: a captured variable or a recorded metric. */
export type Named = { readonly name: string; readonly loc: SourceLocation };

type KindInfo<S extends Step> = {
  /** The key that marks a step of this kind in YAML (exactly one such key per step). */
  readonly yamlKey: string;
  /** The databases it names, in the order written (a compare step names both sides, even the same one twice). */
  readonly databases: (step: S) => readonly string[];
  /** Every piece of SQL, in the order written. */
  readonly sql: (step: S) => readonly SqlPiece[];
  /** Whether the step passes only when PostgreSQL raises an error (db-check then leaves its SQL alone). */
  readonly expectsError: (step: S) => boolean;
  /** The `expect:` checked by execute/expectation.ts (expected rows may hold `${var}`), if the kind has one. */
  readonly expectation: (step: S) => Expectation | undefined;
  /** The most connections it holds at once (the pool must never starve a barrier). */
  readonly connections: (step: S) => number;
  /** Variables it captures for the steps after it. */
  readonly captures: (step: S) => readonly Named[];
  /** Metric names it records into results under the spec's chosen names. */
  readonly metrics: (step: S) => readonly Named[];
};

const none = (): readonly Named[] => [];
const named = (map: Readonly<Record<string, { readonly loc: SourceLocation }>>): Named[] => Object.entries(map).map(([name, v]) => ({ name, loc: v.loc }));
const isError = (e: Expectation | undefined): boolean => e?.kind === 'error';

export const STEP_KINDS: { readonly [K in StepKind]: KindInfo<Extract<Step, { kind: K }>> } = {
  query: {
    yamlKey: 'sql',
    databases: (s) => [s.db],
    sql: (s) => [{ db: s.db, sql: s.sql }],
    expectsError: (s) => isError(s.expect),
    expectation: (s) => s.expect,
    connections: () => 1,
    captures: (s) => named(s.capture),
    metrics: (s) => named(s.metrics),
  },
  transaction: {
    yamlKey: 'transaction',
    databases: (s) => [s.db],
    sql: (s) => s.statements.map((sql) => ({ db: s.db, sql })),
    expectsError: (s) => isError(s.expect),
    expectation: (s) => s.expect,
    connections: () => 1,
    captures: none,
    metrics: none,
  },
  concurrent: {
    yamlKey: 'concurrent',
    databases: (s) => [s.db],
    sql: (s) => [{ db: s.db, sql: s.sql, vars: ['session'] }],
    expectsError: (s) => Object.keys(s.expect.failed ?? {}).length > 0,
    expectation: () => undefined,
    connections: (s) => s.sessions,
    captures: none,
    metrics: none,
  },
  compare: {
    yamlKey: 'compare',
    databases: (s) => [s.left.db, s.right.db],
    sql: (s) => [s.left, s.right].map((side) => ({ db: side.db, sql: side.sql })),
    expectsError: () => false,
    expectation: () => undefined,
    connections: () => 1,
    captures: none,
    metrics: none,
  },
  benchmark: {
    yamlKey: 'benchmark',
    databases: (s) => [s.db],
    sql: (s) => [{ db: s.db, sql: s.sql, vars: ['iteration'] }],
    expectsError: () => false,
    expectation: () => undefined,
    connections: (s) => s.concurrency,
    captures: none,
    metrics: (s) => named(s.metrics),
  },
  interleave: {
    yamlKey: 'interleave',
    // Several sessions usually share a database: each is named once.
    databases: (s) => [...new Set([...s.setup.map((b) => b.db), ...s.sessions.map((x) => x.db), ...s.teardown.map((b) => b.db)])],
    sql: (s) => [
      ...s.setup.map((b) => ({ db: b.db, sql: b.sql })),
      ...s.sessions.flatMap((x) => [...(x.setup ? [{ db: x.db, sql: x.setup }] : []), ...x.statements.map((st) => ({ db: x.db, sql: st.sql }))]),
      ...s.teardown.map((b) => ({ db: b.db, sql: b.sql })),
    ],
    // Which statements fail depends on the order; db-check leaves an interleaving's SQL alone.
    expectsError: () => true,
    expectation: () => undefined,
    // One per session, and one more that watches for waits.
    connections: (s) => s.sessions.length + 1,
    captures: none,
    metrics: none,
  },
  upgrade: {
    yamlKey: 'upgrade',
    databases: (s) => [s.db],
    sql: () => [],
    expectsError: () => false,
    expectation: () => undefined,
    // Connects to the fresh database it creates, besides the configured one.
    connections: () => 2,
    captures: none,
    metrics: none,
  },
  schema: {
    yamlKey: 'schema',
    databases: (s) => [s.db],
    sql: () => [],
    expectsError: () => false,
    expectation: () => undefined,
    connections: () => 1,
    captures: none,
    metrics: none,
  },
};

/** The YAML keys that mark a step kind, in the order the kinds are declared. */
export const STEP_KEYS: readonly string[] = Object.values(STEP_KINDS).map((k) => k.yamlKey);

/** The kind whose YAML key is `key`. */
export const kindOfKey = (key: string): StepKind | undefined => (Object.keys(STEP_KINDS) as StepKind[]).find((k) => STEP_KINDS[k].yamlKey === key);

const info = <S extends Step>(step: S): KindInfo<S> => STEP_KINDS[step.kind] as unknown as KindInfo<S>;

export const stepSql = (step: Step): readonly SqlPiece[] => info(step).sql(step);

export const stepDatabases = (step: Step): readonly string[] => info(step).databases(step);

export const stepExpectsError = (step: Step): boolean => info(step).expectsError(step);

export const stepExpectation = (step: Step): Expectation | undefined => info(step).expectation(step);

export const stepConnections = (step: Step): number => info(step).connections(step);

export const stepCaptures = (step: Step): readonly Named[] => info(step).captures(step);

export const stepMetrics = (step: Step): readonly Named[] => info(step).metrics(step);
