/**
 * The database goes away while a run is under way: its backend is terminated (pg_terminate_backend), or
 * its server stops. The running step fails with a clear message, later specs are reported (errored when
 * the server is gone, not silently skipped), results and reports are still written, and dbspec exits on
 * its own without leaving a process behind; the cleanup it could not run is recorded for the next run.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { registryDir } from '../../runner/db/run-registry.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../../runner/db/embedded.ts';
import { cleanEnv, startCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, CONFIG, fixtureSpec, recordsOf, RUN_MIGRATIONS, readResults, specNamed, statementRunning, tempOut, waitFor } from './run-fixture.ts';
import { assertWithin } from '../support/timing.ts';

const SPECS = [fixtureSpec('a-hangs'), fixtureSpec('b-after'), fixtureSpec('c-after')];
const REPORTS = ['results.json', 'junit.xml', 'report.html', 'report.md'];

describe('reliability: database lost mid-run', function () {
  this.timeout(60_000);

  describe('the backend is terminated (pg_terminate_backend on PostgreSQL 15)', function () {
    let server: TestServer;
    let dbs: ScratchDatabases;
    let out: string;

    before(async function () {
      [server] = (await testServers()) as [TestServer];
      dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
      out = await tempOut();
    });
    after(async function () {
      await dbs?.drop();
      if (out) await rm(out, { recursive: true, force: true });
    });

    it('fails the running step with CONNECTION_LOST, still runs cleanup and the later specs, writes results', async function () {
      const admin = server.url('postgres');
      const run = startCli(['run', ...SPECS, '--config', CONFIG, '--out', out, '--timeout', '20s'], cleanEnv(dbs.env));
      await waitFor('the pg_sleep statement to run', () => statementRunning(admin, 'pg_sleep(30)'));
      const killed = await adminQuery<{ ok: boolean }>(
        admin,
        "select pg_terminate_backend(pid) as ok from pg_stat_activity where query like '%pg_sleep(30)%' and state = 'active' and pid <> pg_backend_pid()",
      );
      assert.equal(killed.length, 1);
      const started = Date.now();
      const done = await run.done;
      assertWithin(Date.now() - started, 10_000, 'dbspec finishing after the backend was terminated');
      assert.equal(done.code, 2, done.stdout + done.stderr);
      assert.doesNotMatch(done.stdout + done.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      for (const file of REPORTS) assert.ok((await readdir(out)).includes(file), `${file} missing`);
      const results = await readResults(out);
      const hangs = specNamed(results, 'a hanging statement');
      const sleeps = hangs.steps.find((s) => s.name === 'sleeps')!;
      assert.equal(sleeps.status, 'errored');
      assert.equal(sleeps.failure?.code, 'CONNECTION_LOST');
      assert.match(sleeps.failure!.message, /lost the connection to the database/);
      assert.equal(hangs.steps.find((s) => s.phase === 'cleanup')?.status, 'passed', 'cleanup runs on a new connection');
      // The server is still there: the later specs run and pass.
      assert.equal(specNamed(results, 'a later spec b').status, 'passed');
      assert.equal(specNamed(results, 'a later spec c').status, 'passed');
      const left = await adminQuery<{ n: number }>(dbs.urls.backend!, 'select count(*)::int as n from items');
      assert.equal(left[0]!.n, 0, 'no rows left behind');
    });
  });

  describe('the server stops', function () {
    let server: EmbeddedServer;
    let dbs: ScratchDatabases;
    let out: string;

    before(async function () {
      server = await startEmbeddedServer();
      const asTestServer: TestServer = { label: 'own embedded', url: server.url, createDatabase: server.createDatabase, dropDatabase: server.dropDatabase };
      dbs = await scratchDatabases(asTestServer, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
      out = await tempOut();
    });
    after(async function () {
      await server?.stop();
      if (out) await rm(out, { recursive: true, force: true });
    });

    it('fails the running step and errors every later spec with CONNECTION_LOST, writes results and exits 2 promptly', async function () {
      const admin = server.url('postgres');
      const run = startCli(['run', ...SPECS, '--config', CONFIG, '--out', out, '--timeout', '20s'], cleanEnv(dbs.env));
      await waitFor('the pg_sleep statement to run', () => statementRunning(admin, 'pg_sleep(30)'));
      const started = Date.now();
      await server.stop();
      const done = await run.done;
      const took = Date.now() - started;
      assertWithin(took, 15_000, 'dbspec finishing after the server stopped');
      assert.equal(done.code, 2, done.stdout + done.stderr);
      assert.doesNotMatch(done.stdout + done.stderr, /\n\s+at .+:\d+:\d+/, 'no stack trace');
      for (const file of REPORTS) assert.ok((await readdir(out)).includes(file), `${file} missing`);
      const results = await readResults(out);
      const hangs = specNamed(results, 'a hanging statement');
      assert.equal(hangs.steps.find((s) => s.name === 'sleeps')?.failure?.code, 'CONNECTION_LOST');
      assert.equal(hangs.status, 'errored');
      for (const name of ['a later spec b', 'a later spec c']) {
        const later = specNamed(results, name);
        assert.equal(later.status, 'errored', `${name} is ${later.status}`);
        assert.ok(
          later.steps.some((s) => s.failure?.code === 'CONNECTION_LOST'),
          `${name} names the lost connection`,
        );
      }
      assert.equal(results.summary.specs.errored, 3);
      // What is left: the cleanup it could not run, recorded for the next run on that server (which
      // paused-server.test.ts shows running it). This server is gone for good, so the test removes it.
      const [record] = recordsOf(run.child.pid);
      assert.ok(record, 'the cleanup it owes is recorded');
      assert.match(readFileSync(join(registryDir(), record), 'utf8'), /"spec":"a hanging statement".*delete from items/);
      rmSync(join(registryDir(), record));
    });
  });
});
