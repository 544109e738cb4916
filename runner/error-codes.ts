/**
 * Every code dbspec gives a problem (a Diagnostic) or a step's failure (results.json), what it means, and
 * how it ends the command, in one place (as mocha's lib/errors.js). Code that reports a problem or a failure
 * types its code by these lists, so a misspelt code fails the type check. The strings are public (tests,
 * CI scripts and people match on them): never rename one; add new ones here.
 */

/**
 * How a problem ends the command: `authoring` (a spec or fixture is wrong) exits 1, `config` (the config,
 * the environment, the command line or a results file) and `connection` (a database cannot be reached or
 * refused) exit 2. `file`: the same check runs on specs and on the config, and the file decides (1 or 2).
 */
export type ProblemClass = 'authoring' | 'config' | 'connection' | 'file';

type Entry<C> = { readonly class: C; readonly meaning: string };

export const PROBLEM_CODES = {
  // Reading a file
  DBSPEC_NO_SUCH_PATH: { class: 'config', meaning: 'a path named on the command line (or a folder to search) is not there or cannot be read' },
  DBSPEC_NOT_A_FILE: { class: 'file', meaning: 'a path that should be a spec, fixture or config file is a folder, device or link to one' },
  DBSPEC_FILE_TOO_LARGE: { class: 'file', meaning: 'the file is larger than a spec may be' },
  DBSPEC_BINARY: { class: 'file', meaning: 'the file holds a NUL byte: not plain UTF-8 text' },
  DBSPEC_YAML_SYNTAX: { class: 'file', meaning: 'the YAML does not parse' },
  DBSPEC_YAML_INDENT: { class: 'file', meaning: 'the YAML does not parse because a line is indented differently from its siblings' },
  DBSPEC_YAML_MULTIPLE_DOCUMENTS: { class: 'file', meaning: 'a `---` line starts a second document: a file holds one spec' },
  DBSPEC_YAML_DUPLICATE_KEY: { class: 'file', meaning: 'a key is written twice in one map' },
  DBSPEC_YAML_ALIAS: { class: 'file', meaning: 'a YAML alias (`*name`): not allowed, a spec says everything where it is used' },
  DBSPEC_YAML_TAG: { class: 'file', meaning: 'a YAML tag (`!!python/...`): specs hold plain values only' },
  DBSPEC_YAML_TOO_DEEP: { class: 'file', meaning: 'maps and lists nested deeper than a spec may nest them' },
  DBSPEC_YAML_TOO_LARGE: { class: 'file', meaning: 'more YAML values and symbols than a spec may hold' },
  // The shape of a spec, fixture or config (its JSON Schema)
  DBSPEC_SCHEMA: { class: 'file', meaning: 'the document is not what a spec (or the config) looks like' },
  DBSPEC_SCHEMA_UNKNOWN_KEY: { class: 'file', meaning: 'a key that does not belong here (with the closest known key, when one is close)' },
  DBSPEC_SCHEMA_MISSING_KEY: { class: 'file', meaning: 'a required key is missing' },
  DBSPEC_SCHEMA_TYPE: { class: 'file', meaning: 'a value of the wrong type (text where a number belongs, a map where a list does)' },
  DBSPEC_SCHEMA_VALUE: { class: 'file', meaning: 'a value out of range, not one of the allowed ones, or not matching its pattern' },
  DBSPEC_STEP_KIND: { class: 'authoring', meaning: 'a step with no kind key (sql:, transaction:, ...) or with several' },
  // What a spec means
  DBSPEC_DUPLICATE_SPEC: { class: 'authoring', meaning: 'two specs have the same name (results match specs by name)' },
  DBSPEC_DUPLICATE_STEP: { class: 'authoring', meaning: 'two steps of a spec have the same name' },
  DBSPEC_UNKNOWN_DB: { class: 'authoring', meaning: 'a spec names a database the config does not configure' },
  DBSPEC_UNKNOWN_VAR: { class: 'authoring', meaning: 'a `${name}` that no `vars:`, capture or built-in defines' },
  DBSPEC_UNUSED_VAR: { class: 'authoring', meaning: 'a variable declared under `vars:` that nothing uses' },
  DBSPEC_VAR_REDEFINED: { class: 'authoring', meaning: 'a variable defined twice (in `vars:`, by a capture, or over a built-in)' },
  DBSPEC_VAR_UNCLOSED: { class: 'authoring', meaning: 'a `${` without its closing `}`' },
  DBSPEC_VAR_IN_QUOTES: { class: 'authoring', meaning: 'a `${name}` inside a quoted literal, dollar-quote or comment: variables are bind parameters' },
  DBSPEC_SQL_SYNTAX: { class: 'authoring', meaning: "PostgreSQL's parser rejects the SQL" },
  DBSPEC_SQL_RAW_PARAM: { class: 'authoring', meaning: 'a `$1` written by hand: a value is written as `${name}`' },
  DBSPEC_SQL_EMPTY: { class: 'authoring', meaning: 'a SQL block with no statement in it' },
  DBSPEC_SQL_NUL: { class: 'authoring', meaning: 'SQL holding a NUL character, which PostgreSQL does not accept in text' },
  DBSPEC_SQL_TOO_LONG: { class: 'authoring', meaning: "SQL longer than a spec's SQL may be" },
  DBSPEC_TRANSACTION_CONTROL: { class: 'authoring', meaning: 'BEGIN, COMMIT, ROLLBACK or the like where dbspec holds the transaction' },
  DBSPEC_UNKNOWN_SQLSTATE: { class: 'authoring', meaning: '`expect.error.code` is not a PostgreSQL error code (SQLSTATE) or condition name' },
  DBSPEC_EXPECT_CONFLICT: { class: 'authoring', meaning: 'an `expect:` that asks for an error and for rows at once' },
  DBSPEC_EXPECT_NOTHING: { class: 'authoring', meaning: 'an `expect:` (or `expect.error:`) that asks for nothing' },
  DBSPEC_MATCHER: { class: 'authoring', meaning: 'a matcher (`{ regex: ... }`, `{ approx: ... }`, ...) written wrongly' },
  DBSPEC_UNKNOWN_MATCHER_TYPE: { class: 'authoring', meaning: '`{ type: ... }` names a type dbspec does not know' },
  DBSPEC_BAD_REGEX: { class: 'authoring', meaning: 'a regular expression that does not compile' },
  DBSPEC_BAD_DURATION: { class: 'authoring', meaning: 'a duration (timeout, interval, deadline) that does not read as one, such as 500ms or 2s' },
  DBSPEC_UNKNOWN_STATEMENT: { class: 'authoring', meaning: "an interleaving's permutation names a statement no session has" },
  DBSPEC_DUPLICATE_STATEMENT: { class: 'authoring', meaning: "two statements of an interleaving's sessions have the same name" },
  DBSPEC_TOO_MANY_PERMUTATIONS: { class: 'authoring', meaning: 'an interleaving with more orders than dbspec runs: list the permutations' },
  DBSPEC_NO_SUCH_FIXTURE: { class: 'authoring', meaning: '`use:` names a fixture file that is not there' },
  DBSPEC_FIXTURE_CYCLE: { class: 'authoring', meaning: 'a fixture includes itself, directly or through others' },
  DBSPEC_MISSING_PARAM: { class: 'authoring', meaning: 'a fixture is used without a value for one of its parameters' },
  DBSPEC_UNKNOWN_PARAM: { class: 'authoring', meaning: 'a value for a parameter the fixture does not have' },
  // The config, the command line, the environment
  DBSPEC_CONFIG: { class: 'config', meaning: 'dbspec.config.yaml is not a map with a `databases:` key' },
  DBSPEC_CONFIG_NOT_FOUND: { class: 'config', meaning: 'no dbspec.config.yaml here or in any folder above' },
  DBSPEC_BAD_URL: { class: 'config', meaning: "a database's URL variable does not hold a PostgreSQL URL" },
  DBSPEC_USAGE: { class: 'config', meaning: 'the command line is wrong: an unknown option, a missing argument, a value out of range' },
  DBSPEC_UNKNOWN_DATABASE: { class: 'config', meaning: 'a database asked for at run time (by the plan or a command) is not configured' },
  DBSPEC_NOT_DISPOSABLE: { class: 'config', meaning: 'a database not marked disposable, which the run would write to (without --allow-shared)' },
  DBSPEC_UPDATE_NOT_DISPOSABLE: { class: 'config', meaning: '--update against a database not marked disposable' },
  DBSPEC_SHARED_TARGET: {
    class: 'config',
    meaning: 'a statement reaching beyond the database under test (COPY PROGRAM, ALTER SYSTEM, server files, ...) on a database not marked disposable',
  },
  DBSPEC_OUTPUT: { class: 'config', meaning: 'results and reports cannot be written to the output folder' },
  DBSPEC_RESULTS_UNREADABLE: { class: 'config', meaning: 'a results file cannot be read' },
  DBSPEC_RESULTS_INVALID: { class: 'config', meaning: 'a file is not a dbspec results file (not JSON, or not as schema/results.schema.json says)' },
  DBSPEC_MERGE_EMPTY: { class: 'config', meaning: '`merge` was given no results file' },
  DBSPEC_MERGE_MISMATCH: { class: 'config', meaning: '`merge` of runs of different releases or commits' },
  DBSPEC_MERGE_MIXED: { class: 'config', meaning: '`merge` of shards of different selections' },
  DBSPEC_MERGE_INCOMPLETE: { class: 'config', meaning: '`merge` of a set of shards with some missing (without --allow-partial)' },
  DBSPEC_MERGE_DUPLICATE: { class: 'config', meaning: '`merge` of parts that hold the same spec' },
  // Migrations
  DBSPEC_MIGRATIONS_MISSING: { class: 'config', meaning: 'the migrations folder the config names is not there' },
  DBSPEC_MIGRATION_NAME: { class: 'config', meaning: 'a migration not named NNN_name.sql, so its place in the order is unknown' },
  DBSPEC_MIGRATION_DUPLICATE: { class: 'config', meaning: 'two migrations with the same order number' },
  DBSPEC_MIGRATION_FAILED: { class: 'config', meaning: 'a migration failed on the database (with its file and line)' },
  DBSPEC_MIGRATION_CHANGED: { class: 'config', meaning: 'a migration was applied and has changed since: put the change in a new one' },
  DBSPEC_MIGRATIONS_PENDING: { class: 'config', meaning: 'a database given by URL has migrations not applied yet (run with --migrate)' },
  DBSPEC_UNKNOWN_MIGRATION: { class: 'config', meaning: 'an upgrade step names a migration that is not in the folder' },
  // Databases
  DBSPEC_CONNECTION: { class: 'connection', meaning: 'a database cannot be reached, or refused the connection' },
  DBSPEC_CONNECT_TIMEOUT: { class: 'connection', meaning: 'no answer within the connect timeout (said as DBSPEC_CONNECTION, "no answer (timed out)")' },
  DBSPEC_EMBEDDED_START: { class: 'connection', meaning: 'the embedded PostgreSQL server failed to start (its log is the hint)' },
  DBSPEC_DB_CHECK_CONNECTION: { class: 'connection', meaning: '--db-check lost or could not get its connection' },
  DBSPEC_DB_CHECK: { class: 'authoring', meaning: '--db-check: the database rejects the statement when it is prepared' },
  DBSPEC_DB_UNKNOWN_TABLE: { class: 'authoring', meaning: '--db-check: the statement names a table the database does not have' },
  DBSPEC_DB_UNKNOWN_COLUMN: { class: 'authoring', meaning: '--db-check: the statement names a column the table does not have' },
} as const satisfies Readonly<Record<`DBSPEC_${string}`, Entry<ProblemClass>>>;

