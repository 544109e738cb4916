/**
 * `--jobs 2` and `--shard i/n` + `dbspec merge` give the same results.json as a sequential run, timings
 * aside: same specs, same order, same verdicts, and every spec still checked for leaks on its own (each
 * worker runs on its own copies of the databases, dropped afterwards). Against the machine's PostgreSQL 15.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { RunResults } from '../../runner/results/types.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';
import { cleanEnv, REPO, runCli, type CliRun } from './cli-process.ts';

const FIXTURES = join(REPO, 'test', 'run', 'fixtures');
const CONFIG = join(FIXTURES, 'dbspec.config.yaml');
const SUITE = join(FIXTURES, 'suite');

/** Fields that legitimately differ between two runs of the same specs: the clock. */
const TIMING_KEYS = new Set(['startedAt', 'finishedAt', 'durationMs', 'waitedMs']);

/**
 * And the rows a leak left behind: their serial ids and generated values are data, which differs between
 * runs on different copies (the explanation's shape and its tables must still agree).
 */
const LEAKED_DATA_KEYS = new Set(['rows', 'sql']);

const withoutTimings = (results: RunResults): unknown =>
  JSON.parse(
    JSON.stringify(results, function (this: Record<string, unknown>, key, value: unknown) {
      if (TIMING_KEYS.has(key) || key.endsWith('_ms')) return undefined;
      const inLeak = 'change' in this || 'placement' in this;
      return inLeak && LEAKED_DATA_KEYS.has(key) ? '(data)' : value;
    }),
  );

const readResults = async (dir: string): Promise<RunResults> => JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as RunResults;

const databasesLike = async (prefix: string): Promise<string[]> => {
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'postgres' });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>('select datname from pg_database where starts_with(datname, $1) order by 1', [prefix]);
    return rows.map((r) => r.datname);
  } finally {
    await client.end();
  }
};

describe('parallel and sharded runs give the sequential results', function () {
  let dbs: ScratchDatabases;
  let out: string;
  const runs: Record<string, CliRun> = {};
  const run = async (label: string, ...args: string[]): Promise<RunResults> => {
    runs[label] = await runCli(['run', SUITE, '--config', CONFIG, '--reporter', 'dot', '--out', join(out, label), ...args], cleanEnv(dbs.env));
    return readResults(join(out, label));
  };
  let sequential: RunResults;

  before(async function () {
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['auth', 'backend'], { migrationsRoot: join(FIXTURES, 'db') });
    out = await mkdtemp(join(tmpdir(), 'dbspec-parallel-'));
    sequential = await run('sequential');
  });
  after(async function () {
    await dbs?.drop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('the sequential run fails the one failing spec and checks every spec for leaks', function () {
    assert.equal(runs.sequential!.code, 1, runs.sequential!.stderr);
    assert.deepEqual(
      sequential.specs.map((s) => [s.name, s.status]),
      [
        ['rows come back', 'passed'],
        ['counting and capturing', 'passed'],
        ['a duplicate email is refused', 'passed'],
        ['a rolled back transaction', 'passed'],
        ['both databases agree', 'passed'],
        ['concurrent updates', 'passed'],
        ['a wrong expectation', 'failed'],
      ],
    );
    assert.ok(sequential.specs.every((s) => s.steps.some((step) => step.phase === 'isolation')));
    const leak = sequential.specs.at(-1)!.steps.find((step) => step.phase === 'isolation');
    assert.equal(leak?.failure?.message, 'the spec did not leave the databases as it found them: leaked 1 row into backend.items');
  });

  it('--jobs 2 gives the same results.json, per-spec leak checks included, and drops its copies', async function () {
    const parallel = await run('jobs', '--jobs', '2');
    assert.equal(runs.jobs!.code, 1, runs.jobs!.stderr);
    assert.doesNotMatch(runs.jobs!.stderr, /share the databases/);
    assert.deepEqual(withoutTimings(parallel), withoutTimings(sequential));
    const physical = new URL(dbs.urls.auth!).pathname.slice(1).replace(/_auth$/, '');
    assert.deepEqual(await databasesLike(physical), [`${physical}_auth`, `${physical}_backend`]);
  });

  it('--jobs 2 with DBSPEC_THREADS=on (workers in threads) gives the same results.json and drops its copies', async function () {
    runs.threads = await runCli(
      ['run', SUITE, '--config', CONFIG, '--reporter', 'dot', '--out', join(out, 'threads'), '--jobs', '2'],
      cleanEnv({ ...dbs.env, DBSPEC_THREADS: 'on' }),
    );
    assert.equal(runs.threads.code, 1, runs.threads.stderr);
    assert.doesNotMatch(runs.threads.stderr, /runs on the main thread|share the databases/);
    assert.deepEqual(withoutTimings(await readResults(join(out, 'threads'))), withoutTimings(sequential));
    const physical = new URL(dbs.urls.auth!).pathname.slice(1).replace(/_auth$/, '');
    assert.deepEqual(await databasesLike(physical), [`${physical}_auth`, `${physical}_backend`]);
  });

  it('--jobs 2 when one database cannot be copied (someone connected to it): says so, shares the databases, leaves no copy of the other', async function () {
    const holder = new pg.Client({ connectionString: dbs.urls.backend! });
    await holder.connect();
    try {
      await run('held', '--jobs', '2');
    } finally {
      await holder.end();
    }
    assert.equal(runs.held!.code, 1, runs.held!.stderr);
    assert.match(runs.held!.stderr, /the workers share the databases.*cannot copy `backend` for the workers/);
    const physical = new URL(dbs.urls.auth!).pathname.slice(1).replace(/_auth$/, '');
    assert.deepEqual(await databasesLike(physical), [`${physical}_auth`, `${physical}_backend`]);
  });

  it('--shard 1/2 and 2/2 merged give the same results.json', async function () {
    const first = await run('shard1', '--shard', '1/2');
    const second = await run('shard2', '--shard', '2/2');
    assert.ok(first.specs.length > 0 && second.specs.length > 0, 'both shards have specs');
    assert.equal(first.specs.length + second.specs.length, sequential.specs.length);
    const merged = await runCli(['merge', join(out, 'shard1', 'results.json'), join(out, 'shard2', 'results.json'), '--out', join(out, 'merged')], cleanEnv());
    assert.equal(merged.code, 0, merged.stderr);
    assert.deepEqual(withoutTimings(await readResults(join(out, 'merged'))), withoutTimings(sequential));
  });
});
