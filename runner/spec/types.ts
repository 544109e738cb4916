/**
 * The typed model of a spec after loading and validation. Every node keeps the source location it came
 * from so that any later failure (a wrong row, a SQL error) points back at the line a person wrote.
 * Step kinds are a discriminated union on `kind`.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { YamlNumber } from './yaml-number.ts';

/**
 * A value written in YAML: expected cell values, variable values. Integers keep full precision (bigint),
 * decimals and integers with a form of their own (0101, 0x1F) their source text (YamlNumber), maps and lists
 * stay as written. Strings may hold `${var}` references, resolved by the plan stage.
 */
export type YamlValue = null | boolean | number | bigint | YamlNumber | string | YamlValue[] | { [key: string]: YamlValue };

/** A value matcher written in place of a plain expected value. */
export type Matcher =
  | { readonly matcher: 'any' }
  | { readonly matcher: 'null' }
  | { readonly matcher: 'not_null' }
  | { readonly matcher: 'regex'; readonly pattern: string }
  | {
      readonly matcher: 'type';
      /** uuid | integer | number | string | boolean | timestamp | date | json | array */
      readonly type: string;
    }
  /** Both as decimal text, exactly as written ('0.1', '1e-9'). */
  | { readonly matcher: 'approx'; readonly value: string; readonly tolerance: string }
  /** The bound as decimal text as written, or a `${var}` reference until the plan stage resolves it. */
  | { readonly matcher: 'compare'; readonly op: 'gt' | 'gte' | 'lt' | 'lte'; readonly value: string }
  /** `{ json: ... }`: a literal JSON value that would otherwise read as a matcher. */
  | { readonly matcher: 'json'; readonly value: YamlValue };

/** An expected cell: a plain value (may contain `${var}`) or a matcher. */
export type ExpectedValue = { readonly value: YamlValue; readonly loc: SourceLocation } | (Matcher & { readonly loc: SourceLocation });

export type ExpectedRow = { readonly cells: Readonly<Record<string, ExpectedValue>>; readonly loc: SourceLocation };

/** Where a piece of SQL came from: the YAML scalar's location, and how to map an offset inside it to a line. */
export type SqlText = {
  /** The SQL as written, with `${var}` references still in place. */
  readonly text: string;
  readonly loc: SourceLocation;
  /**
   * Location of each character offset of `text` in the file (block scalars are indented, so the mapping is
   * per line): `lineStarts[i]` is the SourceLocation of the first character of the i-th line of `text`.
   */
  readonly lineStarts: readonly SourceLocation[];
};

/**
 * An expected error (sqllogictest-rs's `ExpectedError`): every field given must hold; none given means any
 * error. The matching rule lives with the type, in spec/expectation.ts (`errorMatches`).
 */
export type ExpectedError = {
  /** Five-character SQLSTATE, e.g. 23505. */
  readonly code?: string;
  readonly constraint?: string;
  /** A regular expression the PostgreSQL error message must match. */
  readonly message?: string;
  readonly loc: SourceLocation;
};

/** `expect:` with rows, a count or nothing: the last statement must succeed and return this. */
export type ResultExpectation = {
  readonly kind: 'result';
  /** Exactly these rows (a multiset unless ordered). */
  readonly rows?: readonly ExpectedRow[];
  /** At least these rows among the actual ones. */
  readonly includes?: readonly ExpectedRow[];
  /** None of these rows among the actual ones. */
  readonly excludes?: readonly ExpectedRow[];
  readonly ordered: boolean;
  /** 'written': only the columns written in the expected rows are compared; 'exact': the column sets must match. */
  readonly columns: 'written' | 'exact';
  /** The command's row count: rows returned by a SELECT, rows changed by INSERT/UPDATE/DELETE. */
  readonly count?: number;
  readonly loc: SourceLocation;
};

/** `expect: { error: ... }`: the step must fail like this (and so returns no rows to compare). */
export type ErrorExpectation = {
  readonly kind: 'error';
  readonly error: ExpectedError;
  /** Where `expect:` is written; `error.loc` is where `error:` is. */
  readonly loc: SourceLocation;
};

/**
 * What a query or transaction step must produce: a sum type (as sqllogictest-rs's `QueryExpect`), so a
 * result and an error can never both be expected. Checked by `checkExpectation` in execute/expectation.ts.
 */
export type Expectation = ResultExpectation | ErrorExpectation;

/** Retry the step until its expectation holds or `withinMs` has passed (data that arrives through events). */
export type Eventually = { readonly withinMs: number; readonly everyMs: number; readonly loc: SourceLocation };

