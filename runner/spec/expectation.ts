/**
 * What a step expects, as types, and the matching rules that need nothing but the spec (sqllogictest-rs keeps
 * `ExpectedError::is_match` with the type the same way). Rows are matched by execute/match-rows.ts, which
 * needs column types from the database. spec/types.ts re-exports the types with the rest of the model.
 */
import type { SourceLocation } from '../diagnostics.ts';
import type { YamlValue } from './types.ts';

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

/**
 * An expected error (sqllogictest-rs's `ExpectedError`): every field given must hold; none given means any
 * error. The matching rule is `errorMatches` below.
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

/** What of an error the spec can ask about; a DbError has all of it. */
export type ActualError = { readonly code?: string; readonly constraint?: string; readonly message: string };

/** Every field the spec gave holds for the actual error. */
export const errorMatches = (expected: ExpectedError, actual: ActualError): boolean =>
  (expected.code === undefined || expected.code === actual.code) &&
  (expected.constraint === undefined || expected.constraint === actual.constraint) &&
  (expected.message === undefined || new RegExp(expected.message).test(actual.message));

/** The fields of an expected error in words, e.g. `SQLSTATE 23505, constraint users_email_key`. */
export const expectedErrorParts = (e: Omit<ExpectedError, 'loc'>, message = 'message matching'): string[] =>
  [e.code && `SQLSTATE ${e.code}`, e.constraint && `constraint ${e.constraint}`, e.message && `${message} /${e.message}/`].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
