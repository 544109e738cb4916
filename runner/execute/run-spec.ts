/**
 * One spec, start to end: setup, steps, cleanup (always), then the isolation check. Produces a SpecResult
 * and reports every step as it finishes, so a harness can show progress. Never throws for anything a spec
 * or the database does: those become step outcomes. Each piece of work runs under `bounded` (bounded.ts).
 */
import type { Database, FreshDatabase } from '../db/database.ts';
import type { Plan } from '../plan/plan.ts';
import type { KnownFailure, SpecResult, Status, StepResult } from '../results/types.ts';
import type { SqlBlock, Spec, Step } from '../spec/types.ts';
import { bounded } from './bounded.ts';
import { where, type StepContext, type StepOutcome } from './context.ts';
import type { RowsChecked, SchemaObservation } from './events.ts';
import { asTodo } from './known-failures.ts';
import { fingerprintChanges, marksOf, mergeFingerprints, scopesOf, takeFingerprints, type Fingerprints, type Scopes } from './isolation.ts';
import { explainLeaks } from './leak-explain.ts';
import { VarScope } from './scope.ts';
import { erroredSpec, skippedSpec, specResult, stepEntry } from './spec-result.ts';
import { runBlock, unexpectedError } from './statements.ts';
import { formatLimit } from '../wording.ts';
import { runBenchmarkStep } from './steps/benchmark.ts';
import { runCompareStep } from './steps/compare.ts';
import { runConcurrentStep } from './steps/concurrent.ts';
import { runQueryStep } from './steps/query.ts';
import { runTransactionStep } from './steps/transaction.ts';
import { runInterleaveStep } from './steps/interleave.ts';
import { runSchemaStep } from './steps/schema.ts';
import { runUpgradeStep } from './steps/upgrade.ts';
import { trackOwedCleanup, type OwedCleanupOptions } from './owed-cleanup.ts';
import { CLEANUP_DEADLINE_MS, retryOnNewConnection, serverStopped } from './cleanup-retry.ts';
import { proveSessions } from './session-proofs.ts';

