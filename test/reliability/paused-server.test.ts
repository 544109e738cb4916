/**
 * The server stops answering mid-run (every process of it SIGSTOPped): the watchdog's ping goes unanswered,
 * and the run stops within --timeout plus a few seconds, exit 2, one line naming the database; the step is
 * coded TIMEOUT; cleanup is tried with a short deadline. Once the server answers again the next run runs
 * the cleanup the stopped one still owed: no row is left.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startEmbeddedServer, type EmbeddedServer } from '../../runner/db/embedded.ts';
import { cleanEnv, runCli, startCli } from '../run/cli-process.ts';
import { scratchDatabases, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, CONFIG, fixtureSpec, readResults, recordsOf, RUN_MIGRATIONS, specNamed, statementRunning, tempOut, waitFor } from './run-fixture.ts';

/** The postmaster and all its children. */
const serverProcesses = (server: EmbeddedServer): number[] => {
  const postmaster = Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  const children = execFileSync('pgrep', ['-P', String(postmaster)])
    .toString()
    .trim()
    .split('\n')
    .filter(Boolean)
    .map(Number);
  return [postmaster, ...children];
};
const signal = (pids: readonly number[], name: NodeJS.Signals): void => {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // Gone.
    }
  }
};

describe('reliability: the server stops answering', function () {
  this.timeout(90_000);
  let server: EmbeddedServer;
  let dbs: ScratchDatabases;
  let out: string;
  let paused: number[] = [];
  before(async function () {
    server = await startEmbeddedServer();
    const asTestServer: TestServer = { label: 'own embedded', url: server.url, createDatabase: server.createDatabase, dropDatabase: server.dropDatabase };
    dbs = await scratchDatabases(asTestServer, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
    out = await tempOut();
  });
  after(async function () {
    signal(paused, 'SIGCONT');
    await server?.stop();
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('stops the run within --timeout plus a few seconds, exit 2, TIMEOUT; the next run cleans up', async function () {
    const run = startCli(['run', fixtureSpec('a-hangs'), fixtureSpec('b-after'), '--config', CONFIG, '--out', out, '--timeout', '3s'], cleanEnv(dbs.env));
    await waitFor('the pg_sleep statement to run', () => statementRunning(server.url('postgres'), 'pg_sleep(30)'));
    paused = serverProcesses(server);
    signal(paused, 'SIGSTOP');
    const started = Date.now();
    const done = await run.done;
    const took = Date.now() - started;
    // A generous bound (the machine may be loaded): without the watchdog the run never stops on its own.
    assert.ok(took < 3_000 + 15_000, `the run took ${took} ms to stop after the server was paused`);
    assert.equal(done.code, 2, done.stdout + done.stderr);
    assert.match(done.stderr, /^dbspec: database `\w+` at postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\S+ stopped answering .*: the run was stopped$/m);
    const results = await readResults(out);
    assert.equal(specNamed(results, 'a hanging statement').steps.find((s) => s.name === 'sleeps')?.failure?.code, 'TIMEOUT');
    assert.notEqual(specNamed(results, 'a later spec b').status, 'passed', 'the run stopped');

    signal(paused, 'SIGCONT');
    paused = [];
    // The row is usually still there; but a cleanup DELETE the stopped run had already written to the socket
    // is run by the backend once it resumes. Either way the run recorded the cleanup as owed, and the next
    // run must say so and leave no row.
    const next = await runCli(['run', fixtureSpec('b-after'), '--config', CONFIG, '--out', out], cleanEnv(dbs.env));
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stderr, /stopped during spec "a hanging statement" .*; ran its cleanup/);
    assert.deepEqual(await adminQuery(dbs.urls.backend!, 'select count(*)::int as n from items'), [{ n: 0 }], 'no row is left');
    assert.deepEqual(recordsOf(run.child.pid), [], 'the record of the cleanup it owed is gone');
    // Its backends, resumed, notice their client is gone (or the next run ended them): none stays.
    await waitFor(
      'no connection of the stopped run',
      async () =>
        (await adminQuery(server.url('postgres'), 'select pid from pg_stat_activity where application_name like $1', [`dbspec/${run.child.pid}@%`])).length ===
        0,
    );
  });
});
