/**
 * A dedicated connection kept open across many awaits (the named sessions of an interleaving), where
 * `Database.withSession` only lends one for the length of a callback.
 */
import type { Database, Session } from './database.ts';

export type HeldSession = Session & {
  /** Gives the connection back to the pool; resolves once it is back. */
  release(): Promise<void>;
};

export const holdSession = async (db: Database): Promise<HeldSession> => {
  const released = Promise.withResolvers<void>();
  const lent = Promise.withResolvers<Session>();
  const finished = db.withSession(async (session) => {
    lent.resolve(session);
    await released.promise;
  });
  // A connection that cannot be opened rejects `finished` before lending anything.
  finished.catch((error: unknown) => lent.reject(error));
  const session = await lent.promise;
  return {
    pid: session.pid,
    query: (sql, values) => session.query(sql, values),
    release: async () => {
      released.resolve();
      await finished.catch(() => undefined);
    },
  };
};
