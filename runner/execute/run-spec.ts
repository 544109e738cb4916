/**
 * One spec, start to end: setup, steps, cleanup (always), then the isolation check. Produces a SpecResult
 * and reports every step as it finishes, so a harness can show progress. Never throws for anything a spec
 * or the database does: those become step outcomes.
 */
import type { Database, FreshDatabase } from '../db/database.ts';
import { toDbError } from '../db/db-error.ts';
import type { Plan } from '../plan/plan.ts';
import { stepDatabases, stepMetrics, stepSql } from '../spec/step-kinds.ts';
import type { Known, SqlBlock, Spec, Step } from '../spec/types.ts';
import type { Failure, KnownFailure, SpecResult, Status, StepResult } from '../results/types.ts';
import { where, type StepContext, type StepOutcome } from './context.ts';
import type { RowsChecked } from './events.ts';
import { asTodo, skipOf, specKnown } from './known-failures.ts';
import { fingerprintChanges, marksOf, mergeFingerprints, scopesOf, takeFingerprints, type Fingerprints, type Scopes } from './isolation.ts';
import { explainLeaks } from './leak-explain.ts';
import { MissingValueError, VarScope } from './scope.ts';
import { formatMs, runBlock, unexpectedError } from './statements.ts';
import { runBenchmarkStep } from './steps/benchmark.ts';
import { runCompareStep } from './steps/compare.ts';
import { runConcurrentStep } from './steps/concurrent.ts';
import { runQueryStep } from './steps/query.ts';
import { runTransactionStep } from './steps/transaction.ts';
import { runInterleaveStep } from './steps/interleave.ts';
import { runSchemaStep } from './steps/schema.ts';
import { runUpgradeStep } from './steps/upgrade.ts';

export type SpecRunOptions = {
  readonly plan: Plan;
  readonly databases: ReadonlyMap<string, Database>;
  readonly runId: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Check isolation around this spec; `before`: the counts known after the previous spec of this worker, reused. */
  readonly isolation?: { readonly before?: Fingerprints };
  readonly onStep?: (result: StepResult) => void;
  /** Hears each check of an `expect.rows` (record mode listens). */
  readonly onRows?: (check: RowsChecked) => void;
};

export type SpecRun = { readonly result: SpecResult; readonly fingerprintAfter?: Fingerprints };

const EXECUTORS: { readonly [K in Step['kind']]: (step: Extract<Step, { kind: K }>, context: StepContext) => Promise<StepOutcome> } = {
  query: runQueryStep,
  transaction: runTransactionStep,
  concurrent: runConcurrentStep,
  compare: runCompareStep,
  benchmark: runBenchmarkStep,
  interleave: runInterleaveStep,
  upgrade: runUpgradeStep,
  schema: runSchemaStep,
};

const dbOfStep = (step: Step): string => stepDatabases(step).join(', ');

const sqlOfStep = (step: Step): string[] => stepSql(step).map((piece) => piece.sql.text);

/** Past the step's own budget plus a grace period the harness gives up waiting; statement_timeout normally fires first. */
const GRACE_MS = 2_000;

const withDeadline = async (work: Promise<StepOutcome>, ms: number, location: string): Promise<StepOutcome> => {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<StepOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'failed', failure: { code: 'TIMEOUT', message: `the step did not finish within ${ms} ms`, location } }),
      ms + GRACE_MS,
    );
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
};

/** An exception from an executor is not the spec's verdict on the database: report it, do not crash. */
const guarded = async (work: () => Promise<StepOutcome>, location: string): Promise<StepOutcome> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof MissingValueError) return { status: 'failed', failure: { code: 'CAPTURE_MISSING', message: error.message, location } };
    return thrownOutcome(error, location);
  }
};

