/**
 * Process-level control for `dbspec run`: signals and bounded waits.
 */

/** SIGINT/SIGTERM: the first one stops the run gracefully (cleanup runs, results are written); a second one forces. */
export const trapSignals = (controller: AbortController, onForce: () => void): (() => void) => {
  let count = 0;
  const handler = (signal: NodeJS.Signals) => {
    count += 1;
    if (count === 1) {
      process.stderr.write(`\ndbspec: ${signal}: stopping after the running steps; cleanup runs and partial results are written (again to force)\n`);
      controller.abort();
    } else onForce();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  };
};

/** Waits for `work`, but no longer than `ms`: a server that vanished must not hold the exit hostage. */
export const within = async (work: Promise<unknown> | undefined, ms: number): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work?.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
};