/** A statement block against one database, as in setup and cleanup. */
export type SqlBlock = { readonly db: string; readonly sql: SqlText; readonly loc: SourceLocation };

/** `skip: reason` (not run) or `todo: reason` (run, a failure expected and not failing the run). */
export type Known = { readonly kind: 'skip' | 'todo'; readonly reason: string; readonly loc: SourceLocation };

type StepBase = {
  readonly name: string;
  readonly loc: SourceLocation;
  readonly known?: Known;
  /** Timeout for this step in ms, overriding the run's --timeout. */
  readonly timeoutMs?: number;
};

/** Run SQL (one or more statements, in one transaction) against one database and check the last result. */
export type QueryStep = StepBase & {
  readonly kind: 'query';
  readonly db: string;
  readonly sql: SqlText;
  readonly expect?: Expectation;
  /** Variable name -> column of the first result row, for later steps. */
  readonly capture: Readonly<Record<string, { readonly column: string; readonly loc: SourceLocation }>>;
  /** Metric name -> column of the first result row, recorded into results. */
  readonly metrics: Readonly<Record<string, { readonly column: string; readonly loc: SourceLocation }>>;
  readonly eventually?: Eventually;
};

/** Statements in one explicit transaction, committed or (rollback: true) rolled back at the end. */
export type TransactionStep = StepBase & {
  readonly kind: 'transaction';
  readonly db: string;
  readonly statements: readonly SqlText[];
  readonly rollback: boolean;
  /** Checked against the last statement's result, or the error that aborted the transaction. */
  readonly expect?: Expectation;
};

/** N sessions run the same SQL at once (optionally released together by a barrier). */
export type ConcurrentStep = StepBase & {
  readonly kind: 'concurrent';
  readonly db: string;
  readonly sessions: number;
  /** Run in `${session}` (1..N) is available. */
  readonly sql: SqlText;
  readonly barrier: boolean;
  readonly expect: ConcurrentExpectation;
};

/** How many of a concurrent step's sessions succeed, and how many fail with which SQLSTATE. */
export type ConcurrentExpectation = {
  readonly succeeded?: number;
  /** SQLSTATE -> how many sessions failed with it. */
  readonly failed?: Readonly<Record<string, number>>;
  readonly loc: SourceLocation;
};

export type CompareSide = { readonly db: string; readonly sql: SqlText; readonly loc: SourceLocation };

/** The same question asked of two databases: the answers must be equal, or one contained in the other. */
export type CompareStep = StepBase & {
  readonly kind: 'compare';
  readonly left: CompareSide;
  readonly right: CompareSide;
  /** subset: every left row is among the right rows; superset: the reverse. */
  readonly relation: 'equal' | 'subset' | 'superset';
  readonly ordered: boolean;
};

export type LatencyBound = { readonly stat: 'avg_ms' | 'p50_ms' | 'p95_ms' | 'p99_ms' | 'max_ms'; readonly maxMs: number; readonly loc: SourceLocation };

/** A statement repeated `iterations` times over `concurrency` connections, latency recorded and bounded. */
export type BenchmarkStep = StepBase & {
  readonly kind: 'benchmark';
  readonly db: string;
  /** `${iteration}` (1..iterations) is available. */
  readonly sql: SqlText;
  readonly iterations: number;
  readonly concurrency: number;
  readonly warmup: number;
  readonly bounds: readonly LatencyBound[];
  /** Metric name -> statistic, to record a statistic under a name of the spec's choosing. */
  readonly metrics: Readonly<Record<string, { readonly stat: LatencyBound['stat']; readonly loc: SourceLocation }>>;
};

export type Step = QueryStep | TransactionStep | ConcurrentStep | CompareStep | BenchmarkStep;
export type StepKind = Step['kind'];

/** A variable declared under `vars:`; `value` may contain `${uuid}` and other references. */
export type VarDecl = { readonly name: string; readonly value: YamlValue; readonly loc: SourceLocation };

export type Spec = {
  /** Path as given relative to the working directory, with forward slashes. */
  readonly file: string;
  readonly name: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly vars: readonly VarDecl[];
  readonly setup: readonly SqlBlock[];
  readonly steps: readonly Step[];
  readonly cleanup: readonly SqlBlock[];
  /** Every database the spec touches, in first-use order. */
  readonly databases: readonly string[];
  readonly loc: SourceLocation;
  /** `skip:` or `todo:` on the whole spec. */
  readonly known?: Known;
};

/** Names that are always defined. `session` and `iteration` only inside concurrent and benchmark steps. */
export const BUILTIN_VARS = ['uuid', 'run_id', 'spec_id', 'now', 'today', 'random_int', 'session', 'iteration'] as const;