/** A database that cannot be reached is named as such; anything else thrown is dbspec's own fault. */
const thrownOutcome = (error: unknown, location: string): StepOutcome => {
  const db = toDbError(error);
  if (db.kind === 'connection-lost' || db.kind === 'connection-failed') {
    return { status: 'errored', failure: { code: 'CONNECTION_LOST', message: `lost the connection to the database: ${db.message}`, location } };
  }
  return { status: 'errored', failure: { code: 'INTERNAL', message: (error as Error).message, location } };
};

export const blockName = (phase: 'setup' | 'cleanup', block: SqlBlock, index: number, count: number): string =>
  `${phase}${count > 1 ? ` ${index + 1}` : ''} (${block.db})`;

export const runSpec = async (spec: Spec, options: SpecRunOptions): Promise<SpecRun> => {
  if (spec.known?.kind === 'skip') return { result: skippedSpec(spec) };
  const started = performance.now();
  const scope = VarScope.forSpec(spec, { runId: options.runId });
  const steps: StepResult[] = [];
  // Fresh databases of upgrade steps: in place of a configured one for the later steps, dropped at the end.
  const upgraded = new Map<string, FreshDatabase>();
  const record = (result: StepResult): void => {
    steps.push(result);
    options.onStep?.(result);
  };
  const context = (step: Step, stepIndex: number): StepContext => ({
    plan: options.plan,
    databases: options.databases,
    scope,
    timeoutMs: step.timeoutMs ?? options.timeoutMs,
    signal: options.signal,
    ...(options.onRows ? { onRows: (check) => options.onRows?.({ ...check, spec, stepIndex }) } : {}),
    upgraded,
  });
  // Counting rows first doubles as a check that the databases are still there: when they are not (the
  // server stopped mid-run), the spec is errored at once instead of failing step by step.
  let before: Fingerprints | undefined;
  let scopes: Scopes | undefined;
  let beforeMarks: ReturnType<typeof marksOf> = new Map();
  if (options.isolation) {
    const known = options.isolation.before;
    const counted = await withDeadline(
      guarded(async () => {
        scopes = await scopesOf(options.databases, options.plan.effectsOf(spec));
        before = await takeFingerprints(options.databases, scopes, known);
        beforeMarks = marksOf(options.databases);
        return { status: 'passed' };
      }, where(spec.loc)),
      options.timeoutMs,
      where(spec.loc),
    );
    if (counted.failure) {
      const reason = counted.failure.code === 'TIMEOUT' ? `the databases did not answer within ${formatMs(options.timeoutMs)}` : counted.failure.message;
      const code = counted.failure.code === 'INTERNAL' ? 'INTERNAL' : 'CONNECTION_LOST';
      const result = erroredSpec(spec, { ...counted.failure, code, message: `not run: ${reason}` });
      for (const step of result.steps) record(step);
      return { result: { ...result, durationMs: performance.now() - started } };
    }
  }

  const runSqlBlock = async (phase: 'setup' | 'cleanup', block: SqlBlock, index: number, count: number): Promise<StepOutcome> => {
    const t = performance.now();
    const db = options.databases.get(block.db)!;
    const outcome = await withDeadline(
      guarded(async () => {
        // One statement is atomic on its own; several share a transaction (runBlock), so a failed setup leaves nothing half done.
        const ran = await runBlock(db, options.plan.statementsOf(block.sql), scope);
        return ran.ok ? { status: 'passed' } : unexpectedError(ran.error, ran.statement, options.timeoutMs);
      }, where(block.loc)),
      options.timeoutMs,
      where(block.loc),
    );
    // A lost connection keeps its code: it decides the run's exit code and tells the reader what happened.
    const code = outcome.failure?.code === 'CONNECTION_LOST' ? 'CONNECTION_LOST' : phase === 'setup' ? 'SETUP_FAILED' : 'CLEANUP_FAILED';
    // A parent deleted before its children: say what to do, the leak check lists the children.
    const fkHint =
      phase === 'cleanup' && outcome.failure?.error?.code === '23503'
        ? '\nrows that reference it are still there: delete them first, in the same cleanup before this statement (the leak check lists them and proposes the deletes)'
        : '';
    const failure = outcome.failure && { ...outcome.failure, code, message: `${phase} failed: ${outcome.failure.message}${fkHint}` };
    const todo: { status?: Status; known?: KnownFailure } = phase === 'setup' && outcome.status !== 'passed' ? asTodo(spec.known, 'errored') : {};
    record({
      name: blockName(phase, block, index, count),
      phase,
      kind: 'sql',
      location: where(block.loc),
      db: block.db,
      sql: [block.sql.text],
      status: todo.status ?? (outcome.status === 'passed' ? 'passed' : phase === 'setup' ? 'errored' : 'failed'),
      durationMs: performance.now() - t,
      ...(todo.known ? { known: todo.known } : {}),
      ...(failure ? { failure } : {}),
    });
    return outcome;
  };

  let setupOk = true;
  for (const [i, block] of spec.setup.entries()) {
    if (options.signal.aborted || !(await runSqlBlock('setup', block, i, spec.setup.length)).status.startsWith('pass')) {
      setupOk = false;
      break;
    }
  }

  let halted = !setupOk;
  for (const [stepIndex, step] of spec.steps.entries()) {
    const base = { name: step.name, phase: 'step' as const, kind: step.kind, location: where(step.loc), db: dbOfStep(step), sql: sqlOfStep(step) };
    const known = step.known ?? spec.known;
    if (halted || options.signal.aborted || known?.kind === 'skip') {
      record({ ...base, status: 'skipped', durationMs: 0, ...(known?.kind === 'skip' ? { known: { kind: 'skip', reason: known.reason } } : {}) });
      continue;
    }
    const t = performance.now();
    const stepContext = context(step, stepIndex);
    const run = EXECUTORS[step.kind] as (s: Step, c: StepContext) => Promise<StepOutcome>;
    // Stopping the run cancels the statements in flight; cleanup waits until the cancellation is done so
    // that it cannot cancel cleanup's own statements.
    let cancelling: Promise<unknown> | undefined;
    const cancel = () => (cancelling = Promise.allSettled([...options.databases.values()].map((db) => db.cancelRunning())));
    options.signal.addEventListener('abort', cancel, { once: true });
    let outcome = await withDeadline(
      guarded(() => run(step, stepContext), where(step.loc)),
      stepContext.timeoutMs,
      where(step.loc),
    );
    options.signal.removeEventListener('abort', cancel);
    await cancelling;
    // A statement cancelled because the run was stopped says nothing about the database.
    if (options.signal.aborted && outcome.status !== 'passed') {
      outcome = { status: 'errored', failure: { code: 'INTERRUPTED', message: 'the run was interrupted while this step ran', location: where(step.loc) } };
    }
    // A lost connection or an internal error makes the following steps meaningless.
    if (outcome.status === 'errored') halted = true;
    const todo = asTodo(known, outcome.status);
    record({
      ...base,
      status: todo.status,
      ...(todo.known ? { known: todo.known } : {}),
      durationMs: performance.now() - t,
      ...(outcome.waitedMs !== undefined ? { waitedMs: outcome.waitedMs } : {}),
      ...(outcome.failure ? { failure: outcome.failure } : {}),
      ...(outcome.metrics && Object.keys(outcome.metrics).length > 0 ? { metrics: outcome.metrics } : {}),
      ...(outcome.samples && outcome.samples.length > 0 ? { samples: outcome.samples } : {}),
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
    });
  }

  for (const [i, block] of spec.cleanup.entries()) await runSqlBlock('cleanup', block, i, spec.cleanup.length);
  await Promise.allSettled([...upgraded.values()].map((fresh) => fresh.drop()));

  let fingerprintAfter: Fingerprints | undefined;
  if (before) {
    const t = performance.now();
    const counted = before;
    const outcome = await withDeadline(
      guarded(async () => {
        const after = await takeFingerprints(options.databases, scopes);
        fingerprintAfter = mergeFingerprints(options.isolation?.before, after, scopes!);
        const changes = fingerprintChanges(counted, after);
        if (changes.length === 0) return { status: 'passed' };
        // The explanation is a courtesy: should it fail, the verdict and its one-line reason stand.
        const marks = { before: beforeMarks, after: marksOf(options.databases) };
        const explained = await explainLeaks({ spec, plan: options.plan, scope, databases: options.databases, before: counted, after, marks }).catch(
          () => undefined,
        );
        return {
          status: 'failed',
          failure: {
            code: 'ISOLATION_LEAK',
            message: `the spec did not leave the databases as it found them: ${changes.join('; ')}`,
            location: where(spec.loc),
            ...(explained && explained.leaks.length > 0 ? { leaks: explained.leaks } : {}),
            ...(explained && explained.cleanup.length > 0 ? { cleanup: explained.cleanup } : {}),
          },
        };
      }, where(spec.loc)),
      options.timeoutMs,
      where(spec.loc),
    );
    record({
      name: `leaves ${[...options.databases.keys()].join(' and ')} as it found them`,
      phase: 'isolation',
      kind: 'isolation',
      location: where(spec.loc),
      status: outcome.status,
      durationMs: performance.now() - t,
      ...(outcome.failure ? { failure: outcome.failure } : {}),
    });
  }

  return { result: specResult(spec, steps, performance.now() - started), fingerprintAfter };
};

