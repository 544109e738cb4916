/**
 * What a run tells its listeners, as mocha's runner does (`EVENT_TEST_PASS`, ...): execution emits, and the
 * mocha harness (progress) and record mode (`--update`: rows and schema steps) listen. Nothing listens to a global: each run has
 * its own emitter.
 */
import { EventEmitter } from 'node:events';
import type { TableCatalog } from '../db/catalog.ts';
import type { QueryResult } from '../db/query-result.ts';
import type { SpecResult, StepResult } from '../results/types.ts';
import type { ResultExpectation, SchemaStep, Spec } from '../spec/types.ts';
import type { VarScope } from './scope.ts';

/** One check of an `expect.rows`, with what record mode needs and results.json does not keep. */
export type RowsCheck = {
  readonly expect: ResultExpectation;
  /** The real result, with column types. */
  readonly result: QueryResult;
  /** The spec's variable values when the rows were checked. */
  readonly scope: VarScope;
  readonly held: boolean;
};

/** A rows check located in its spec. */
export type RowsChecked = RowsCheck & { readonly spec: Spec; readonly stepIndex: number };

/** What a schema step read of the catalog: record mode rewrites the step's tables from it. */
export type SchemaObservation = {
  readonly step: SchemaStep;
  /** Each table the step lists, with the catalog's answer (undefined: no such table) and whether it matched. */
  readonly tables: readonly { readonly name: string; readonly catalog?: TableCatalog; readonly held: boolean }[];
};

export type RunEventMap = {
  /** A step (or setup, cleanup, isolation check) of the spec at `specIndex` in the plan has finished. */
  step: [specIndex: number, result: StepResult];
  /** A spec has finished, or is given up (skipped, errored): every step it did not reach is settled. */
  spec: [specIndex: number, result: SpecResult];
  /** An `expect.rows` was checked (an `eventually` step checks it once per attempt). */
  rows: [check: RowsChecked];
  /** A schema step read the catalog. */
  schema: [observation: SchemaObservation];
};

export const EVENT_STEP = 'step';
export const EVENT_SPEC = 'spec';
export const EVENT_ROWS = 'rows';
export const EVENT_SCHEMA = 'schema';

export class RunEvents extends EventEmitter<RunEventMap> {}
