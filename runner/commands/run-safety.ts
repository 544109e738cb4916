/**
 * What keeps `dbspec run` from hanging or leaving things behind, wired around the engine: the watchdog that
 * stops a run whose server went silent, the record of cleanup owed by specs in flight, and the one line
 * that names the database when a connection problem decides the exit code.
 */
import type { Config } from '../config.ts';
import type { OpenDatabases } from '../db/open.ts';
import type { Diagnostic } from '../diagnostics.ts';
import type { Plan } from '../plan/plan.ts';
import { guardStatements } from '../spec/shared-target-guard.ts';
import { piecesOf } from '../db-check/check-spec.ts';
import { ensureParser } from '../sql/split.ts';
import { startWatchdog, type Watchdog } from '../db/watchdog.ts';
import { redactSecrets } from '../redact.ts';
import type { RunResults } from '../results/types.ts';

/** A server silent for the step timeout (at least this long) stops the run. */
const MIN_STALL_MS = 2_000;

/** Stops the run (controller.abort with a ServerUnresponsive reason) when a server stops answering pings. */
export const watchRun = (opened: OpenDatabases, timeoutMs: number, controller: AbortController): Watchdog =>
  startWatchdog(
    [...opened.urls].map(([name, url]) => ({ name, url })),
    {
      stallMs: Math.max(timeoutMs, MIN_STALL_MS),
      onStall: (reason) => {
        process.stderr.write(`\ndbspec: ${reason.message}: stopping the run; cleanup is tried with a short deadline\n`);
        controller.abort(reason);
      },
    },
  );

/** The engine's `owed` option: this run's registry record and each worker's database keys. */
export const owedCleanupOf = (opened: OpenDatabases) => ({ record: opened.record, targets: opened.targets });

/** Prints what was removed that killed runs had left, one line each. */
export const printNotices = (opened: OpenDatabases): void => {
  for (const notice of opened.notices) process.stderr.write(`dbspec: ${redactSecrets(notice)}\n`);
};

/** "database `auth`: could not connect ... (SQLSTATE 53300)" for the first step that lost its database, if any. */
export const connectionProblem = (results: RunResults): string | undefined => {
  for (const spec of results.specs)
    for (const step of spec.steps)
      if (step.failure?.code === 'CONNECTION_LOST') return `database \`${step.db ?? spec.databases.join(', ')}\`: ${redactSecrets(step.failure.message)}`;
  return undefined;
};

/**
 * The statements refused on databases that are not disposable (see spec/shared-target-guard.ts), before
 * anything runs; also with --allow-shared, which allows writing rows, not reaching beyond the database.
 */
export const refuseOnSharedTargets = async (plan: Plan, config: Config): Promise<Diagnostic[]> => {
  const guarded = new Set(config.databases.filter((d) => d.url !== undefined && !d.disposable).map((d) => d.name));
  if (guarded.size === 0) return [];
  await ensureParser();
  const allowance = config.sharedTargets ?? { allow: [], extensions: [] };
  return plan.specs.flatMap((spec) =>
    piecesOf(spec)
      .filter((piece) => guarded.has(piece.db))
      .flatMap((piece) => guardStatements(piece.db, plan.statementsOf(piece.sql), allowance)),
  );
};

/**
 * Exits shortly after the results are written when a server went silent: sockets to it (pool connections
 * that will never be answered) would otherwise hold the event loop until the CLI's last-resort timer.
 */
export const exitSoon = (code: number): void => {
  setTimeout(() => process.exit(code), 500).unref();
};
