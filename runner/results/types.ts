/**
 * The results model: what a run produced, as data. results.json is this, serialized with a stable order, so
 * two runs of the same code differ only in the timing fields (`startedAt`, `finishedAt`, `durationMs`,
 * `waitedMs` and metrics whose name ends in `_ms`). Reports, JUnit and diffs are renderings of it.
 * Described by schema/results.schema.json; bump RESULTS_VERSION on any incompatible change.
 */

import type { Cell } from '../values/cell.ts';

export const RESULTS_FORMAT = 'dbspec-results';
export const RESULTS_VERSION = 1;

export type Status = 'passed' | 'failed' | 'errored' | 'skipped';

/**
 * A place in a spec or fixture file, 1-based as editors show it; `via` is the `use:` entry that included
 * the fixture (itself perhaps inside another). `location` beside it is the same place as text.
 */
export type Place = { readonly file: string; readonly line: number; readonly col: number; readonly via?: Place };

// results.json holds cells; the type lives below every stage that passes them on (values/cell.ts).
export type { Cell } from '../values/cell.ts';

export type ResultRows = {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly Cell[])[];
};

/** One differing position of an expected-vs-actual table, for marking cells in reports. */
export type CellMismatch = {
  /** Index into expected rows (-1 when the row is only in actual). */
  readonly expectedRow: number;
  /** Index into actual rows (-1 when the row is missing from actual). */
  readonly actualRow: number;
  readonly column?: string;
};

export type Failure = {
  /** Plain-language one-liner, e.g. "expected 2 rows, got 3" or "leaked 3 rows into backend.threads". */
  readonly message: string;
  /**
   * Stable: one of error-codes.ts's FAILURE_CODES (ROWS_MISMATCH, TIMEOUT, ISOLATION_LEAK, ...). Typed as
   * text: a results file of another version may hold others. Execution's own failures are typed by the list.
   */
  readonly code: string;
  /** `file:line:col` of the expectation (or statement) that failed (`a:4:5 → fixture:12:7` inside a fixture). */
  readonly location?: string;
  /** The same place, as data: read this rather than taking `location` apart. */
  readonly at?: Place;
  /** The expected rows rendered as cells (matchers shown as text like `<uuid>` or `/regex/`). */
  readonly expected?: ResultRows;
  readonly actual?: ResultRows;
  readonly mismatches?: readonly CellMismatch[];
  /** The PostgreSQL error that occurred, when one did. */
  readonly error?: { readonly code?: string; readonly message: string; readonly constraint?: string };
  /** ISOLATION_LEAK: the tables whose rows came or went, with the rows where they can be listed. */
  readonly leaks?: readonly LeakedTable[];
  /** ISOLATION_LEAK: cleanup SQL that would remove the leaked rows (`dbspec run --update` adds it to the spec). */
  readonly cleanup?: readonly CleanupProposal[];
};

export type LeakedTable = {
  readonly db: string;
  /** 'schema.table'. */
  readonly table: string;
  /** Rows more (leaked) or fewer (removed) than before the spec. */
  readonly change: 'leaked' | 'removed';
  readonly count: number;
  /** A few columns (primary key first) of the rows written during the spec; absent for removed rows. */
  readonly rows?: ResultRows;
  /** Rows written during the spec that are not listed (past the listing limit). */
  readonly moreRows?: number;
  /** Which statement or trigger likely wrote (or removed) them, e.g. `the insert in step "x" (file:8:5)`. */
  readonly likelyBy?: string;
  /** What else the reader should know, in plain words. */
  readonly note?: string;
};

export type CleanupProposal = {
  readonly db: string;
  /** SQL with the spec's `${var}` references, statements separated by `;` and a newline. */
  readonly sql: string;
  /** Before the spec's own cleanup blocks (children of what they delete) or after them. */
  readonly placement: 'first' | 'last';
};

