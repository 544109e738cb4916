/**
 * `dbspec run`: load, validate, select, plan (run-prepare.ts), open the databases, execute under mocha,
 * write results and reports (run-output.ts). Owns the process-level concerns: signals, exit codes, what is
 * printed where.
 */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { Config } from '../config.ts';
import { openDatabases, type OpenDatabases } from '../db/open.ts';
import { checkPlan, DB_CHECK_STATEMENT_TIMEOUT_MS } from '../db-check/check-specs.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { checksEachSpec, runSpecs, workerCount, type EngineRun } from '../execute/engine.ts';
import { EVENT_ROWS, EVENT_SCHEMA, EVENT_SPEC, EVENT_STEP, RunEvents } from '../execute/events.ts';
import { startSpecThreads, threadsWanted, type SpecThreads } from '../execute/spec-threads.ts';
import { createHarness } from '../execute/mocha-suites.ts';
import { erroredSpec } from '../execute/spec-result.ts';
import { reportInternalError } from '../internal-error.ts';
import type { Plan } from '../plan/plan.ts';
import { selectionOf } from '../plan/sources.ts';
import { runAnnotations } from '../report/github.ts';
import { listenersAddedSince } from '../process-listeners.ts';
import { redactSecrets } from '../redact.ts';
import { assembleResults } from '../results/assemble.ts';
import { placed } from '../results/place.ts';
import type { SpecResult } from '../results/types.ts';
import { stepConnections } from '../spec/step-kinds.ts';
import type { Spec } from '../spec/types.ts';
import type { Command } from './command.ts';
import { appendStepSummary, printAnnotations } from './ci-output.ts';
import { fail, usage } from './command-output.ts';
import { startProgress } from './progress.ts';
import { parseOptions, type RunOptions } from './run-options.ts';
import { CONFIG_OPTION, SELECTION_OPTIONS } from './shared-options.ts';
import { gitCommit } from './git-commit.ts';
import { runExitCode, summaryLine, writeOutputs } from './run-output.ts';
import { databaseFacts, withSources } from './run-facts.ts';
import { prepareRun, type PreparedRun } from './run-prepare.ts';
import { trapSignals, within } from './run-process.ts';
import { isServerUnresponsive } from '../db/watchdog.ts';
import { DEFAULT_MAX_ROWS } from '../db/row-limit.ts';
import { connectionProblem, exitSoon, owedCleanupOf, printNotices, watchRun } from './run-safety.ts';

/** The largest number of connections one step holds at once, so the pool never starves a barrier. */
const connectionsNeeded = (specs: readonly Spec[]): number => Math.max(0, ...specs.flatMap((s) => s.steps.map(stepConnections)));

/** Bounded retry on first contact, so an unreachable database is reported well within 10 s. */
const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 5_000;

type Run = EngineRun & { readonly internalError?: unknown };

/**
 * Runs the engine; should it throw (a bug), the specs that finished keep their results and the rest are
 * reported errored with INTERNAL, so results and reports are still written and mocha's progress completes.
 */
const runOrSalvage = async (plan: Plan, finished: ReadonlyMap<number, SpecResult>, events: RunEvents, work: () => Promise<EngineRun>): Promise<Run> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DbspecError) throw error;
    const message = `not run: dbspec failed (internal error: ${error instanceof Error ? error.message : String(error)})`;
    const specs = plan.specs.map((spec, index) => {
      const done = finished.get(index);
      if (done) return done;
      const result = erroredSpec(spec, { code: 'INTERNAL', message, ...placed(spec.loc) });
      events.emit(EVENT_SPEC, index, result);
      return result;
    });
    return { specs, interrupted: false, stoppedAfterFailure: false, runLeaks: [], internalError: error };
  }
};

/** What a mode wrapped around the run (record mode) adds: a say over the config, and the run's events. */
export type RunHooks = {
  /** Problems that stop the run before anything is opened, e.g. record mode's refusal of a shared database. */
  readonly refuse?: (config: Config) => Diagnostic[];
  readonly events?: RunEvents;
};

/** Opens (or starts) the databases, then with --db-check has them analyse every statement. */
const openForRun = async (prepared: PreparedRun, options: RunOptions): Promise<OpenDatabases | number> => {
  const { selected } = prepared;
  let opened: OpenDatabases;
  try {
    opened = await openDatabases(prepared.config, prepared.names, {
      allowShared: options.allowShared,
      migrate: options.migrate,
      statementTimeoutMs: options.timeoutMs,
      maxRows: options.maxRows ?? prepared.config.maxRows ?? DEFAULT_MAX_ROWS,
      poolSize: Math.max(10, connectionsNeeded(selected) * options.jobs + 2),
      logFile: join(prepared.outDir, 'postgres.log'),
      workers: workerCount(options.jobs, selected.length),
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    });
  } catch (error) {
    if (error instanceof DbspecError) return fail(error.diagnostics);
    throw error;
  }
  printNotices(opened);
  return opened;
};

