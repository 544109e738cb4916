/**
 * The PostgreSQL servers every integration test runs against: the machine's PostgreSQL 15 at
 * 127.0.0.1:5432 and one embedded PostgreSQL 18, started lazily once per mocha process and stopped by the
 * root hook (test/support/hooks.ts). Tests work in scratch databases with unique names.
 */
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { Config } from '../../runner/config.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../../runner/db/embedded.ts';
import { openDatabases } from '../../runner/db/open.ts';

export type TestServer = {
  readonly label: string;
  readonly url: (database: string) => string;
  createDatabase(name: string): Promise<void>;
  dropDatabase(name: string): Promise<void>;
};

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const LOCAL = { host: '127.0.0.1', port: 5432, user: 'postgres' };

const ident = (name: string): string => `"${name.replaceAll('"', '""')}"`;

const localServer = (): TestServer => {
  const admin = async (sql: string): Promise<void> => {
    const client = new pg.Client({ ...LOCAL, database: 'postgres' });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  return {
    label: 'pg15 local',
    url: (database) => `postgres://${LOCAL.user}@${LOCAL.host}:${LOCAL.port}/${encodeURIComponent(database)}`,
    createDatabase: (name) => admin(`create database ${ident(name)}`),
    dropDatabase: (name) => admin(`drop database if exists ${ident(name)} with (force)`),
  };
};

let embedded: Promise<EmbeddedServer> | undefined;
let servers: Promise<TestServer[]> | undefined;

const embeddedServer = async (): Promise<TestServer> => {
  const server = await (embedded ??= startEmbeddedServer());
  return {
    label: 'pg18 embedded',
    url: (database) => server.url(database),
    createDatabase: (name) => server.createDatabase(name),
    dropDatabase: (name) => server.dropDatabase(name),
  };
};

/** Both servers; the embedded one starts on the first call. */
export const testServers = (): Promise<TestServer[]> => (servers ??= (async () => [localServer(), await embeddedServer()])());

/** Stops the embedded server if this process started one (root hook). */
export const stopTestServers = async (): Promise<void> => {
  const pending = embedded;
  embedded = undefined;
  servers = undefined;
  if (pending) await (await pending).stop();
};

export type ScratchDatabases = {
  /** config name -> URL */
  readonly urls: Record<string, string>;
  /** DBSPEC_<NAME>_URL -> URL, for running the CLI. */
  readonly env: Record<string, string>;
  drop(): Promise<void>;
};

/**
 * Fresh databases (dbspec_t_<random>_<name>) on `server`, with `<migrationsRoot>/<name>/` migrations
 * applied (default: the repo's specs/db; none when that folder is empty or absent).
 */
export const scratchDatabases = async (
  server: TestServer,
  names: readonly string[],
  options: { migrationsRoot?: string; migrations?: boolean } = {},
): Promise<ScratchDatabases> => {
  const tag = randomBytes(4).toString('hex');
  const physical = Object.fromEntries(names.map((name) => [name, `dbspec_t_${tag}_${name}`.toLowerCase()]));
  const created: string[] = [];
  const drop = async (): Promise<void> => {
    await Promise.all(created.map((name) => server.dropDatabase(name)));
  };
  try {
    for (const name of names) {
      await server.createDatabase(physical[name] as string);
      created.push(physical[name] as string);
    }
    const urls = Object.fromEntries(names.map((name) => [name, server.url(physical[name] as string)]));
    if (options.migrations ?? true) {
      const config: Config = {
        root: options.migrationsRoot ?? join(REPO_ROOT, 'specs', 'db'),
        databases: names.map((name) => ({ name, urlEnv: `DBSPEC_${name.toUpperCase()}_URL`, url: urls[name] as string, migrations: name, disposable: true })),
      };
      const opened = await openDatabases(config, names, { allowShared: false, migrate: true, connectTimeoutMs: 5000 });
      await opened.close();
    }
    const env = Object.fromEntries(names.map((name) => [`DBSPEC_${name.toUpperCase()}_URL`, urls[name] as string]));
    return { urls, env, drop };
  } catch (error) {
    await drop().catch(() => undefined);
    throw error;
  }
};
