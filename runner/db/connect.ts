/**
 * First contact with a database: a bounded retry (a server may still be starting), then one clear line
 * naming the database and its redacted URL.
 */
import { DbspecError } from '../diagnostics.ts';
import { PipelineChannel } from './pipeline.ts';
import { createPoolFor, databaseFromPool, type Database, type PoolOptions } from './database.ts';
import { toDbError } from './db-error.ts';
import { redactUrl } from '../redact.ts';
import type { ProblemCode } from '../error-codes.ts';

const errorCodes = (error: unknown): string[] => {
  const codes: string[] = [];
  for (let current = error, depth = 0; current !== null && typeof current === 'object' && depth < 8; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    current = (current as { cause?: unknown }).cause;
  }
  return codes;
};

/** Worth another try: nothing listening yet, or the server is still starting up. */
const isTransient = (error: unknown): boolean => {
  const codes = errorCodes(error);
  return toDbError(error).kind === 'connection-failed' || codes.includes('57P03') || codes.includes('ECONNRESET');
};

const reasonFor = (error: unknown): string => {
  const codes = errorCodes(error);
  if (codes.includes('ECONNREFUSED')) return 'connection refused';
  if (codes.includes('ENOTFOUND') || codes.includes('EAI_AGAIN')) return 'host not found';
  if (codes.includes('ETIMEDOUT') || codes.includes('DBSPEC_CONNECT_TIMEOUT')) return 'no answer (timed out)';
  return toDbError(error).message;
};

class AttemptTimeout extends Error {
  readonly code: ProblemCode = 'DBSPEC_CONNECT_TIMEOUT';
}

const within = <T>(promise: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new AttemptTimeout('timed out')), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
};

export type ConnectOptions = Omit<PoolOptions, 'connectTimeoutMs' | 'sessionSafe' | 'pipelines'> & {
  readonly connectTimeoutMs?: number;
  readonly embedded: boolean;
};

/** @throws DbspecError (kind 'connection', code DBSPEC_CONNECTION) when the database cannot be reached in time. */
export const connectDatabase = async (name: string, url: string, options: ConnectOptions): Promise<Database> => {
  const total = options.connectTimeoutMs ?? 10_000;
  const deadline = Date.now() + total;
  // Shared by the pool's driver (which skips the reset after these texts) and the Database (which proves them).
  const sessionSafe = new Set<string>();
  const pipelines = new PipelineChannel();
  const pool = await createPoolFor(url, { ...options, connectTimeoutMs: total, sessionSafe, pipelines });
  let delay = 100;
  let previous: unknown;
  for (;;) {
    try {
      return await within(databaseFromPool(name, pool, options.embedded, sessionSafe, pipelines), Math.max(1, deadline - Date.now()));
    } catch (caught) {
      // Running out of time on a retry says less than the failure that made us retry.
      const error = caught instanceof AttemptTimeout && previous !== undefined ? previous : caught;
      previous = error;
      if (caught instanceof AttemptTimeout || !isTransient(error) || Date.now() >= deadline) {
        await pool.end().catch(() => undefined);
        throw new DbspecError({
          kind: 'connection',
          code: 'DBSPEC_CONNECTION',
          message: `cannot connect to database \`${name}\` at ${redactUrl(url)}: ${reasonFor(error)}`,
        });
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(delay, Math.max(0, deadline - Date.now()))));
      delay = Math.min(delay * 2, 1000);
    }
  }
};