const dbCheckProblems = (plan: Plan, opened: OpenDatabases, options: RunOptions): Promise<Diagnostic[]> =>
  // The guard has passed: every database here may be written to, so the spec's DDL all runs (rolled back).
  checkPlan(plan, opened.databases, { mayChangeExisting: () => true, statementTimeoutMs: Math.min(options.timeoutMs, DB_CHECK_STATEMENT_TIMEOUT_MS) });

/** The specs under mocha's reporter: the engine emits, the harness listens. */
const executePlan = async (
  plan: Plan,
  opened: OpenDatabases,
  options: RunOptions,
  signal: AbortSignal,
  events: RunEvents,
  threads: SpecThreads | undefined,
): Promise<Run> => {
  if (opened.copiesRefused !== undefined)
    process.stderr.write(
      `dbspec: --jobs ${options.jobs}: the workers share the databases, so leaks are checked around the whole run instead of per spec (${redactSecrets(opened.copiesRefused)})\n`,
    );
  const isolation = checksEachSpec(options.jobs, plan.specs.length, opened.workers.length);
  const harness = createHarness(plan, { reporter: options.reporter, isolation, bail: options.bail });
  // Mocha's runner leaves its error listeners on the process, and through them every suite and result.
  const mochaListeners = listenersAddedSince(['uncaughtException', 'unhandledRejection']);
  const mochaDone = harness.run().finally(mochaListeners.remove);
  // What finished before an internal error is still written (see runOrSalvage).
  const finished = new Map<number, SpecResult>();
  events.on(EVENT_STEP, harness.onStep);
  events.on(EVENT_SPEC, (index, result) => {
    finished.set(index, result);
    harness.onSpec(index, result);
  });
  const { databases, workers } = opened;
  const engine = { plan, databases, workerDatabases: workers, runId: randomUUID().slice(0, 8), timeoutMs: options.timeoutMs, jobs: options.jobs };
  const owed = owedCleanupOf(opened);
  const connected = threads && isolation ? connectThreads(threads, opened, engine.runId) : undefined;
  const progress = startProgress(plan.specs.length);
  events.on(EVENT_SPEC, (_index, result) => progress.specDone(result));
  const run = await runOrSalvage(plan, finished, events, () =>
    runSpecs({ ...engine, bail: options.bail, signal, events, owed, ...(connected && { threads: connected }) }),
  ).finally(progress.end);
  await mochaDone;
  return run;
};

/**
 * Threads for --jobs workers 2..N, started as soon as the specs are planned, so that they load and plan
 * while the databases open (see execute/spec-threads.ts). Used only if each worker gets its own copies.
 */
const startThreadsFor = (plan: Plan, options: RunOptions, events: RunEvents, signal: AbortSignal): SpecThreads | undefined => {
  const recording = events.listenerCount(EVENT_ROWS) + events.listenerCount(EVENT_SCHEMA) > 0;
  const workers = workerCount(options.jobs, plan.specs.length);
  if (!threadsWanted(plan, workers, recording)) return undefined;
  const onUnavailable = (worker: number, reason: string): void => {
    process.stderr.write(`dbspec: --jobs ${options.jobs}: worker ${worker} runs on the main thread, its own could not start (${redactSecrets(reason)})\n`);
  };
  return startSpecThreads(plan, workers, { timeoutMs: options.timeoutMs, signal, onUnavailable });
};

/** Each thread told where its worker's copies are. */
const connectThreads = (threads: SpecThreads, opened: OpenDatabases, runId: string) =>
  threads.connect(
    opened.workers.map((databases, k) => ({
      urls: opened.workerUrls[k] ?? new Map<string, string>(),
      embedded: new Map([...databases].map(([name, db]) => [name, db.embedded] as const)),
    })),
    opened.connectOptions,
    runId,
  );

