/**
 * Statements that hang: one sleeping past the run's --timeout, one waiting for a row lock another session
 * holds (past its step's own timeout). Each step fails with TIMEOUT on time, dbspec holds no lock
 * afterwards, cleanup runs, and the run goes on to the next spec.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import pg from 'pg';
import { cleanEnv, startCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, CONFIG, fixtureSpec, readResults, RUN_MIGRATIONS, specNamed, statementRunning, tempOut, waitFor } from './run-fixture.ts';
import { assertWithin } from '../support/timing.ts';

describe('reliability: a statement that hangs', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dbs: ScratchDatabases;
  let out: string;
  let holder: pg.Client;

  before(async function () {
    [server] = (await testServers()) as [TestServer];
    dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
    out = await tempOut();
    holder = new pg.Client({ connectionString: dbs.urls.backend });
    await holder.connect();
    await holder.query("insert into counters (name, value) values ('held', 0)");
  });
  after(async function () {
    await holder?.end().catch(() => undefined);
    await dbs?.drop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('times out a lock wait and a long sleep, releases the locks, runs cleanup and the next spec', async function () {
    await holder.query('begin');
    await holder.query("select * from counters where name = 'held' for update");
    const admin = server.url('postgres');
    const run = startCli(
      ['run', fixtureSpec('lock-wait'), fixtureSpec('a-hangs'), fixtureSpec('b-after'), '--config', CONFIG, '--out', out, '--timeout', '3s'],
      cleanEnv(dbs.env),
    );

    // While the pause after the timed-out update runs, dbspec must hold no lock on the row's table and
    // have no session left waiting or idle in a transaction.
    await waitFor('the pause after the lock wait', () => statementRunning(admin, 'pg_sleep(1.5)'));
    const inBackend = await adminQuery<{ n: number }>(
      dbs.urls.backend!,
      `select count(*)::int as n from pg_locks l join pg_stat_activity a on a.pid = l.pid where a.application_name like 'dbspec/%' and l.database = (select oid from pg_database where datname = current_database()) and l.relation = 'counters'::regclass`,
    );
    const stuck = await adminQuery<{ n: number }>(
      admin,
      "select count(*)::int as n from pg_stat_activity where application_name like 'dbspec/%' and (wait_event_type = 'Lock' or state like 'idle in transaction%')",
    );
    assert.equal(inBackend[0]!.n, 0, 'dbspec still holds a lock on counters');
    assert.equal(stuck[0]!.n, 0, 'a dbspec session is still waiting for a lock or idle in a transaction');
    await holder.query('commit');

    const done = await run.done;
    assert.equal(done.code, 1, done.stdout + done.stderr);
    const results = await readResults(out);

    const lock = specNamed(results, 'a statement waiting for a lock');
    const update = lock.steps.find((s) => s.name === 'update of a row another session holds')!;
    assert.equal(update.failure?.code, 'TIMEOUT', JSON.stringify(update.failure));
    assert.ok(update.durationMs >= 450, `the lock wait timed out after ${update.durationMs} ms, not ~500 ms`);
    assertWithin(update.durationMs, 2000, 'the lock wait timing out (~500 ms)');
    assert.equal(lock.steps.find((s) => s.name === 'a pause to look at the locks')?.status, 'passed', 'the spec goes on after a timeout');
    assert.equal(lock.steps.find((s) => s.phase === 'cleanup')?.status, 'passed');

    const hangs = specNamed(results, 'a hanging statement');
    const sleeps = hangs.steps.find((s) => s.name === 'sleeps')!;
    assert.equal(sleeps.failure?.code, 'TIMEOUT');
    assert.ok(sleeps.durationMs >= 2900, `pg_sleep(30) timed out after ${sleeps.durationMs} ms, not ~3 s`);
    assertWithin(sleeps.durationMs, 5000, 'pg_sleep(30) timing out (~3 s)');
    assert.equal(hangs.steps.find((s) => s.phase === 'cleanup')?.status, 'passed');
    assert.equal(hangs.steps.find((s) => s.phase === 'isolation')?.status, 'passed', 'no rows left behind');

    assert.equal(specNamed(results, 'a later spec b').status, 'passed', 'the run goes on');
    const counter = await adminQuery<{ value: number }>(dbs.urls.backend!, "select value from counters where name = 'held'");
    assert.equal(counter[0]!.value, 0, 'the timed-out update did not happen');
  });
});
