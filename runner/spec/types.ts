/**
 * The typed model of a spec after loading and validation. Every node keeps the source location it came
 * from so that any later failure (a wrong row, a SQL error) points back at the line a person wrote.
 * Step kinds are a discriminated union on `kind`.
 */
import type { BoundStatement } from './bind.ts';
import type { SourceLocation } from '../diagnostics.ts';
import type { Expectation } from './expectation.ts';
import type { YamlNumber } from './yaml-number.ts';

export type { ErrorExpectation, ExpectedError, ExpectedRow, ExpectedValue, Expectation, Matcher, ResultExpectation } from './expectation.ts';

/**
 * A value written in YAML: expected cell values, variable values. Integers keep full precision (bigint),
 * decimals and integers with a form of their own (0101, 0x1F) their source text (YamlNumber), maps and lists
 * stay as written. Strings may hold `${var}` references, resolved by the plan stage.
 */
export type YamlValue = null | boolean | number | bigint | YamlNumber | string | YamlValue[] | { [key: string]: YamlValue };

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
  /**
   * Its statements bound ($n placeholders, effects), set once the spec is valid: the validation worker or
   * the validation cache hands them to the plan, so the main thread need not parse the SQL again.
   */
  readonly bound?: readonly BoundStatement[];
};

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

/** What one statement of an interleaving should do: block (wait for another session), and/or return this. */
export type StatementExpect = {
  /** true: reported as waiting on another session; false: must not wait; absent: not checked. */
  readonly blocks?: boolean;
  /** Rows, count or error, checked once the statement has completed. */
  readonly result?: Expectation;
  readonly loc: SourceLocation;
};

/** A named statement of one session in an interleaving. */
export type SessionStatement = {
  readonly name: string;
  readonly session: string;
  readonly sql: SqlText;
  readonly expect?: StatementExpect;
  readonly loc: SourceLocation;
};

/** A named session of an interleaving: its own connection to one database. */
export type InterleaveSession = {
  readonly name: string;
  readonly db: string;
  /** Run on the session before each permutation (e.g. `begin isolation level serializable`). */
  readonly setup?: SqlText;
  readonly statements: readonly SessionStatement[];
  readonly loc: SourceLocation;
};

/** One order of statement names; an entry may carry an expectation for that statement in this order only. */
export type Permutation = {
  readonly entries: readonly { readonly statement: string; readonly expect?: StatementExpect; readonly loc: SourceLocation }[];
  readonly loc: SourceLocation;
};

/**
 * Named sessions whose statements run in given orders, one statement at a time, as in PostgreSQL's
 * isolation tester: a statement that waits on a lock is reported as waiting and the next one proceeds.
 */
export type InterleaveStep = StepBase & {
  readonly kind: 'interleave';
  readonly sessions: readonly InterleaveSession[];
  /** Explicit orders, or every order that keeps each session's statements in sequence. */
  readonly permutations: readonly Permutation[] | 'all';
  /** Run before and after each permutation (the isolation tester's setup and teardown). */
  readonly setup: readonly SqlBlock[];
  readonly teardown: readonly SqlBlock[];
  /** The expected transcript, in the isolation tester's format. */
  readonly output?: SqlText;
};

/** Apply a database's migrations up to and including `to`, or (no `to`) all that are still pending. */
export type UpgradeStep = StepBase & {
  readonly kind: 'upgrade';
  readonly db: string;
  readonly to?: string;
  /** The migrations this step should apply, in order; checked when given. */
  readonly expectApplied?: readonly string[];
};

/** A named thing expected in the schema, with where it is written. */
export type Named = { readonly name: string; readonly loc: SourceLocation };

export type ColumnExpect = Named & {
  /** As PostgreSQL's format_type writes it: integer, text, character varying(255), timestamp with time zone. */
  readonly type?: string;
  readonly nullable?: boolean;
};

export type ForeignKeyExpect = {
  readonly columns: readonly string[];
  /** `table` or `table(column, ...)`. */
  readonly references: string;
  /** cascade | restrict | set null | set default | no action */
  readonly onDelete?: string;
  readonly loc: SourceLocation;
};

export type IndexExpect = Named & { readonly columns?: readonly string[]; readonly unique?: boolean };

export type PolicyExpect = Named & {
  /** all | select | insert | update | delete */
  readonly command?: string;
};

/** What a table of the schema should look like; only what is written is checked. */
export type TableExpect = Named & {
  readonly columns?: readonly ColumnExpect[];
  /** true: the table has exactly these columns; default: at least these. */
  readonly exactColumns: boolean;
  readonly primaryKey?: { readonly columns: readonly string[]; readonly loc: SourceLocation };
  readonly unique?: readonly { readonly columns: readonly string[]; readonly loc: SourceLocation }[];
  readonly checks?: readonly Named[];
  readonly foreignKeys?: readonly ForeignKeyExpect[];
  readonly indexes?: readonly IndexExpect[];
  readonly rowSecurity?: { readonly enabled?: boolean; readonly forced?: boolean; readonly loc: SourceLocation };
  readonly policies?: readonly PolicyExpect[];
  readonly triggers?: readonly Named[];
};

/** Expectations about the schema of one database: tables and their parts, and functions. */
export type SchemaStep = StepBase & {
  readonly kind: 'schema';
  readonly db: string;
  /** The schema to look in; default the database's current schema. */
  readonly schema?: string;
  readonly tables: readonly TableExpect[];
  readonly functions: readonly Named[];
  /** Where `schema:` is written, for --update. */
  readonly bodyLoc: SourceLocation;
};

export type Step = QueryStep | TransactionStep | ConcurrentStep | CompareStep | BenchmarkStep | InterleaveStep | UpgradeStep | SchemaStep;
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
  /** The fixture files the spec includes (directly or through other fixtures), relative to the working directory. */
  readonly fixtures: readonly string[];
  readonly loc: SourceLocation;
  /** `skip:` or `todo:` on the whole spec. */
  readonly known?: Known;
};

/** Names that are always defined. `session` and `iteration` only inside concurrent and benchmark steps. */
export const BUILTIN_VARS = ['uuid', 'run_id', 'spec_id', 'now', 'today', 'random_int', 'session', 'iteration'] as const;
