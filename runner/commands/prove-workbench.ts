/**
 * A worker's own copy of every database, reused from mutant to mutant by `dbspec prove`: a mutant that can
 * be undone exactly (its Restore) is applied and undone in place, which saves a database copy per mutant.
 * After each undo the schema signature and row counts must equal the copy's first ones, or the copy is
 * dropped and the next mutant gets a fresh one: a restore that was not exact never leaks into another result.
 */
import { randomUUID } from 'node:crypto';
import { changeInPlace, type InPlaceReference, type ScratchSet, takeReference, undoInPlace } from '../db/scratch-databases.ts';
import { runSpecs } from '../execute/engine.ts';
import { RunEvents } from '../execute/events.ts';
import type { Plan } from '../plan/plan.ts';
import { narrowPlan } from '../plan/spec-tables.ts';
import type { Mutant, Restore } from '../prove/mutant.ts';
import type { SpecResult } from '../results/types.ts';
import type { ProveContext } from './prove-run.ts';

/** The specs of `plan` on a set of databases, one after another; with `bail`, stopping at the first that does not pass. */
export const runSpecsOn = async (ctx: ProveContext, plan: Plan, set: ScratchSet, bail: boolean): Promise<readonly SpecResult[]> =>
  (
    await runSpecs({
      plan,
      databases: set.databases,
      runId: randomUUID().slice(0, 8),
      timeoutMs: ctx.timeoutMs,
      jobs: 1,
      bail,
      signal: ctx.signal,
      events: new RunEvents(),
    })
  ).specs;

export type Workbench = { set?: ScratchSet; references?: ReadonlyMap<string, InPlaceReference> };

const benchSet = async (ctx: ProveContext, bench: Workbench): Promise<{ set: ScratchSet; references: ReadonlyMap<string, InPlaceReference> }> => {
  if (bench.set && bench.references) return { set: bench.set, references: bench.references };
  const set = await ctx.servers.build(new Map([...ctx.originals.keys()].map((name) => [name, { kind: 'copy' }] as const)));
  const references = new Map(await Promise.all([...set.databases].map(async ([name, db]) => [name, await takeReference(db)] as const)));
  bench.set = set;
  bench.references = references;
  return { set, references };
};

export const dropBench = async (bench: Workbench): Promise<void> => {
  const set = bench.set;
  bench.set = undefined;
  bench.references = undefined;
  await set?.drop();
};

/**
 * The specs with the mutant applied in place on the workbench, then undone (or the workbench dropped).
 * @throws BuildFailed when the mutant cannot be applied (the workbench is unchanged then).
 */
export const runInPlace = async (
  ctx: ProveContext,
  bench: Workbench,
  mutant: Mutant,
  change: { readonly sql: string; readonly restore: Restore },
  specIndexes: readonly number[],
): Promise<readonly SpecResult[]> => {
  const { set, references } = await benchSet(ctx, bench);
  const db = set.databases.get(mutant.database)!;
  const undo = await changeInPlace(db, change.sql, change.restore);
  try {
    const plan = narrowPlan(
      ctx.plan,
      specIndexes.map((i) => ctx.plan.specs[i]!),
    );
    return await runSpecsOn(ctx, plan, set, true);
  } finally {
    if (!(await undoInPlace(db, undo, references.get(mutant.database)!))) await dropBench(bench);
  }
};