const specStatus = (steps: readonly StepResult[], known?: Known): Status => {
  if (known?.kind === 'skip') return 'skipped';
  if (known?.kind === 'todo' && steps.some((s) => s.known?.kind === 'todo' && !s.known.fixed)) return 'skipped';
  if (steps.some((s) => s.status === 'errored')) return 'errored';
  if (steps.some((s) => s.status === 'failed')) return 'failed';
  if (steps.length > 0 && steps.every((s) => s.status === 'skipped')) return 'skipped';
  return 'passed';
};

/** The spec's own metrics: the names it chose under `metrics:`, not every statistic a step records. */
const declaredMetrics = (spec: Spec): Set<string> => new Set(spec.steps.flatMap((s) => stepMetrics(s).map((m) => m.name)));

export const specResult = (spec: Spec, steps: readonly StepResult[], durationMs: number): SpecResult => {
  const declared = declaredMetrics(spec);
  const metrics: Record<string, number> = {};
  for (const step of steps) for (const [k, v] of Object.entries(step.metrics ?? {})) if (declared.has(k)) metrics[k] = v;
  return {
    name: spec.name,
    file: spec.file,
    location: where(spec.loc),
    ...(spec.description ? { description: spec.description } : {}),
    tags: spec.tags,
    databases: spec.databases,
    status: specStatus(steps, spec.known),
    ...(spec.known ? { known: specKnown(spec.known, steps) } : {}),
    durationMs,
    steps,
    metrics,
  };
};

/** A spec that could not run (its databases are gone, dbspec failed): errored at its first step, the rest skipped. */
export const erroredSpec = (spec: Spec, failure: Failure): SpecResult =>
  specResult(
    spec,
    spec.steps.map((step, i) => ({
      name: step.name,
      phase: 'step',
      kind: step.kind,
      location: where(step.loc),
      db: dbOfStep(step),
      sql: sqlOfStep(step),
      status: i === 0 ? 'errored' : 'skipped',
      durationMs: 0,
      ...(i === 0 ? { failure } : {}),
    })),
    0,
  );

/** A spec that never ran (interrupted, --bail, `skip:`): every step skipped. */
export const skippedSpec = (spec: Spec): SpecResult =>
  specResult(
    spec,
    spec.steps.map((step) => ({
      ...(skipOf(step, spec) ? { known: skipOf(step, spec)! } : {}),
      name: step.name,
      phase: 'step',
      kind: step.kind,
      location: where(step.loc),
      db: dbOfStep(step),
      sql: sqlOfStep(step),
      status: 'skipped',
      durationMs: 0,
    })),
    0,
  );
