/**
 * `dbspec run --watch`: the databases are opened once (the embedded server stays up, its databases built
 * once), then every save of a spec re-validates and re-runs that spec, and a changed migration rebuilds the
 * databases and re-runs every spec. Only the latest outcome is shown. Ctrl-C stops (exit 0).
 */
import { randomUUID } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { outputFolder, specsFolder, type Config } from '../config.ts';
import { openDatabases, type OpenDatabases } from '../db/open.ts';
import { DbspecError } from '../diagnostics.ts';
import { runSpecs } from '../execute/engine.ts';
import { RunEvents } from '../execute/events.ts';
import { planRun } from '../plan/plan.ts';
import { selectSpecs } from '../plan/select.ts';
import { formatDiagnostics } from '../spec/format-diagnostic.ts';
import { loadSpecs } from '../spec/validate.ts';
import { watchChanges, type Changes } from '../watch/changes.ts';
import { CLEAR_SCREEN, renderOutcome } from '../watch/screen.ts';
import { commandConfig, fail } from './command-output.ts';
import type { RunOptions } from './run-options.ts';
import { within } from './run-process.ts';

const CONNECT_TIMEOUT_MS = 5_000;
const CLOSE_TIMEOUT_MS = 5_000;

const openAll = (config: Config, options: RunOptions, outDir: string): Promise<OpenDatabases> =>
  openDatabases(
    config,
    config.databases.map((d) => d.name),
    {
      allowShared: options.allowShared,
      migrate: options.migrate,
      statementTimeoutMs: options.timeoutMs,
      logFile: join(outDir, 'postgres.log'),
      connectTimeoutMs: CONNECT_TIMEOUT_MS,
    },
  );

const shown = (cwd: string, file: string): string => relative(cwd, file).split('\\').join('/') || file;

const reasonOf = (changes: Changes | undefined, cwd: string): string => {
  if (!changes) return 'start';
  if (changes.migrations.size > 0) return `migrations of ${[...changes.migrations].join(', ')} changed`;
  return `${[...changes.specs].map((f) => shown(cwd, f)).join(', ')} saved`;
};

/** What every run of a watch shares; `opened` is replaced when a migration changes. */
type Watch = {
  readonly config: Config;
  readonly options: RunOptions;
  readonly cwd: string;
  readonly outDir: string;
  readonly paths: readonly string[];
  /** What the screen says is watched. */
  readonly watching: string;
  readonly signal: AbortSignal;
  opened: OpenDatabases;
};

/** One run: validate everything (cheap), run the specs the change concerns, show the outcome. */
const runOnce = async (w: Watch, changes: Changes | undefined): Promise<void> => {
  const { config, options, cwd } = w;
  const started = performance.now();
  if (changes && changes.migrations.size > 0) {
    await within(w.opened.close(), CLOSE_TIMEOUT_MS);
    w.opened = await openAll(config, options, w.outDir);
  }
  const loaded = await loadSpecs(w.paths, { databases: config.databases.map((d) => d.name), cwd });
  const only = changes && changes.migrations.size === 0 ? changes.specs : undefined;
  const concerned = (file: string) => !only || only.has(resolve(cwd, file));
  const problems = loaded.diagnostics.filter((d) => !d.location || concerned(d.location.file));
  const selected = selectSpecs(
    loaded.specs.filter((s) => concerned(s.file)),
    { tags: options.tags, ...(options.grep ? { grep: options.grep } : {}) },
  );
  const run = await runSpecs({
    plan: await planRun(selected),
    databases: w.opened.databases,
    runId: randomUUID().slice(0, 8),
    timeoutMs: options.timeoutMs,
    jobs: 1,
    bail: false,
    signal: w.signal,
    events: new RunEvents(),
  });
  const text = renderOutcome({
    at: new Date(),
    reason: reasonOf(changes, cwd),
    specs: run.specs,
    problems: problems.length > 0 ? await formatDiagnostics(problems) : '',
    durationMs: performance.now() - started,
    watching: w.watching,
  });
  // Only the latest outcome: a cleared screen on a terminal, a rule between outcomes in a log.
  process.stdout.write(`${process.stdout.isTTY === true ? CLEAR_SCREEN : `${'─'.repeat(60)}\n`}${text}`);
};

/** Runs one at a time, from a first run at the start: saves during a run are gathered and run together once it ends. */
const oneAtATime = (run: (changes: Changes | undefined) => Promise<void>) => {
  let queue: Promise<void> = run(undefined).catch(reportCrash);
  let pending: { specs: Set<string>; migrations: Set<string> } | undefined;
  return {
    changed: (changes: Changes): void => {
      const first = pending === undefined;
      pending ??= { specs: new Set(), migrations: new Set() };
      for (const s of changes.specs) pending.specs.add(s);
      for (const m of changes.migrations) pending.migrations.add(m);
      if (!first) return;
      queue = queue.then(() => {
        const next = pending!;
        pending = undefined;
        return run(next).catch(reportCrash);
      });
    },
    settled: (): Promise<void> => queue,
  };
};

const interrupted = (): Promise<void> =>
  new Promise<void>((done) => {
    const end = () => done();
    process.once('SIGINT', end);
    process.once('SIGTERM', end);
  });

export const runWatching = async (options: RunOptions): Promise<number> => {
  const cwd = process.cwd();
  const { config, diagnostics } = await commandConfig({ config: options.config });
  if (!config) return fail(diagnostics);
  const outDir = options.out !== undefined ? resolve(cwd, options.out) : outputFolder(config);
  // No paths: the config's specs folder, as `dbspec run` does.
  const paths = options.paths.length > 0 ? options.paths : [specsFolder(config)];
  await mkdir(outDir, { recursive: true });
  let opened: OpenDatabases;
  try {
    opened = await openAll(config, options, outDir);
  } catch (error) {
    if (error instanceof DbspecError) return fail(error.diagnostics);
    throw error;
  }
  const controller = new AbortController();
  const migrations = new Map(config.databases.map((d) => [d.name, resolve(config.root, d.migrations)]));
  const watching = [...paths.map((p) => shown(cwd, resolve(cwd, p))), ...[...migrations.values()].map((m) => shown(cwd, m))].join(', ');
  const w: Watch = { config, options, cwd, outDir, paths, watching, signal: controller.signal, opened };
  const runs = oneAtATime((changes) => runOnce(w, changes));
  const stop = watchChanges({ paths, migrations }, cwd, runs.changed);
  await interrupted();
  stop();
  controller.abort();
  await within(runs.settled(), CLOSE_TIMEOUT_MS);
  await within(w.opened.close(), CLOSE_TIMEOUT_MS);
  process.stdout.write('\ndbspec watch: stopped\n');
  return 0;
};

/** A run that crashed (a bug, a database gone) is shown, and watching goes on. */
const reportCrash = (error: unknown): void => {
  const message = error instanceof DbspecError ? error.diagnostics.map((d) => d.message).join('\n') : String((error as Error)?.message ?? error);
  process.stdout.write(`dbspec watch: this run could not finish: ${message}\nwatching on: save again to retry\n`);
};
