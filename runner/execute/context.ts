/**
 * What every step executor gets, and what it gives back. Executors never format output: an outcome is data.
 */
import type { Database, FreshDatabase } from '../db/database.ts';
import type { Plan } from '../plan/plan.ts';
import type { FailureCode } from '../error-codes.ts';
import type { Failure } from '../results/types.ts';
import { locationText, type SourceLocation } from '../diagnostics.ts';
import type { RowsCheck, SchemaObservation } from './events.ts';
import type { VarScope } from './scope.ts';

export type StepContext = {
  readonly plan: Plan;
  readonly databases: ReadonlyMap<string, Database>;
  readonly scope: VarScope;
  /** The step's time budget: its own `timeout`, else the run's --timeout. */
  readonly timeoutMs: number;
  /** Aborted on SIGINT/SIGTERM: executors stop starting new work. */
  readonly signal: AbortSignal;
  /** Hears each check of the step's `expect.rows` (record mode listens). */
  readonly onRows?: (check: RowsCheck) => void;
  /** Hears what a schema step read of the catalog (record mode listens). */
  readonly onSchema?: (observation: SchemaObservation) => void;
  /** Databases an upgrade step put in place of a configured one, for the rest of the spec's steps. */
  readonly upgraded: Map<string, FreshDatabase>;
};

/**
 * A failure execution builds: its code one of error-codes.ts's, so that a misspelt one fails the type
 * check. (StepOutcome still takes any Failure: the executors in steps/, bounded.ts and run-spec.ts build
 * theirs as Failure and are to move to this type.)
 */
export type StepFailure = Failure & { readonly code: FailureCode };

export type StepOutcome = {
  readonly status: 'passed' | 'failed' | 'errored';
  readonly failure?: Failure;
  readonly metrics?: Readonly<Record<string, number>>;
  readonly waitedMs?: number;
  /** A benchmark's recorded latencies, ms, in run order. */
  readonly samples?: readonly number[];
  /** A transcript of what ran (an interleaving's permutations), kept in results. */
  readonly output?: string;
};

/** An outcome built outside the executors, its failure typed by error-codes.ts (see StepFailure). */
export type CheckedOutcome = StepOutcome & { readonly failure?: StepFailure };

export const PASSED: CheckedOutcome = { status: 'passed' };

export const where = (loc: SourceLocation): string => locationText(loc);

export const databaseOf = (context: StepContext, name: string): Database => {
  const db = context.upgraded.get(name)?.database ?? context.databases.get(name);
  if (!db) throw new Error(`internal: database ${name} is not open`);
  return db;
};
