/**
 * Cleanup runs after a connection problem too: the connection that failed is discarded by the pool, so
 * another attempt gets a new one (the server may have been restarted, or a connection slot freed). After
 * the watchdog stopped the run (the server stopped answering) one attempt is made, with a short deadline.
 */
import { isServerUnresponsive } from '../db/watchdog.ts';
import type { StepOutcome } from './context.ts';

/** Total time cleanup keeps retrying a database it cannot reach. */
const RETRY_FOR_MS = 5_000;
/** A cleanup block's deadline once the server has stopped answering. */
export const CLEANUP_DEADLINE_MS = 3_000;

export const serverStopped = (signal: AbortSignal): boolean => signal.aborted && isServerUnresponsive(signal.reason);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const retryOnNewConnection = async (attempt: () => Promise<StepOutcome>, signal: AbortSignal): Promise<StepOutcome> => {
  const deadline = Date.now() + RETRY_FOR_MS;
  let delay = 200;
  for (;;) {
    const outcome = await attempt();
    if (outcome.failure?.code !== 'CONNECTION_LOST' || serverStopped(signal) || Date.now() + delay > deadline) return outcome;
    await sleep(delay);
    delay = Math.min(delay * 2, 1_000);
  }
};
