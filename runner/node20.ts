/**
 * What Node 20 lacks that dbspec and its bundled slonik use, added before either loads. dbspec runs on the
 * user's own Node (20.19 or later): `Promise.withResolvers` (Node 22) is the one later API they need; the
 * build (scripts/build.ts) compiles for Node 20 and a test greps the bundle for others.
 */
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}
