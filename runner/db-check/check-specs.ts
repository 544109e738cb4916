/**
 * `--db-check`: every statement of every spec analysed by the configured databases before anything runs,
 * so an unknown table or column is reported at its line, with the nearest real name.
 *
 * Safety: data statements are only PREPAREd, never executed; a spec's own DDL runs inside a transaction
 * that is always rolled back, with a short lock_timeout. On a database not marked disposable (and without
 * --allow-shared) only DDL that creates new objects runs there, never ALTER / DROP / CREATE INDEX. That is
 * why checking needs no --allow-shared, and why migrations are never applied to a configured URL here.
 */
import type { Config } from '../config.ts';
import type { Database } from '../db/database.ts';
import { openDatabases } from '../db/open.ts';
import type { Diagnostic } from '../diagnostics.ts';
import { planRun, type Plan } from '../plan/plan.ts';
import type { Spec } from '../spec/types.ts';
import { checkSpec, type CheckOptions } from './check-spec.ts';

export type { CheckOptions } from './check-spec.ts';

/** Time limit for analysing one statement (and for each DDL statement the spec runs). */
export const DB_CHECK_STATEMENT_TIMEOUT_MS = 10_000;

/** Checks every spec of a plan on databases that are already open. Throws DbspecError on connection problems. */
export const checkPlan = async (plan: Plan, databases: ReadonlyMap<string, Database>, options: CheckOptions): Promise<Diagnostic[]> => {
  const diagnostics: Diagnostic[] = [];
  for (const spec of plan.specs) diagnostics.push(...(await checkSpec(spec, plan, databases, options)));
  return diagnostics;
};

/**
 * Opens the databases the specs use (an embedded server with the migrations when no URL is set; a
 * configured URL as it is, without the disposable guard: see the safety note above), checks, closes.
 * Throws DbspecError for configuration and connection problems (exit 2).
 */
export const checkSpecsOnDatabases = async (
  config: Config,
  specs: readonly Spec[],
  options: { readonly allowShared: boolean; readonly connectTimeoutMs?: number },
): Promise<Diagnostic[]> => {
  const names = [...new Set(specs.flatMap((spec) => spec.databases))];
  if (names.length === 0) return [];
  const plan = await planRun(specs);
  const opened = await openDatabases(config, names, {
    allowShared: options.allowShared,
    readOnly: true,
    migrate: false,
    statementTimeoutMs: DB_CHECK_STATEMENT_TIMEOUT_MS,
    connectTimeoutMs: options.connectTimeoutMs ?? 5_000,
  });
  const writable = (name: string): boolean =>
    options.allowShared || opened.databases.get(name)?.embedded === true || config.databases.some((database) => database.name === name && database.disposable);
  try {
    return await checkPlan(plan, opened.databases, { mayChangeExisting: writable, statementTimeoutMs: DB_CHECK_STATEMENT_TIMEOUT_MS });
  } finally {
    await opened.close();
  }
};
