/**
 * `dbspec prove`, the work: mutants from each database's migrations (prove/), for each one a set of databases
 * built with it (db/scratch-databases.ts), the specs that name its tables run through the engine with --bail
 * (execute/engine.ts), and the outcome recorded (results/prove-results.ts). Nothing here talks to mocha
 * or to a database directly.
 */
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { readMigrations, type MigrationText } from '../db/migrations.ts';
import { BuildFailed, type DatabaseBuild, type ScratchServers } from '../db/scratch-databases.ts';
import type { Plan } from '../plan/plan.ts';
import { narrowPlan } from '../plan/spec-tables.ts';
import { generateMutants } from '../prove/generate.ts';
import type { Mutant, ProveNote } from '../prove/mutant.ts';
import { specsForMutant, type SpecTables } from '../prove/select-specs.ts';
import type { MutantResult } from '../results/prove-results.ts';
import type { SpecResult } from '../results/types.ts';
import { ensureParser } from '../sql/split.ts';
import { dropBench, runInPlace, runSpecsOn, type Workbench } from './prove-workbench.ts';

export type Originals = ReadonlyMap<string, readonly MigrationText[]>;

export const readOriginals = async (config: Config): Promise<Originals> =>
  new Map(await Promise.all(config.databases.map(async (d) => [d.name, await readMigrations(join(config.root, d.migrations), config.root)] as const)));

export const allMutants = async (originals: Originals): Promise<{ mutants: Mutant[]; notes: ProveNote[] }> => {
  await ensureParser();
  const generated = [...originals].map(([name, sources]) => generateMutants(name, sources));
  return { mutants: generated.flatMap((g) => g.mutants), notes: generated.flatMap((g) => g.notes) };
};

/** The build of the mutated database: one compensating statement on a copy, or all migrations with one file changed. */
export const mutatedBuild = (mutant: Mutant, originals: Originals): DatabaseBuild => {
  const { change } = mutant;
  if (change.kind === 'compensate') return { kind: 'copy-then', sql: change.sql };
  const migrations = (originals.get(mutant.database) ?? []).map((m) => (m.name === change.migration ? { ...m, text: change.text } : m));
  return { kind: 'migrate', migrations };
};

export type ProveContext = {
  readonly plan: Plan;
  readonly tables: readonly SpecTables[];
  readonly servers: ScratchServers;
  readonly originals: Originals;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Milliseconds each spec took on the unchanged schema: the quickest run first, so a kill comes soon. */
  readonly costs?: readonly number[];
};

/** The specs on one set of databases, stopping at the first that does not pass. */
export const runOn = async (
  ctx: ProveContext,
  specIndexes: readonly number[],
  builds: ReadonlyMap<string, DatabaseBuild>,
  bail = true,
): Promise<readonly SpecResult[]> => {
  const plan = narrowPlan(
    ctx.plan,
    specIndexes.map((i) => ctx.plan.specs[i]!),
  );
  // Every database the specs use: the mutated one as asked, the others as pristine copies.
  const wanted = new Map<string, DatabaseBuild>(plan.specs.flatMap((spec) => spec.databases.map((name) => [name, { kind: 'copy' }] as const)));
  for (const [name, build] of builds) wanted.set(name, build);
  const set = await ctx.servers.build(wanted);
  try {
    return await runSpecsOn(ctx, plan, set, bail);
  } finally {
    await set.drop();
  }
};

const firstFailure = (results: readonly SpecResult[]): MutantResult['killedBy'] => {
  const spec = results.find((r) => r.status === 'failed' || r.status === 'errored');
  if (!spec) return undefined;
  const step = spec.steps.find((s) => s.status === 'failed' || s.status === 'errored');
  return {
    spec: spec.name,
    step: step?.name ?? '',
    location: step?.failure?.location ?? step?.location ?? spec.location,
    message: step?.failure?.message ?? spec.status,
  };
};

export const proveMutant = async (ctx: ProveContext, mutant: Mutant, bench: Workbench = {}): Promise<MutantResult> => {
  const started = performance.now();
  const costs = ctx.costs ?? [];
  const specIndexes = specsForMutant(mutant, ctx.tables).sort((a, b) => (costs[a] ?? 0) - (costs[b] ?? 0) || a - b);
  const base = {
    id: mutant.id,
    database: mutant.database,
    kind: mutant.kind,
    object: mutant.object,
    description: mutant.description,
    file: mutant.file,
    line: mutant.line,
    change: mutant.change.kind,
    tables: mutant.tables,
    specs: [...specIndexes].sort((a, b) => a - b).map((i) => ctx.plan.specs[i]!.name),
  };
  const done = (rest: Pick<MutantResult, 'status'> & Partial<MutantResult>): MutantResult => ({ ...base, ...rest, durationMs: performance.now() - started });
  try {
    // Built even when no spec would run: a mutant that cannot be applied must say so, not survive.
    const { change } = mutant;
    const results =
      change.kind === 'compensate' && change.restore
        ? await runInPlace(ctx, bench, mutant, { sql: change.sql, restore: change.restore }, specIndexes)
        : await runOn(ctx, specIndexes, new Map([[mutant.database, mutatedBuild(mutant, ctx.originals)]]));
    const killedBy = firstFailure(results);
    return killedBy ? done({ status: 'killed', killedBy }) : done({ status: 'survived' });
  } catch (error) {
    if (error instanceof BuildFailed) return done({ status: 'unapplied', error: error.message });
    throw error;
  }
};

/** Every mutant, `jobs` at a time; results in the order of `mutants`. Stops starting new ones once aborted. */
export const proveAll = async (
  ctx: ProveContext,
  mutants: readonly Mutant[],
  jobs: number,
  onDone: (result: MutantResult) => void,
): Promise<MutantResult[]> => {
  const results: MutantResult[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    const bench: Workbench = {};
    try {
      while (!ctx.signal.aborted && next < mutants.length) {
        const result = await proveMutant(ctx, mutants[next++]!, bench);
        results.push(result);
        onDone(result);
      }
    } finally {
      await dropBench(bench);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(jobs, mutants.length)) }, worker));
  return results;
};