export type StepResult = {
  readonly name: string;
  readonly phase: 'setup' | 'step' | 'cleanup' | 'isolation';
  readonly kind: string;
  /** `file:line:col` where the step is written. */
  readonly location: string;
  /** The same place, as data (absent only for a step that has no place, such as one never reached). */
  readonly at?: Place;
  readonly db?: string;
  /** The SQL as written (with `${var}` references), one string per statement block. */
  readonly sql?: readonly string[];
  readonly status: Status;
  readonly durationMs: number;
  /** How long an `eventually` expectation waited before it held. */
  readonly waitedMs?: number;
  readonly failure?: Failure;
  readonly metrics?: Readonly<Record<string, number>>;
  /** Every recorded latency of a benchmark step in ms (run order, rounded to µs): what diffs judge timing on. */
  readonly samples?: readonly number[];
  /** The spec's or step's `skip:` or `todo:` and its reason (see KnownFailure). */
  readonly known?: KnownFailure;
  /** What an interleaving printed, in the format of PostgreSQL's isolation tester. */
  readonly output?: string;
};

/**
 * `skip: reason` (not run) or `todo: reason` (run; a failure is expected and does not fail the run). A todo
 * step that failed is recorded `skipped` with its failure kept; one that passed is `passed` with `fixed: true`,
 * which reports show as "fixed: remove the todo".
 */
export type KnownFailure = { readonly kind: 'skip' | 'todo'; readonly reason: string; readonly fixed?: boolean };

/** The files a spec's result depends on (its own file first, then fixtures), each with its SHA-256. */
export type SpecSource = {
  /** SHA-256 over every file's path and hash: equal fingerprints mean nothing the spec reads was edited. */
  readonly fingerprint: string;
  readonly files: readonly { readonly path: string; readonly sha256: string }[];
};

/** One schema object as the database describes it; `definition` is PostgreSQL's own rendering. */
export type SchemaObject = {
  readonly kind: 'table' | 'column' | 'constraint' | 'index' | 'policy' | 'trigger' | 'function';
  /** `schema.table`, `schema.table.column`, or `schema.table.name` for constraints, indexes, policies, triggers. */
  readonly name: string;
  /** `schema.table` the object belongs to (absent for functions). */
  readonly table?: string;
  readonly definition: string;
};

/** A database's schema when the run started, sorted by kind then name; `fingerprint` hashes all of it. */
export type SchemaSnapshot = { readonly fingerprint: string; readonly objects: readonly SchemaObject[] };

export type DatabaseFacts = {
  readonly serverVersion: string;
  readonly embedded: boolean;
  /** The migration files the config names for this database, in order, with their SHA-256. */
  readonly migrations?: readonly { readonly name: string; readonly sha256: string }[];
  readonly schema?: SchemaSnapshot;
};

/** Which specs the run took: `fingerprint` hashes the whole selection (before --shard) and their files. */
export type Selection = {
  readonly fingerprint: string;
  /** Specs in the whole selection, all shards together. */
  readonly specs: number;
  /** This run's shard, 1-based; absent for an unsharded run. */
  readonly shard?: { readonly index: number; readonly count: number };
  /** Set by `merge --allow-partial`: the shards that were not there. */
  readonly missingShards?: readonly number[];
};

export type SpecResult = {
  readonly name: string;
  readonly file: string;
  readonly location: string;
  /** Where the spec starts, as data. */
  readonly at?: Place;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly databases: readonly string[];
  readonly status: Status;
  readonly durationMs: number;
  readonly steps: readonly StepResult[];
  /** Metrics recorded by the spec's steps, by name. */
  readonly metrics: Readonly<Record<string, number>>;
  readonly source?: SpecSource;
  readonly known?: KnownFailure;
};

export type Totals = { readonly passed: number; readonly failed: number; readonly errored: number; readonly skipped: number; readonly total: number };

export type RunResults = {
  readonly format: typeof RESULTS_FORMAT;
  readonly version: typeof RESULTS_VERSION;
  readonly release: string | null;
  readonly commit: string | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly durationMs: number;
  /** True when the run was stopped by SIGINT/SIGTERM before every spec ran. */
  readonly interrupted: boolean;
  /** True when --bail stopped starting specs after the first one that did not pass (the rest are skipped). */
  readonly stoppedAfterFailure?: boolean;
  /** Database name -> server version, whether it was the embedded server, its migrations and schema. */
  readonly databases: Readonly<Record<string, DatabaseFacts>>;
  /** The machine the run ran on (JUnit's `hostname`). */
  readonly hostname?: string;
  readonly selection?: Selection;
  readonly summary: { readonly specs: Totals; readonly steps: Totals };
  /** Sorted by file, then by name. */
  readonly specs: readonly SpecResult[];
};
