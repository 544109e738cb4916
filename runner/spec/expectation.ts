/**
 * The matching rules of the expectation types that need nothing but the spec (sqllogictest-rs keeps
 * `ExpectedError::is_match` with the type the same way). Rows are matched by execute/match-rows.ts, which
 * needs column types from the database.
 */
import type { ExpectedError } from './types.ts';

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