export const executeRun = async (options: RunOptions, hooks: RunHooks = {}): Promise<number> => {
  const prepared = await prepareRun(options, hooks.refuse);
  if (typeof prepared === 'number') return prepared;
  const controller = new AbortController();
  const events = hooks.events ?? new RunEvents();
  const threads = startThreadsFor(prepared.plan, options, events, controller.signal);
  let opened: OpenDatabases | undefined;
  const untrap = trapSignals(controller, () => {
    process.stderr.write('dbspec: forced stop\n');
    void opened?.close().finally(() => process.exit(130));
  });
  const startedAt = new Date();
  let watchdog: ReturnType<typeof watchRun> | undefined;
  try {
    const ready = await openForRun(prepared, options);
    if (typeof ready === 'number') return ready;
    opened = ready;
    if (controller.signal.aborted) return 130;
    watchdog = watchRun(opened, options.timeoutMs, controller);
    const problems = options.dbCheck ? await dbCheckProblems(prepared.plan, opened, options) : [];
    if (problems.length > 0) return fail(problems);
    const facts = await databaseFacts(prepared.config, opened.databases);
    const run = await executePlan(prepared.plan, opened, options, controller.signal, events, threads);
    const results = assembleResults(withSources(run.specs, prepared.sources), {
      release: options.release,
      commit: gitCommit(),
      startedAt,
      finishedAt: new Date(),
      interrupted: run.interrupted,
      stoppedAfterFailure: run.stoppedAfterFailure,
      databases: facts,
      hostname: hostname(),
      selection: selectionOf(prepared.whole, prepared.sources, options.shard),
    });
    const notWritten = await writeOutputs(results, prepared.outDir);
    if (notWritten !== undefined) return notWritten;
    await appendStepSummary(await readFile(join(prepared.outDir, 'report.md'), 'utf8'));
    printAnnotations(() => runAnnotations(results));
    if (run.runLeaks.length > 0) process.stderr.write(`dbspec: the run did not leave the databases as it found them: ${run.runLeaks.join('; ')}\n`);
    process.stdout.write('\n' + summaryLine(results, prepared.outDir));
    if (run.internalError) return reportInternalError(run.internalError);
    if (isServerUnresponsive(controller.signal.reason)) {
      process.stderr.write(`dbspec: ${controller.signal.reason.message}: the run was stopped\n`);
      exitSoon(2);
      return 2;
    }
    if (run.interrupted && controller.signal.aborted) return 130;
    const lost = connectionProblem(results);
    if (lost !== undefined) {
      process.stderr.write(`dbspec: ${lost}\n`);
      return 2;
    }
    return runExitCode(results, run, controller.signal.aborted);
  } finally {
    watchdog?.stop();
    untrap();
    // Before the databases they use are closed and their copies dropped.
    await threads?.close();
    // A server that vanished mid-run must not hold the exit hostage.
    await within(opened?.close(), isServerUnresponsive(controller.signal.reason) ? 1_000 : CLOSE_TIMEOUT_MS);
  }
};

export const runCommand: Command = {
  name: 'run',
  summary: 'Run specs against the databases (an embedded PostgreSQL when no URL is set).',
  usage: 'dbspec run [paths...] [options]',
  options: {
    config: CONFIG_OPTION,
    ...SELECTION_OPTIONS,
    shard: { type: 'string', value: 'I/N', description: 'Run the I-th of N deterministic shards (for CI matrices).' },
    durations: { type: 'string', value: 'RESULTS.json', description: 'Balance --shard by the durations of a previous run.' },
    bail: { type: 'boolean', short: 'b', description: 'Stop after the first spec that fails.' },
    'max-rows': {
      type: 'string',
      value: 'N',
      description: `Rows one statement may return before its step fails (default ${DEFAULT_MAX_ROWS}, or max_rows in the config).`,
    },
    timeout: { type: 'string', value: 'DURATION', description: 'Time limit per step, also PostgreSQL statement_timeout.', default: '30s' },
    jobs: {
      type: 'string',
      short: 'j',
      value: 'N',
      description: 'Run N specs in parallel, each worker on its own copy of the databases ($DBSPEC_THREADS=on: workers 2..N in threads).',
      default: '1',
    },
    release: { type: 'string', value: 'LABEL', description: 'Release label recorded in results (or $DBSPEC_RELEASE).' },
    out: {
      type: 'string',
      short: 'o',
      value: 'DIR',
      description: "Where results.json, junit.xml and reports go (default: the config's `output:`, reports/out).",
    },
    'allow-shared': { type: 'boolean', description: 'Allow writing to databases not marked disposable in the config.' },
    migrate: { type: 'boolean', description: 'Apply pending migrations to configured (non-embedded) databases first.' },
    reporter: { type: 'string', short: 'R', value: 'NAME', description: 'Mocha reporter for progress: spec, dot, tap, min, ...', default: 'spec' },
    'db-check': {
      type: 'boolean',
      description: 'First have the databases analyse every statement (PREPARE, nothing runs); stop with exit 1 on unknown tables, columns, ...',
    },
    watch: {
      type: 'boolean',
      short: 'w',
      description: 'Keep the databases up and run a spec again each time it (or a migration) is saved; Ctrl-C stops.',
    },
    update: {
      type: 'boolean',
      short: 'u',
      description: 'Record mode: write the rows that came back into every failing `expect.rows` (embedded or disposable databases only).',
    },
  },
  run: async ({ values, positionals }) => {
    const options = parseOptions(values, positionals);
    if ('kind' in options) return fail([options]);
    if (values.watch === true) {
      if (values.update === true || options.shard || options.jobs > 1)
        return fail([usage('--watch runs one spec at a time as you save it: it does not combine with --update, --shard or --jobs')]);
      return (await import('./watch.ts')).runWatching(options);
    }
    if (values.update === true) return (await import('../update/record-run.ts')).recordRun((hooks) => executeRun(options, hooks));
    return executeRun(options);
  },
};