/** A Diagnostic's code. */
export type ProblemCode = keyof typeof PROBLEM_CODES;

/**
 * A step's failure in results.json. Every failure fails the run (exit 1), except CONNECTION_LOST (exit 2:
 * the environment, not the spec) and INTERRUPTED (the run was stopped: exit 130).
 */
export const FAILURE_CODES = {
  ROWS_MISMATCH: { class: 1, meaning: 'the rows that came back are not the expected ones (`rows:`, `includes:`, `excludes:`)' },
  COUNT_MISMATCH: { class: 1, meaning: 'the statement returned or changed another number of rows than `count:`' },
  ERROR_EXPECTED: { class: 1, meaning: '`expect.error` and the statement succeeded' },
  ERROR_MISMATCH: { class: 1, meaning: 'the statement failed, with another error than `expect.error`' },
  UNEXPECTED_ERROR: { class: 1, meaning: 'the statement failed and no error was expected' },
  COMPARE_MISMATCH: { class: 1, meaning: 'the two queries of a compare step returned different rows' },
  CONCURRENCY_MISMATCH: { class: 1, meaning: 'the sessions of a concurrent step did not succeed and fail as expected' },
  LATENCY_BOUND: { class: 1, meaning: 'a benchmark statistic is over its bound' },
  CAPTURE_MISSING: { class: 1, meaning: 'a capture (or a variable it feeds) found no value: no row, or no such column' },
  SCHEMA_MISMATCH: { class: 1, meaning: 'the schema step found the tables, columns or functions other than written' },
  BLOCKING_MISMATCH: { class: 1, meaning: 'an interleaving: a statement blocked that should not have, or did not block that should' },
  OUTPUT_MISMATCH: { class: 1, meaning: "an interleaving's transcript differs from the expected output" },
  INVALID_PERMUTATION: { class: 1, meaning: 'an interleaving: an order that asks a blocked session to go on, which only another session could release' },
  UPGRADE_REFUSED: { class: 1, meaning: 'an upgrade step on a database it may not create databases beside (neither embedded nor disposable)' },
  UPGRADE_MISMATCH: { class: 1, meaning: 'an upgrade step applied other migrations than it says' },
  MIGRATION_FAILED: { class: 1, meaning: 'a migration an upgrade step applies failed' },
  TIMEOUT: { class: 1, meaning: 'a statement or step did not finish within its timeout' },
  ROW_LIMIT: { class: 1, meaning: 'a statement returned more rows than --max-rows' },
  ISOLATION_LEAK: { class: 1, meaning: 'the spec left rows behind (or removed some) in a table' },
  SETUP_FAILED: { class: 1, meaning: 'a setup block failed: the steps did not run' },
  CLEANUP_FAILED: { class: 1, meaning: 'a cleanup block failed' },
  INTERNAL: { class: 1, meaning: 'dbspec itself failed while running the step (a bug: please report it)' },
  CONNECTION_LOST: { class: 2, meaning: 'the connection to the database was lost while the step ran' },
  INTERRUPTED: { class: 130, meaning: 'the run was stopped (SIGINT, SIGTERM) while the step ran' },
} as const satisfies Readonly<Record<string, Entry<1 | 2 | 130>>>;

/** A results.json failure's code. */
export type FailureCode = keyof typeof FAILURE_CODES;
