/**
 * Libraries that hook the process (mocha's runner leaves its error handlers behind) add listeners
 * dbspec must not keep: they would hold a whole run's results in memory. This takes back
 * whatever listeners were added to the given events since it was called.
 */
export const listenersAddedSince = (events: readonly string[]): { readonly remove: () => void } => {
  const listeners = (event: string) => process.listeners(event as NodeJS.Signals);
  const before = new Map(events.map((event) => [event, new Set(listeners(event))] as const));
  return {
    remove: () => {
      for (const event of events) {
        for (const listener of listeners(event)) if (!before.get(event)!.has(listener)) process.removeListener(event, listener as (...args: unknown[]) => void);
      }
    },
  };
};
