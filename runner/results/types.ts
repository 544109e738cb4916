/**
 * The results model: what a run produced, as data. results.json is this, serialized with a stable order, so
 * two runs of the same code differ only in the timing fields (`startedAt`, `finishedAt`, `durationMs`,
 * `waitedMs` and metrics whose name ends in `_ms`). Reports, JUnit and diffs are renderings of it.
 * Described by schema/results.schema.json; bump RESULTS_VERSION on any incompatible change.
 */

export const RESULTS_FORMAT = 'dbspec-results';
export const RESULTS_VERSION = 1;

export type Status = 'passed' | 'failed' | 'errored' | 'skipped';

/** A cell as PostgreSQL printed it (text), a parsed JSON value for json/jsonb, or null for SQL NULL. */
export type Cell = null | string | number | boolean | CellJson[] | { [k: string]: CellJson };
type CellJson = null | string | number | boolean | CellJson[] | { [k: string]: CellJson };

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
  /** Stable: ROWS_MISMATCH, COUNT_MISMATCH, ERROR_EXPECTED, UNEXPECTED_ERROR, ERROR_MISMATCH, COMPARE_MISMATCH,
   * CONCURRENCY_MISMATCH, LATENCY_BOUND, CAPTURE_MISSING, TIMEOUT, ISOLATION_LEAK, CONNECTION_LOST, INTERRUPTED,
   * SETUP_FAILED, CLEANUP_FAILED. */
  readonly code: string;
  /** `file:line:col` of the expectation (or statement) that failed. */
  readonly location?: string;
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
  readonly db?: string;
  /** The SQL as written (with `${var}` references), one string per statement block. */
  readonly sql?: readonly string[];
  readonly status: Status;
  readonly durationMs: number;
  /** How long an `eventually` expectation waited before it held. */
  readonly waitedMs?: number;
  readonly failure?: Failure;
  readonly metrics?: Readonly<Record<string, number>>;
};

export type SpecResult = {
  readonly name: string;
  readonly file: string;
  readonly location: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly databases: readonly string[];
  readonly status: Status;
  readonly durationMs: number;
  readonly steps: readonly StepResult[];
  /** Metrics recorded by the spec's steps, by name. */
  readonly metrics: Readonly<Record<string, number>>;
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
  /** Database name -> server version string and whether it was the embedded server. */
  readonly databases: Readonly<Record<string, { readonly serverVersion: string; readonly embedded: boolean }>>;
  readonly summary: { readonly specs: Totals; readonly steps: Totals };
  /** Sorted by file, then by name. */
  readonly specs: readonly SpecResult[];
};