export type SpecRunOptions = {
  readonly plan: Plan;
  readonly databases: ReadonlyMap<string, Database>;
  readonly runId: string;
  readonly timeoutMs: number;
  readonly signal: AbortSignal;
  /** Check isolation around this spec; `before`: the counts known after the previous spec of this worker, reused. */
  readonly isolation?: { readonly before?: Fingerprints };
  readonly onStep?: (result: StepResult) => void;
  /** Where the cleanup this spec owes is recorded while it runs (URL databases), and under which id. */
  readonly owed?: OwedCleanupOptions & { readonly id: number };
  /** Hears each check of an `expect.rows` (record mode listens). */
  readonly onRows?: (check: RowsChecked) => void;
  /** Hears what each schema step read of the catalog (record mode listens). */
  readonly onSchema?: (observation: SchemaObservation) => void;
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

/** One spec's run in progress: its options, its variables, and the step results so far. */
type Running = {
  readonly spec: Spec;
  readonly options: SpecRunOptions;
  readonly scope: VarScope;
  readonly steps: StepResult[];
  /** Fresh databases of upgrade steps: in place of a configured one for the later steps, dropped at the end. */
  readonly upgraded: Map<string, FreshDatabase>;
  /** The cleanup this spec owes, kept where the next run finds it should this one be killed. */
  readonly owed: ReturnType<typeof trackOwedCleanup>;
};

const record = (run: Running, result: StepResult): void => {
  run.steps.push(result);
  run.options.onStep?.(result);
};

/**
 * Counting rows first doubles as a check that the databases are still there: when they are not (the server
 * stopped mid-run), the spec is errored at once instead of failing step by step.
 */
type Before = { before: Fingerprints; scopes: Scopes; marks: ReturnType<typeof marksOf> };

const fingerprintBefore = async (run: Running, known?: Fingerprints): Promise<Before | { errored: SpecResult }> => {
  const { spec, options } = run;
  let before: Fingerprints | undefined;
  let scopes: Scopes | undefined;
  const counted = await bounded(
    async () => {
      scopes = await scopesOf(options.databases, options.plan.effectsOf(spec));
      before = await takeFingerprints(options.databases, scopes, known);
      return { status: 'passed' };
    },
    options.timeoutMs,
    where(spec.loc),
  );
  const failure = counted.failure;
  // The transaction-id marks taken with the counts, so that a leak's rows can be found (leak-explain.ts).
  if (!failure) return { before: before!, scopes: scopes!, marks: marksOf(options.databases) };
  const reason = failure.code === 'TIMEOUT' ? `the databases did not answer within ${formatLimit(options.timeoutMs)}` : failure.message;
  const code = failure.code === 'INTERNAL' ? 'INTERNAL' : 'CONNECTION_LOST';
  return { errored: erroredSpec(spec, { ...failure, code, message: `not run: ${reason}` }) };
};

export const blockName = (phase: 'setup' | 'cleanup', block: SqlBlock, index: number, count: number): string =>
  `${phase}${count > 1 ? ` ${index + 1}` : ''} (${block.db})`;

const runSqlBlock = async (run: Running, phase: 'setup' | 'cleanup', block: SqlBlock, index: number, count: number): Promise<StepOutcome> => {
  const { options } = run;
  const t = performance.now();
  const db = options.databases.get(block.db)!;
  const attempt = (): Promise<StepOutcome> =>
    bounded(
      async () => {
        // One statement is atomic on its own; several share a transaction (runBlock), so a failed setup leaves nothing half done.
        const ran = await runBlock(db, options.plan.statementsOf(block.sql), run.scope);
        return ran.ok ? { status: 'passed' } : unexpectedError(ran.error, ran.statement, options.timeoutMs);
      },
      // A server that stopped answering gets a short deadline for cleanup, not a step's whole budget.
      phase === 'cleanup' && serverStopped(options.signal) ? CLEANUP_DEADLINE_MS : options.timeoutMs,
      where(block.loc),
    );
  // Cleanup outlasts a connection problem: it is tried again on a new connection (see cleanup-retry.ts).
  const outcome = phase === 'cleanup' ? await retryOnNewConnection(attempt, options.signal) : await attempt();
  // A lost connection keeps its code: it decides the run's exit code and tells the reader what happened.
  const code = outcome.failure?.code === 'CONNECTION_LOST' ? 'CONNECTION_LOST' : phase === 'setup' ? 'SETUP_FAILED' : 'CLEANUP_FAILED';
  // A parent deleted before its children: say what to do; the leak check lists the children.
  const fkHint =
    phase === 'cleanup' && outcome.failure?.error?.code === '23503'
      ? '\nrows that reference it are still there: delete them first, in the same cleanup before this statement (the leak check lists them and proposes the deletes)'
      : '';
  const failure = outcome.failure && { ...outcome.failure, code, message: `${phase} failed: ${outcome.failure.message}${fkHint}` };
  const todo: { status?: Status; known?: KnownFailure } = phase === 'setup' && outcome.status !== 'passed' ? asTodo(run.spec.known, 'errored') : {};
  record(run, {
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

/** Whether every setup block passed; the first that does not stops the rest. */
const runSetup = async (run: Running): Promise<boolean> => {
  const { setup } = run.spec;
  for (const [i, block] of setup.entries()) {
    if (run.options.signal.aborted || !(await runSqlBlock(run, 'setup', block, i, setup.length)).status.startsWith('pass')) return false;
  }
  return true;
};

const contextFor = (run: Running, step: Step, stepIndex: number): StepContext => {
  const { options, spec } = run;
  const onRows = options.onRows;
  return {
    plan: options.plan,
    databases: options.databases,
    scope: run.scope,
    timeoutMs: step.timeoutMs ?? options.timeoutMs,
    signal: options.signal,
    ...(onRows ? { onRows: (check) => onRows({ ...check, spec, stepIndex }) } : {}),
    ...(options.onSchema ? { onSchema: options.onSchema } : {}),
    upgraded: run.upgraded,
  };
};

/** Runs one step's executor; stopping the run cancels its statements in flight. */
const runStep = async (run: Running, step: Step, stepIndex: number): Promise<StepOutcome> => {
  const { options } = run;
  const context = contextFor(run, step, stepIndex);
  const execute = EXECUTORS[step.kind] as (s: Step, c: StepContext) => Promise<StepOutcome>;
  // Cleanup waits until the cancellation is done so that it cannot cancel cleanup's own statements.
  let cancelling: Promise<unknown> | undefined;
  const cancel = () => (cancelling = Promise.allSettled([...options.databases.values()].map((db) => db.cancelRunning())));
  options.signal.addEventListener('abort', cancel, { once: true });
  const outcome = await bounded(() => execute(step, context), context.timeoutMs, where(step.loc), options.signal);
  options.signal.removeEventListener('abort', cancel);
  // Bounded: a server that stopped answering never confirms the cancellation.
  // (Only when there is a cancellation: a timer per step, kept for seconds, kept each step's closures alive.)
  if (cancelling && !serverStopped(options.signal)) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([cancelling, new Promise((resolve) => (timer = setTimeout(resolve, CLEANUP_DEADLINE_MS)))]);
    clearTimeout(timer);
  }
  // A statement cancelled because the run was stopped says nothing about the database.
  if (options.signal.aborted && outcome.status !== 'passed' && !serverStopped(options.signal)) {
    return { status: 'errored', failure: { code: 'INTERRUPTED', message: 'the run was interrupted while this step ran', location: where(step.loc) } };
  }
  return outcome;
};

/** The steps in order; after an errored one (lost connection, internal error) the rest are skipped. */
const runSteps = async (run: Running, halted: boolean): Promise<void> => {
  for (const [stepIndex, step] of run.spec.steps.entries()) {
    const entry = stepEntry(step);
    const known = step.known ?? run.spec.known;
    if (halted || run.options.signal.aborted || known?.kind === 'skip') {
      record(run, { ...entry, status: 'skipped', durationMs: 0, ...(known?.kind === 'skip' ? { known: { kind: 'skip', reason: known.reason } } : {}) });
      continue;
    }
    const t = performance.now();
    const outcome = await runStep(run, step, stepIndex);
    if (outcome.status === 'errored') halted = true;
    const todo = asTodo(known, outcome.status);
    record(run, {
      ...entry,
      status: todo.status,
      ...(todo.known ? { known: todo.known } : {}),
      durationMs: performance.now() - t,
      ...(outcome.waitedMs !== undefined ? { waitedMs: outcome.waitedMs } : {}),
      ...(outcome.failure ? { failure: outcome.failure } : {}),
      ...(outcome.metrics && Object.keys(outcome.metrics).length > 0 ? { metrics: outcome.metrics } : {}),
      ...(outcome.samples && outcome.samples.length > 0 ? { samples: outcome.samples } : {}),
      ...(outcome.output !== undefined ? { output: outcome.output } : {}),
    });
    if (outcome.status === 'passed') run.owed.update();
  }
};

/** The isolation check: every table holds as many rows as before. Returns the fingerprint taken after. */
const checkIsolation = async (run: Running, { before, scopes, marks }: Before): Promise<Fingerprints | undefined> => {
  const { spec, options } = run;
  const t = performance.now();
  let fingerprintAfter: Fingerprints | undefined;
  const outcome = await bounded(
    async () => {
      const after = await takeFingerprints(options.databases, scopes);
      fingerprintAfter = mergeFingerprints(options.isolation?.before, after, scopes);
      const changes = fingerprintChanges(before, after);
      if (changes.length === 0) return { status: 'passed' };
      const message = `the spec did not leave the databases as it found them: ${changes.join('; ')}`;
      // The explanation is a courtesy: should it fail, the verdict and its one-line reason stand.
      const explained = await explainLeaks({
        spec,
        plan: options.plan,
        scope: run.scope,
        databases: options.databases,
        before,
        after,
        marks: { before: marks, after: marksOf(options.databases) },
      }).catch(() => undefined);
      const leaks = explained && explained.leaks.length > 0 ? { leaks: explained.leaks } : {};
      const cleanup = explained && explained.cleanup.length > 0 ? { cleanup: explained.cleanup } : {};
      return { status: 'failed', failure: { code: 'ISOLATION_LEAK', message, location: where(spec.loc), ...leaks, ...cleanup } };
    },
    options.timeoutMs,
    where(spec.loc),
  );
  record(run, {
    name: `leaves ${[...options.databases.keys()].join(' and ')} as it found them`,
    phase: 'isolation',
    kind: 'isolation',
    location: where(spec.loc),
    status: outcome.status,
    durationMs: performance.now() - t,
    ...(outcome.failure ? { failure: outcome.failure } : {}),
  });
  return fingerprintAfter;
};

export const runSpec = async (spec: Spec, options: SpecRunOptions): Promise<SpecRun> => {
  if (spec.known?.kind === 'skip') return { result: skippedSpec(spec) };
  const started = performance.now();
  const scope = VarScope.forSpec(spec, { runId: options.runId });
  const owed = trackOwedCleanup(options.owed?.id ?? 0, spec, options.plan, scope, options.owed);
  const run: Running = { spec, options, scope, steps: [], upgraded: new Map(), owed };
  let isolation: Before | undefined;
  if (options.isolation) {
    const counted = await fingerprintBefore(run, options.isolation.before);
    if ('errored' in counted) {
      for (const step of counted.errored.steps) record(run, step);
      return { result: { ...counted.errored, durationMs: performance.now() - started } };
    }
    isolation = counted;
  }
  await proveSessions(options.plan, spec, options.databases);
  owed.update();
  const setupOk = await runSetup(run);
  await runSteps(run, !setupOk);
  let unreachable = false;
  for (const [i, block] of spec.cleanup.entries()) {
    const code = (await runSqlBlock(run, 'cleanup', block, i, spec.cleanup.length)).failure?.code;
    if (code === 'CONNECTION_LOST' || code === 'TIMEOUT') unreachable = true;
  }
  await Promise.allSettled([...run.upgraded.values()].map((fresh) => fresh.drop()));
  // A cleanup that could not reach its database stays owed: the next run runs it (see db/run-registry.ts).
  if (!unreachable) owed.settled();
  // A silent server cannot be counted; the run is stopping anyway.
  const fingerprintAfter = isolation && !serverStopped(options.signal) ? await checkIsolation(run, isolation) : undefined;
  return { result: specResult(spec, run.steps, performance.now() - started), fingerprintAfter };
};
