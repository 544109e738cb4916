/**
 * What the reliability tests share: the fixture specs and config, a fresh output folder, results as
 * written, records in the run registry, and waiting for a condition (a statement running, a line printed) with a deadline.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { registryDir } from '../../runner/db/run-registry.ts';
import type { RunResults, SpecResult } from '../../runner/results/types.ts';
import { REPO } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';

export const FIXTURES = join(REPO, 'test', 'reliability', 'fixtures');
export const CONFIG = join(FIXTURES, 'dbspec.config.yaml');
/** The run tests' fixture schemas (auth.accounts, backend.items), applied to scratch databases. */
export const RUN_MIGRATIONS = join(REPO, 'test', 'run', 'fixtures', 'db');
export const fixtureSpec = (name: string): string => join(FIXTURES, 'specs', `${name}.spec.yaml`);

export const tempOut = (): Promise<string> => mkdtemp(join(tmpdir(), 'dbspec-rel-'));

/**
 * Registers before/after hooks in the calling describe: scratch auth and backend databases on PG15 with the
 * fixture migrations, and a fresh output folder, both removed afterwards. Read them from the returned object
 * inside tests.
 */
export const scratchRun = (): { readonly dbs: ScratchDatabases; readonly out: string } => {
  const state: { dbs?: ScratchDatabases; out?: string } = {};
  before(async function () {
    const [server] = (await testServers()) as [TestServer];
    state.dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
    state.out = await tempOut();
  });
  after(async function () {
    await state.dbs?.drop();
    if (state.out) await rm(state.out, { recursive: true, force: true });
  });
  return {
    get dbs() {
      return state.dbs!;
    },
    get out() {
      return state.out!;
    },
  };
};

export const readResults = async (dir: string): Promise<RunResults> => JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;

export const specNamed = (results: RunResults, name: string): SpecResult => {
  const found = results.specs.find((s) => s.name === name);
  assert.ok(found, `no spec named ${name} in results`);
  return found;
};

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls `check` until it is true; fails the test with `what` after `ms`. */
export const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 30_000): Promise<void> => {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
};

/** Runs one query on a fresh plain pg connection (not dbspec's) and returns its rows. */
export const adminQuery = async <T extends Record<string, unknown>>(url: string, sql: string, values: unknown[] = []): Promise<T[]> => {
  const client = new pg.Client({ connectionString: url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end().catch(() => undefined);
  }
};

/** Is a statement containing `fragment` running on the server behind `url` (any database)? */
export const statementRunning = async (url: string, fragment: string): Promise<boolean> =>
  (await adminQuery(url, "select 1 from pg_stat_activity where state = 'active' and query like $1 and pid <> pg_backend_pid()", [`%${fragment}%`])).length > 0;
/** The run registry's files (runner/db/run-registry.ts) that name `pid` as their owner, and any temporary file left beside them. */
export const recordsOf = (pid: number | undefined): string[] => {
  let names: string[];
  try {
    names = readdirSync(registryDir());
  } catch {
    return [];
  }
  return names.filter((name) => {
    if (name.endsWith('.tmp')) return true;
    try {
      return (JSON.parse(readFileSync(join(registryDir(), name), 'utf8').split('\n')[0]!) as { owner: { pid: number } }).owner.pid === pid;
    } catch {
      return false;
    }
  });
};
