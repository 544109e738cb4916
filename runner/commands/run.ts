/**
 * `dbspec run`: load, validate, select, plan, open the databases, execute under mocha, write results and
 * reports. Owns the process-level concerns: signals, exit codes, what is printed where.
 */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { mkdir, readFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { openDatabases, type OpenDatabases } from '../db/open.ts';
import { redactSecrets } from '../redact.ts';
import { reportInternalError } from '../internal-error.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { checksEachSpec, runSpecs, workerCount } from '../execute/engine.ts';
import { createHarness } from '../execute/mocha-suites.ts';
import { EVENT_SPEC, EVENT_STEP, RunEvents } from '../execute/events.ts';
import type { Config } from '../config.ts';
import { checkPlan, DB_CHECK_STATEMENT_TIMEOUT_MS } from '../db-check/check-specs.ts';
import { erroredSpec } from '../execute/run-spec.ts';
import { planRun } from '../plan/plan.ts';
import { selectSpecs, specKey } from '../plan/select.ts';
import { writeFileAtomic } from '../results/atomic-write.ts';
import { readResults, serializeResults } from '../results/read.ts';
import { assembleResults } from '../results/assemble.ts';
import type { RunResults, SpecResult } from '../results/types.ts';
import { writeRunReports } from '../report/render.ts';
import { stepConnections } from '../spec/step-kinds.ts';
import type { Spec } from '../spec/types.ts';
import type { Command } from './command.ts';
import { fail, loadProject, shown, usage } from './command-output.ts';
import { outputFolder, specsFolder } from '../config.ts';
import { startProgress } from './progress.ts';
import { parseOptions, type RunOptions } from './run-options.ts';
import { databaseFacts, withSources } from './run-facts.ts';
import { appendStepSummary, printAnnotations } from './ci-output.ts';
import { runAnnotations } from '../report/github.ts';
import { selectionOf, specSources } from '../plan/sources.ts';
import { trapSignals, within } from './run-process.ts';
import { gitCommit } from './git-commit.ts';
import { listenersAddedSince } from '../process-listeners.ts';

/** The largest number of connections one step holds at once, so the pool never starves a barrier. */
const connectionsNeeded = (specs: readonly Spec[]): number => Math.max(0, ...specs.flatMap((s) => s.steps.map(stepConnections)));

const loadDurations = async (file: string): Promise<Map<string, number>> => {
  const previous = await readResults(file);
  return new Map(previous.specs.map((s) => [specKey(s), s.durationMs]));
};

const summaryLine = (results: RunResults, outDir: string): string => {
  const s = results.summary.specs;
  const parts = [
    `${s.passed} passed`,
    s.failed ? `${s.failed} failed` : '',
    s.errored ? `${s.errored} errored` : '',
    s.skipped ? `${s.skipped} skipped` : '',
  ].filter(Boolean);
  const where = relative(process.cwd(), outDir) || '.';
  return (
    `dbspec: ${s.total} spec${s.total === 1 ? '' : 's'}: ${parts.join(', ')} in ${(results.durationMs / 1000).toFixed(1)} s${results.interrupted ? ' (interrupted)' : results.stoppedAfterFailure ? ' (stopped after the first failure: --bail)' : ''}\n` +
    `results: ${join(where, 'results.json')}  report: ${join(where, 'report.html')}\n`
  );
};

/** Bounded retry on first contact, so an unreachable database is reported well within 10 s. */
const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 5_000;

/**
 * Runs the engine; should it throw (a bug), the specs that finished keep their results and the rest are
 * reported errored with INTERNAL, so results and reports are still written and mocha's progress completes.
 */
const runOrSalvage = async (
  plan: Awaited<ReturnType<typeof planRun>>,
  finished: ReadonlyMap<number, SpecResult>,
  events: RunEvents,
  work: () => ReturnType<typeof runSpecs>,
): Promise<Awaited<ReturnType<typeof runSpecs>> & { readonly internalError?: unknown }> => {
  try {
    return await work();
  } catch (error) {
    if (error instanceof DbspecError) throw error;
    const message = `not run: dbspec failed (internal error: ${error instanceof Error ? error.message : String(error)})`;
    const specs = plan.specs.map((spec, index) => {
      const done = finished.get(index);
      if (done) return done;
      const result = erroredSpec(spec, { code: 'INTERNAL', message, location: `${spec.loc.file}:${spec.loc.line}:${spec.loc.column}` });
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

export const executeRun = async (options: RunOptions, hooks: RunHooks = {}): Promise<number> => {
  const cwd = process.cwd();
  const loaded = await loadProject({ config: options.config }, options.paths);
  if ('configProblems' in loaded) return fail(loaded.configProblems);
  const refused = hooks.refuse?.(loaded.config) ?? [];
  if (refused.length > 0) return fail(refused);
  if (loaded.diagnostics.length > 0) return fail(loaded.diagnostics);
  const { config } = loaded;
  let durations: Map<string, number> | undefined;
  try {
    durations = options.durationsFrom ? await loadDurations(options.durationsFrom) : undefined;
  } catch (error) {
    if (error instanceof DbspecError) return fail(error.diagnostics);
    throw error;
  }
  const whole = selectSpecs(loaded.specs, { tags: options.tags, grep: options.grep });
  const selected = options.shard ? selectSpecs(loaded.specs, { tags: options.tags, grep: options.grep, shard: options.shard, durations }) : whole;
  if (selected.length === 0) {
    process.stdout.write(
      `dbspec: no specs to run (${loaded.specs.length} found in ${options.paths.length > 0 ? options.paths.join(', ') : shown(specsFolder(config))}, none selected)\n`,
    );
    return 0;
  }
  const plan = await planRun(selected);
  const sources = await specSources(whole, cwd);
  const names = [...new Set(selected.flatMap((s) => s.databases))];
  const outDir = options.out !== undefined ? resolve(cwd, options.out) : outputFolder(config);
  try {
    await mkdir(outDir, { recursive: true });
  } catch (error) {
    return fail([usage(`--out ${shown(outDir)}: cannot create the folder for results (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`)]);
  }

  const controller = new AbortController();
  let opened: OpenDatabases | undefined;
  const untrap = trapSignals(controller, () => {
    process.stderr.write('dbspec: forced stop\n');
    void opened?.close().finally(() => process.exit(130));
  });
  const startedAt = new Date();
  try {
    try {
      opened = await openDatabases(config, names, {
        allowShared: options.allowShared,
        migrate: options.migrate,
        statementTimeoutMs: options.timeoutMs,
        poolSize: Math.max(10, connectionsNeeded(selected) * options.jobs + 2),
        logFile: join(outDir, 'postgres.log'),
        workers: workerCount(options.jobs, selected.length),
        connectTimeoutMs: CONNECT_TIMEOUT_MS,
      });
    } catch (error) {
      if (error instanceof DbspecError) return fail(error.diagnostics);
      throw error;
    }
    if (controller.signal.aborted) return 130;
    if (options.dbCheck) {
      // The guard has passed: every database here may be written to, so the spec's DDL all runs (rolled back).
      const problems = await checkPlan(plan, opened.databases, {
        mayChangeExisting: () => true,
        statementTimeoutMs: Math.min(options.timeoutMs, DB_CHECK_STATEMENT_TIMEOUT_MS),
      });
      if (problems.length > 0) return fail(problems);
    }
    if (opened.copiesRefused !== undefined)
      process.stderr.write(
        `dbspec: --jobs ${options.jobs}: the workers share the databases, so leaks are checked around the whole run instead of per spec (${redactSecrets(opened.copiesRefused)})\n`,
      );
    const facts = await databaseFacts(config, opened.databases);
    const isolation = checksEachSpec(options.jobs, plan.specs.length, opened.workers.length);
    const harness = createHarness(plan, { reporter: options.reporter, isolation, bail: options.bail });
    // Mocha's runner leaves its error listeners on the process, and through them every suite and result.
    const mochaListeners = listenersAddedSince(['uncaughtException', 'unhandledRejection']);
    const mochaDone = harness.run().finally(mochaListeners.remove);
    // What finished before an internal error is still written (see runOrSalvage).
    const finished = new Map<number, SpecResult>();
    const events = hooks.events ?? new RunEvents();
    events.on(EVENT_STEP, harness.onStep);
    events.on(EVENT_SPEC, (index, result) => {
      finished.set(index, result);
      harness.onSpec(index, result);
    });
    const { databases, workers } = opened;
    const progress = startProgress(plan.specs.length);
    events.on(EVENT_SPEC, (_index, result) => progress.specDone(result));
    const run = await runOrSalvage(plan, finished, events, () =>
      runSpecs({
        plan,
        databases,
        workerDatabases: workers,
        runId: randomUUID().slice(0, 8),
        timeoutMs: options.timeoutMs,
        jobs: options.jobs,
        bail: options.bail,
        signal: controller.signal,
        events,
      }),
    ).finally(progress.end);
    await mochaDone;
    const results = assembleResults(withSources(run.specs, sources), {
      release: options.release,
      commit: gitCommit(),
      startedAt,
      finishedAt: new Date(),
      interrupted: run.interrupted,
      stoppedAfterFailure: run.stoppedAfterFailure,
      databases: facts,
      hostname: hostname(),
      selection: selectionOf(whole, sources, options.shard),
    });
    try {
      await writeFileAtomic(join(outDir, 'results.json'), serializeResults(results));
      await writeRunReports(results, outDir);
    } catch (error) {
      return fail([{ kind: 'config', code: 'DBSPEC_OUTPUT', message: `cannot write results and reports to ${shown(outDir)}: ${(error as Error).message}` }]);
    }
    await appendStepSummary(await readFile(join(outDir, 'report.md'), 'utf8'));
    printAnnotations(() => runAnnotations(results));
    if (run.runLeaks.length > 0) process.stderr.write(`dbspec: the run did not leave the databases as it found them: ${run.runLeaks.join('; ')}\n`);
    process.stdout.write('\n' + summaryLine(results, outDir));
    if (run.internalError) return reportInternalError(run.internalError);
    if (run.interrupted && controller.signal.aborted) return 130;
    const lost = results.specs.some((s) => s.steps.some((st) => st.failure?.code === 'CONNECTION_LOST'));
    if (lost) return 2;
    return results.summary.specs.passed + results.summary.specs.skipped === results.summary.specs.total && run.runLeaks.length === 0 && !run.interrupted
      ? 0
      : 1;
  } finally {
    untrap();
    // A server that vanished mid-run must not hold the exit hostage.
    await within(opened?.close(), CLOSE_TIMEOUT_MS);
  }
};

export const runCommand: Command = {
  name: 'run',
  summary: 'Run specs against the databases (an embedded PostgreSQL when no URL is set).',
  usage: 'dbspec run [paths...] [options]',
  options: {
    config: { type: 'string', value: 'FILE', description: 'The config file (default: the nearest dbspec.config.yaml, from the working directory up).' },
    grep: { type: 'string', short: 'g', value: 'REGEX', description: 'Only specs whose name, file or a step name matches.' },
    tag: { type: 'string', short: 't', multiple: true, value: 'TAG', description: 'Only specs with this tag (repeatable, or comma-separated).' },
    shard: { type: 'string', value: 'I/N', description: 'Run the I-th of N deterministic shards (for CI matrices).' },
    durations: { type: 'string', value: 'RESULTS.json', description: 'Balance --shard by the durations of a previous run.' },
    bail: { type: 'boolean', short: 'b', description: 'Stop after the first spec that fails.' },
    timeout: { type: 'string', value: 'DURATION', description: 'Time limit per step, also PostgreSQL statement_timeout.', default: '30s' },
    jobs: { type: 'string', short: 'j', value: 'N', description: 'Run N specs in parallel on separate connections.', default: '1' },
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
      return (await import('./watch.ts')).watchRun(options);
    }
    if (values.update === true) return (await import('../update/record-run.ts')).recordRun((hooks) => executeRun(options, hooks));
    return executeRun(options);
  },
};
