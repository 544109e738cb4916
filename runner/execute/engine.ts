/**
 * Runs the planned specs: one after another, or `jobs` at a time on separate connections. Results come
 * back in plan order whatever the order of completion, so a parallel run's results equal a sequential one's.
 * Each worker has its own copy of every database when it can (see db/copies.ts), so every spec is still
 * checked for leaks on its own; otherwise the workers share the databases and the check is made around the
 * whole run. Execution knows nothing about output: progress leaves through the run's events (events.ts).
 */
import type { Database } from '../db/database.ts';
import type { Plan } from '../plan/plan.ts';
import type { SpecResult, StepResult } from '../results/types.ts';
import { EVENT_ROWS, EVENT_SCHEMA, EVENT_SPEC, EVENT_STEP, type RunEvents } from './events.ts';
import { fingerprintChanges, takeFingerprints, type Fingerprints } from './isolation.ts';
import { runSpec } from './run-spec.ts';
import { skippedSpec } from './spec-result.ts';
import { serverStopped } from './cleanup-retry.ts';
import type { RunRecord } from '../db/run-registry.ts';
import type { SpecThread } from './spec-threads.ts';

export type EngineOptions = {
  readonly plan: Plan;
  readonly databases: ReadonlyMap<string, Database>;
  /** One set of databases per worker (the first is `databases`); absent or too few: workers share `databases`. */
  readonly workerDatabases?: readonly ReadonlyMap<string, Database>[];
  readonly runId: string;
  readonly timeoutMs: number;
  readonly jobs: number;
  /** Stop starting specs after the first one that does not pass. */
  readonly bail: boolean;
  readonly signal: AbortSignal;
  /** Where the run tells what happens: every step, spec and rows check. */
  readonly events: RunEvents;
  /** Where specs in flight record the cleanup they owe, and each worker's database keys (see db/run-registry.ts). */
  readonly owed?: { readonly record: RunRecord; readonly targets: readonly ReadonlyMap<string, string>[] };
  /**
   * Per worker, the thread that runs its specs on its own databases (see spec-threads.ts); a worker without
   * one, or whose thread could not start, runs its specs here on `workerDatabases`.
   */
  readonly threads?: readonly (Promise<SpecThread | undefined> | undefined)[];
};

export type EngineRun = {
  readonly specs: readonly SpecResult[];
  /** Stopped by a signal before every spec ran. */
  readonly interrupted: boolean;
  /** --bail stopped starting specs after one failed. */
  readonly stoppedAfterFailure: boolean;
  /** When workers share the databases isolation is checked around the whole run: what changed, if anything. */
  readonly runLeaks: readonly string[];
};

/** How many workers a run uses. */
export const workerCount = (jobs: number, specs: number): number => Math.max(1, Math.min(jobs, specs));

/** Whether every spec gets its own isolation check: one worker, or one set of databases per worker. */
export const checksEachSpec = (jobs: number, specs: number, workerSets: number): boolean => {
  const workers = workerCount(jobs, specs);
  return workers <= 1 || workerSets >= workers;
};

export const runSpecs = async (options: EngineOptions): Promise<EngineRun> => {
  const { plan } = options;
  const results: (SpecResult | undefined)[] = new Array(plan.specs.length).fill(undefined);
  let stopped = false;
  let next = 0;
  const workers = workerCount(options.jobs, plan.specs.length);
  const sets = options.workerDatabases ?? [options.databases];
  const eachSpec = checksEachSpec(options.jobs, plan.specs.length, sets.length);
  const runBefore = eachSpec ? undefined : await takeFingerprints(options.databases).catch(() => undefined);

  const worker = async (k: number): Promise<void> => {
    const databases = eachSpec ? sets[k]! : options.databases;
    const thread = eachSpec ? await options.threads?.[k] : undefined;
    // A worker's specs run one after another on its own databases, so each spec's fingerprint-after is the
    // next one's fingerprint-before: one fingerprint per spec.
    let lastFingerprint: Fingerprints | undefined;
    while (!stopped && !options.signal.aborted && next < plan.specs.length) {
      const index = next++;
      const spec = plan.specs[index]!;
      const onStep = (step: StepResult) => options.events.emit(EVENT_STEP, index, step);
      const { result, fingerprintAfter } = thread
        ? { result: await thread.run(index, onStep), fingerprintAfter: undefined }
        : await runSpec(spec, {
            plan,
            databases,
            runId: options.runId,
            timeoutMs: options.timeoutMs,
            signal: options.signal,
            isolation: eachSpec ? { before: lastFingerprint } : undefined,
            ...(options.owed && { owed: { id: index, record: options.owed.record, targets: options.owed.targets[eachSpec ? k : 0] ?? new Map() } }),
            onStep,
            onRows: (check) => options.events.emit(EVENT_ROWS, check),
            onSchema: (observation) => options.events.emit(EVENT_SCHEMA, observation),
          });
      lastFingerprint = fingerprintAfter;
      results[index] = result;
      options.events.emit(EVENT_SPEC, index, result);
      if (options.bail && result.status !== 'passed') stopped = true;
    }
  };
  await Promise.all(Array.from({ length: workers }, (_, k) => worker(k)));

  const interrupted = options.signal.aborted;
  const stoppedAfterFailure = stopped && !interrupted && results.some((r) => r === undefined);
  const specs = plan.specs.map((spec, i) => {
    const result = results[i];
    if (result) return result;
    const skipped = skippedSpec(spec);
    options.events.emit(EVENT_SPEC, i, skipped);
    return skipped;
  });
  // A database lost mid-run has already failed the specs that needed it; no leak check is possible then.
  // Nor when the watchdog found a server silent: counting would wait on it forever.
  const after = runBefore && !serverStopped(options.signal) ? await takeFingerprints(options.databases).catch(() => undefined) : undefined;
  const runLeaks = runBefore && after ? fingerprintChanges(runBefore, after) : [];
  return { specs, interrupted, stoppedAfterFailure, runLeaks };
};
