/**
 * Record mode (`dbspec run --update`) needs the real result of every `rows` expectation it may rewrite,
 * with column types and the spec's variable values, which results.json does not keep. Execution reports
 * each check of an `expect.rows` here; nothing listens unless record mode is on.
 */
import type { QueryResult } from '../db/query-result.ts';
import type { ResultExpectation } from '../spec/types.ts';
import type { VarScope } from './scope.ts';

export type RowsObservation = { readonly expect: ResultExpectation; readonly result: QueryResult; readonly scope: VarScope; readonly held: boolean };

const observers = new Set<(observation: RowsObservation) => void>();

/** Starts listening; returns the function that stops. */
export const observeRows = (observer: (observation: RowsObservation) => void): (() => void) => {
  observers.add(observer);
  return () => observers.delete(observer);
};

export const reportRows = (observation: RowsObservation): void => {
  for (const observer of observers) observer(observation);
};

export const observingRows = (): boolean => observers.size > 0;
