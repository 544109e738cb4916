/**
 * The databases a run needs, ready to query: URLs from config are checked against the disposable guard;
 * databases without a URL live on one embedded server, created fresh with their migrations applied.
 */
import { join } from 'node:path';
import type { Config, DatabaseConfig } from '../config.ts';
import { DbspecError, type Diagnostic } from '../diagnostics.ts';
import { connectDatabase } from './connect.ts';
import type { Database } from './database.ts';
import { startEmbeddedServer, type EmbeddedServer } from './embedded.ts';
import { applyMigrations } from './migrations.ts';
import { redactUrl } from './redact.ts';

export type OpenOptions = {
  allowShared: boolean;
  migrate: boolean;
  statementTimeoutMs?: number;
  poolSize?: number;
  logFile?: string;
  /** Total bounded retry when connecting; default 10000. */
  connectTimeoutMs?: number;
};

export type OpenDatabases = {
  readonly databases: ReadonlyMap<string, Database>;
  readonly embedded: boolean;
  /** Milliseconds the embedded server took from start to ready, when one was started. */
  readonly embeddedStartMs?: number;
  /** Ends pools, stops the embedded server and removes its temp dir; idempotent. */
  close(): Promise<void>;
};

const configsFor = (config: Config, names: readonly string[]): DatabaseConfig[] => {
  const unknown = names.filter((name) => !config.databases.some((database) => database.name === name));
  if (unknown.length > 0) {
    const known = config.databases.map((database) => database.name).join(', ') || 'none';
    throw new DbspecError(
      unknown.map((name) => ({ kind: 'config', code: 'DBSPEC_UNKNOWN_DATABASE', message: `database \`${name}\` is not configured (configured: ${known})` })),
    );
  }
  return [...new Set(names)].map((name) => config.databases.find((database) => database.name === name) as DatabaseConfig);
};

/** A shared server may hold someone's data: write to it only when told it is disposable. */
const guardShared = (databases: readonly DatabaseConfig[], allowShared: boolean): void => {
  const refused: Diagnostic[] = databases
    .filter((database) => database.url !== undefined && !database.disposable && !allowShared)
    .map((database) => ({
      kind: 'config',
      code: 'DBSPEC_NOT_DISPOSABLE',
      message: `refusing to run against database \`${database.name}\` at ${redactUrl(database.url as string)}: it is not marked disposable and specs write to it; pass --allow-shared or set \`disposable: true\` for \`${database.name}\` in dbspec.config.yaml`,
    }));
  if (refused.length > 0) throw new DbspecError(refused);
};

const startEmbedded = async (logFile: string | undefined): Promise<EmbeddedServer> => {
  try {
    return await startEmbeddedServer(logFile !== undefined ? { logFile } : {});
  } catch (error) {
    const [first, ...log] = (error as Error).message.split('\n');
    throw new DbspecError({ kind: 'connection', code: 'DBSPEC_EMBEDDED_START', message: first ?? 'embedded PostgreSQL failed to start', hint: log.join('\n') });
  }
};

export const openDatabases = async (config: Config, names: readonly string[], options: OpenOptions): Promise<OpenDatabases> => {
  const wanted = configsFor(config, names);
  guardShared(wanted, options.allowShared);
  const opened = new Map<string, Database>();
  let server: EmbeddedServer | undefined;
  let closed: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closed ??= (async () => {
      await Promise.allSettled([...opened.values()].map((database) => database.end()));
      await server?.stop();
    })());

  try {
    if (wanted.some((database) => database.url === undefined)) {
      server = await startEmbedded(options.logFile);
      for (const database of wanted.filter((each) => each.url === undefined)) await server.createDatabase(database.name);
    }
    for (const database of wanted) {
      const embedded = database.url === undefined;
      const url = database.url ?? (server as EmbeddedServer).url(database.name);
      const connected = await connectDatabase(database.name, url, {
        embedded,
        ...(options.connectTimeoutMs !== undefined && { connectTimeoutMs: options.connectTimeoutMs }),
        ...(options.statementTimeoutMs !== undefined && { statementTimeoutMs: options.statementTimeoutMs }),
        ...(options.poolSize !== undefined && { poolSize: options.poolSize }),
      });
      opened.set(database.name, connected);
      // A fresh embedded database always gets the system's schema; a given one only when asked.
      if (embedded || options.migrate) await applyMigrations(connected, join(config.root, database.migrations), config.root);
    }
  } catch (error) {
    await close().catch(() => undefined);
    throw error;
  }
  return {
    databases: opened,
    embedded: server !== undefined,
    ...(server !== undefined && { embeddedStartMs: server.startMs }),
    close,
  };
};
