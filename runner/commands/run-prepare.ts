/**
 * The part of `dbspec run` before any database: load and validate the project, let a wrapping mode refuse
 * it, select the specs, plan them and make the output folder. Returns what the run needs, or the exit code.
 */
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { outputFolder, specsFolder, type Config } from '../config.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { planRun, type Plan } from '../plan/plan.ts';
import { selectSpecs, specKey } from '../plan/select.ts';
import { specSources } from '../plan/sources.ts';
import type { SpecSource } from '../results/types.ts';
import { readResults } from '../results/read.ts';
import type { Spec } from '../spec/types.ts';
import { fail, loadProject, shown, usage } from './command-output.ts';
import type { RunOptions } from './run-options.ts';
import { refuseOnSharedTargets } from './run-safety.ts';
import { checkWritable } from '../results/atomic-write.ts';

export type PreparedRun = {
  readonly config: Config;
  /** The specs selected before sharding: what results record as the run's selection. */
  readonly whole: readonly Spec[];
  readonly selected: readonly Spec[];
  readonly sources: ReadonlyMap<string, SpecSource>;
  readonly plan: Plan;
  /** The databases the selected specs use. */
  readonly names: readonly string[];
  readonly outDir: string;
};

const loadDurations = async (file: string): Promise<Map<string, number>> => {
  const previous = await readResults(file);
  return new Map(previous.specs.map((s) => [specKey(s), s.durationMs]));
};

export const prepareRun = async (options: RunOptions, refuse?: (config: Config) => Diagnostic[]): Promise<PreparedRun | number> => {
  const loaded = await loadProject({ config: options.config }, options.paths);
  if ('configProblems' in loaded) return fail(loaded.configProblems);
  const refused = refuse?.(loaded.config) ?? [];
  if (refused.length > 0) return fail(refused);
  if (loaded.diagnostics.length > 0) return fail(loaded.diagnostics);
  let durations: Map<string, number> | undefined;
  try {
    durations = options.durationsFrom ? await loadDurations(options.durationsFrom) : undefined;
  } catch (error) {
    if (error instanceof DbspecError) return fail(error.diagnostics);
    throw error;
  }
  const { config } = loaded;
  const whole = selectSpecs(loaded.specs, { tags: options.tags, grep: options.grep });
  const selected = options.shard ? selectSpecs(loaded.specs, { tags: options.tags, grep: options.grep, shard: options.shard, durations }) : whole;
  if (selected.length === 0) {
    process.stdout.write(
      `dbspec: no specs to run (${loaded.specs.length} found in ${options.paths.length > 0 ? options.paths.join(', ') : shown(specsFolder(config))}, none selected)\n`,
    );
    return 0;
  }
  const plan = await planRun(selected);
  const sharedRefused = await refuseOnSharedTargets(plan, config);
  if (sharedRefused.length > 0) return fail(sharedRefused);
  const sources = await specSources(whole, process.cwd(), loaded.fileHashes);
  const outDir = options.out !== undefined ? resolve(process.cwd(), options.out) : outputFolder(config);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    return fail([usage(`--out ${shown(outDir)}: cannot create the folder for results (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)]);
  }
  // Before anything runs, not after the whole suite: a read-only or full disk is found at once.
  try {
    await checkWritable(outDir);
  } catch (error) {
    const why = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return fail([{ kind: 'config', code: 'DBSPEC_OUTPUT', message: `--out ${shown(outDir)}: cannot write results there (${why})` }]);
  }
  return { config, whole, selected, sources, plan, names: [...new Set(selected.flatMap((s) => s.databases))], outDir };
};
