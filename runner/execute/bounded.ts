/**
 * The one guard around every piece of a spec's work (setup, a step, cleanup, the isolation check): a
 * deadline past which the harness stops waiting, and a catch that turns whatever the work throws into an
 * outcome instead of a crash.
 */
import { toDbError } from '../db/db-error.ts';
import type { StepOutcome } from './context.ts';
import { serverStopped } from './cleanup-retry.ts';
import { MissingValueError } from './scope.ts';

/** Past the step's own budget plus a grace period the harness gives up waiting; statement_timeout normally fires first. */
const GRACE_MS = 2_000;

/**
 * The work's outcome, or TIMEOUT past its budget plus grace; at once when the watchdog has found the server
 * silent (nothing the server would answer is worth waiting for then).
 */
const withDeadline = async (work: Promise<StepOutcome>, ms: number, location: string, signal?: AbortSignal): Promise<StepOutcome> => {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const late = new Promise<StepOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ status: 'failed', failure: { code: 'TIMEOUT', message: `the step did not finish within ${ms} ms`, location } }),
      ms + GRACE_MS,
    );
    onAbort = () => {
      if (signal && serverStopped(signal))
        resolve({ status: 'errored', failure: { code: 'TIMEOUT', message: `stopped: ${(signal.reason as Error).message}`, location } });
    };
    if (signal?.aborted) onAbort();
    else signal?.addEventListener('abort', onAbort, { once: true });
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
    if (onAbort) signal?.removeEventListener('abort', onAbort);
  }
};

/** A database that cannot be reached is named as such; anything else thrown is dbspec's own fault. */
const thrownOutcome = (error: unknown, location: string): StepOutcome => {
  if (error instanceof MissingValueError) return { status: 'failed', failure: { code: 'CAPTURE_MISSING', message: error.message, location } };
  const db = toDbError(error);
  if (db.kind === 'connection-lost' || db.kind === 'connection-failed') {
    return { status: 'errored', failure: { code: 'CONNECTION_LOST', message: `lost the connection to the database: ${db.message}`, location } };
  }
  return { status: 'errored', failure: { code: 'INTERNAL', message: (error as Error).message, location } };
};

/**
 * `work`'s outcome, or TIMEOUT once `ms` (plus grace) has passed, or what it threw as an outcome: an
 * exception from an executor is not the spec's verdict on the database.
 */
export const bounded = (work: () => Promise<StepOutcome>, ms: number, location: string, signal?: AbortSignal): Promise<StepOutcome> =>
  withDeadline(
    (async () => {
      try {
        return await work();
      } catch (error) {
        return thrownOutcome(error, location);
      }
    })(),
    ms,
    location,
    signal,
  );
