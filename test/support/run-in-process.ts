/**
 * Loading and running specs inside the test process, against scratch databases: faster than the CLI when a
 * test runs many specs, and it lets a test change a spec's model before running it.
 */
import type { Config } from '../../runner/config.ts';
import type { Database } from '../../runner/db/database.ts';
import { openDatabases } from '../../runner/db/open.ts';
import { runSpec, type SpecRunOptions } from '../../runner/execute/run-spec.ts';
import { planRun } from '../../runner/plan/plan.ts';
import type { SpecResult } from '../../runner/results/types.ts';
import type { Spec } from '../../runner/spec/types.ts';
import { loadSpec } from '../../runner/spec/validate.ts';

export type OpenScratch = { readonly databases: ReadonlyMap<string, Database>; close(): Promise<void> };

/** Pools on already-created databases (urls by config name); nothing is migrated. */
export const openScratch = async (urls: Record<string, string>, root: string): Promise<OpenScratch> => {
  const names = Object.keys(urls);
  const config: Config = {
    root,
    databases: names.map((name) => ({ name, urlEnv: `DBSPEC_${name.toUpperCase()}_URL`, url: urls[name]!, migrations: `db/${name}`, disposable: true })),
  };
  const opened = await openDatabases(config, names, { allowShared: false, migrate: false, connectTimeoutMs: 5000 });
  return { databases: opened.databases, close: () => opened.close() };
};

/** A spec file that must be valid; throws with its diagnostics otherwise. */
export const loadValidSpec = async (file: string, databases: readonly string[], cwd: string): Promise<Spec> => {
  const { spec, diagnostics } = await loadSpec(file, { databases, cwd });
  if (!spec) throw new Error(`invalid spec ${file}:\n${diagnostics.map((d) => `${d.location?.line}: ${d.message}`).join('\n')}`);
  return spec;
};

/** `hooks`: listeners a test puts where the engine would put the run's events. */
export const runOne = async (
  spec: Spec,
  databases: ReadonlyMap<string, Database>,
  timeoutMs = 30_000,
  hooks: Pick<SpecRunOptions, 'onRows' | 'onSchema'> = {},
): Promise<SpecResult> => {
  const plan = await planRun([spec]);
  const { result } = await runSpec(spec, { plan, databases, runId: 'r-test', timeoutMs, signal: new AbortController().signal, isolation: {}, ...hooks });
  return result;
};
