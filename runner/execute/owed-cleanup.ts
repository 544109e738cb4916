/**
 * The cleanup a spec still owes, in the form the run registry keeps (db/run-registry.ts): each cleanup block
 * on a database given by URL, its statements bound to the values known so far. Recorded before setup and
 * after every step (a capture may feed the cleanup), cleared once cleanup has run, so that a run killed
 * mid-spec has its cleanup run by the next one.
 */
import type { InFlight, OwedBlock, RunRecord } from '../db/run-registry.ts';
import type { Plan } from '../plan/plan.ts';
import type { Spec } from '../spec/types.ts';
import type { VarScope } from './scope.ts';

export type OwedCleanupOptions = {
  readonly record: RunRecord;
  /** Database name -> registry key; databases absent here (embedded, copies) owe nothing after the run. */
  readonly targets: ReadonlyMap<string, string>;
};

const owedBlocks = (spec: Spec, plan: Plan, scope: VarScope, targets: ReadonlyMap<string, string>): OwedBlock[] =>
  spec.cleanup.flatMap((block) => {
    const target = targets.get(block.db);
    if (target === undefined) return [];
    try {
      const statements = plan.statementsOf(block.sql).map((statement) => ({ sql: statement.sql, params: scope.paramsFor(statement) }));
      return [{ target, db: block.db, statements }];
    } catch {
      // A value captured by a later step: recorded once it is known.
      return [];
    }
  });

/** Tracks one spec's owed cleanup under `id`. */
export const trackOwedCleanup = (id: number, spec: Spec, plan: Plan, scope: VarScope, options: OwedCleanupOptions | undefined) => {
  // The cleanup's bindings change only when a step captures a value: after most steps there is nothing to record.
  let boundAt: number | undefined;
  return {
    update: (): void => {
      if (!options || spec.cleanup.length === 0 || boundAt === scope.captures) return;
      boundAt = scope.captures;
      const inFlight: InFlight = { spec: spec.name, file: spec.file, cleanup: owedBlocks(spec, plan, scope, options.targets) };
      options.record.set(id, inFlight);
    },
    settled: (): void => options?.record.set(id, undefined),
  };
};
