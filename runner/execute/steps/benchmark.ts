/**
 * A benchmark step: the statement repeated `iterations` times over `concurrency` connections (after
 * `warmup` unrecorded runs), latency statistics recorded as metrics and checked against the bounds.
 */
import type { BenchmarkStep } from '../../spec/types.ts';
import { databaseOf, where, type StepContext, type StepOutcome } from '../context.ts';
import { latencyStats, roundMicros, type LatencyStats } from '../latency.ts';
import { checkVariables, runOnSession, unexpectedError, type Ran } from '../statements.ts';

export const runBenchmarkStep = async (step: BenchmarkStep, context: StepContext): Promise<StepOutcome> => {
  const db = databaseOf(context, step.db);
  const statements = context.plan.statementsOf(step.sql);
  checkVariables(statements, context.scope.with('iteration', 1));
  const samples: number[] = [];
  let next = 1;
  let failed: Extract<Ran, { ok: false }> | undefined;
  const total = step.warmup + step.iterations;
  const worker = () =>
    db.withSession(async (session) => {
      while (next <= total && !failed && !context.signal.aborted) {
        const iteration = next++;
        const ran = await runOnSession(session, statements, context.scope.with('iteration', iteration));
        if (!ran.ok) {
          failed = ran;
          return;
        }
        if (iteration > step.warmup) samples.push(ran.durationMs);
      }
    });
  await Promise.all(Array.from({ length: Math.min(step.concurrency, total) }, worker));
  if (failed) return unexpectedError(failed.error, failed.statement, step.timeoutMs ?? context.timeoutMs);
  if (samples.length === 0)
    return {
      status: 'errored',
      failure: { code: 'INTERRUPTED', message: 'the benchmark was interrupted before any iteration ran', location: where(step.loc) },
    };
  const stats: LatencyStats = latencyStats(samples);
  const metrics: Record<string, number> = { ...stats, iterations: samples.length };
  // Kept whole so a diff can judge a timing by its spread, not by one percentile (see results/timing-evidence.ts).
  const recorded = samples.map(roundMicros);
  for (const [name, m] of Object.entries(step.metrics)) metrics[name] = stats[m.stat];
  const over = step.bounds.filter((b) => stats[b.stat] > b.maxMs);
  if (over.length === 0) return { status: 'passed', metrics, samples: recorded };
  const first = over[0]!;
  const message = over.map((b) => `${b.stat} was ${stats[b.stat].toFixed(2)} ms, above the bound of ${b.maxMs} ms`).join('; ');
  return { status: 'failed', metrics, samples: recorded, failure: { code: 'LATENCY_BOUND', message, location: where(first.loc) } };
};
