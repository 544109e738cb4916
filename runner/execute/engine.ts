/**
 * Runs the planned specs: one after another, or `jobs` at a time on separate connections. Results come
 * back in plan order whatever the order of completion, so a parallel run's results equal a sequential one's.
 * Execution knows nothing about output: progress leaves through the callbacks.
 */
import type { Database } from '../db/database.ts';
import type { Plan } from '../plan/plan.ts';
import type { SpecResult, StepResult } from '../results/types.ts';
import { fingerprintChanges, takeFingerprints, type Fingerprints } from './isolation.ts';
import { runSpec, skippedSpec } from './run-spec.ts';

export type EngineOptions = {
  readonly plan: Plan;
  readonly databases: ReadonlyMap<string, Database>;
  readonly runId: string;
  readonly timeoutMs: number;
  readonly jobs: number;
  /** Stop starting specs after the first one that does not pass. */
  readonly bail: boolean;
  readonly signal: AbortSignal;
  readonly onStep?: (specIndex: number, result: StepResult) => void;
  readonly onSpec?: (specIndex: number, result: SpecResult) => void;
};

export type EngineRun = {
  readonly specs: readonly SpecResult[];
  readonly interrupted: boolean;
  /** With --jobs > 1 isolation is checked around the whole run: what changed, if anything. */
  readonly runLeaks: readonly string[];
};

export const runSpecs = async (options: EngineOptions): Promise<EngineRun> => {
  const { plan } = options;
  const results: (SpecResult | undefined)[] = new Array(plan.specs.length).fill(undefined);
  let stopped = false;
  let next = 0;
  const sequential = options.jobs <= 1;
  // Sequentially, each spec's fingerprint-after is the next one's fingerprint-before: one fingerprint per spec.
  let lastFingerprint: Fingerprints | undefined;
  const runBefore = sequential ? undefined : await takeFingerprints(options.databases).catch(() => undefined);

  const worker = async (): Promise<void> => {
    while (!stopped && !options.signal.aborted && next < plan.specs.length) {
      const index = next++;
      const spec = plan.specs[index]!;
      const { result, fingerprintAfter } = await runSpec(spec, {
        plan,
        databases: options.databases,
        runId: options.runId,
        timeoutMs: options.timeoutMs,
        signal: options.signal,
        isolation: sequential ? { before: lastFingerprint } : undefined,
        onStep: (step) => options.onStep?.(index, step),
      });
      lastFingerprint = fingerprintAfter;
      results[index] = result;
      options.onSpec?.(index, result);
      if (options.bail && result.status !== 'passed') stopped = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs, plan.specs.length)) }, worker));

  const interrupted = options.signal.aborted || stopped;
  const specs = plan.specs.map((spec, i) => {
    const result = results[i];
    if (result) return result;
    const skipped = skippedSpec(spec);
    options.onSpec?.(i, skipped);
    return skipped;
  });
  // A database lost mid-run has already failed the specs that needed it; no leak check is possible then.
  const after = runBefore && (await takeFingerprints(options.databases).catch(() => undefined));
  const runLeaks = runBefore && after ? fingerprintChanges(runBefore, after) : [];
  return { specs, interrupted, runLeaks };
};
