/**
 * SIGKILL runs no cleanup: what a killed run made is found and removed by the next run, which says so in
 * one line each. The embedded default (its postmaster keeps running without its parent) and a URL server
 * with --jobs 2 (database copies, and the rows of the spec in flight, whose cleanup the next run runs).
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { cleanEnv, runCli, startCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, CONFIG, fixtureSpec, RUN_MIGRATIONS, statementRunning, tempOut, waitFor } from './run-fixture.ts';

const processesNaming = (text: string): string => {
  try {
    return execFileSync('pgrep', ['-af', text]).toString();
  } catch {
    return '';
  }
};

describe('reliability: a killed run leaves nothing behind once the next run has started', function () {
  this.timeout(90_000);
  let out: string;
  before(async () => {
    out = await tempOut();
  });
  after(async () => {
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('embedded default: the next run stops the orphaned server and removes its folder', async function () {
    const run = startCli(['run', fixtureSpec('a-hangs'), '--config', CONFIG, '--out', out]);
    await waitFor('the hanging step to start', () => run.output().includes('a hanging statement'));
    const serverArgs = execFileSync('ps', ['-o', 'args=', '--ppid', String(run.child.pid)]).toString();
    const dir = /-D (\S+dbspec-pg-[^/\s]+)\/data/.exec(serverArgs)?.[1];
    assert.ok(dir, `no embedded server under dbspec: ${serverArgs}`);
    run.child.kill('SIGKILL');
    await run.done;
    assert.notEqual(processesNaming(dir), '', 'precondition: the orphaned postmaster still runs');
    assert.deepEqual(
      readdirSync(dir).filter((f) => f === 'pwfile'),
      [],
      'no password file outlives initdb',
    );

    const next = await runCli(['run', fixtureSpec('b-after'), '--config', CONFIG, '--out', out]);
    assert.equal(next.code, 0, next.stdout + next.stderr);
    assert.match(next.stderr, /dbspec: removed an embedded server left by run r[0-9a-f]+ \(pid \d+, no longer running\)/);
    assert.equal(existsSync(dir), false, 'its folder is removed');
    assert.equal(processesNaming(dir), '', 'its postmaster is stopped');
    assert.equal(
      readdirSync(tmpdir()).filter((f) => f.startsWith('dbspec-pg-') && processesNaming(f) === '' && !existsSync(`${tmpdir()}/${f}/owner.json`)).length,
      0,
    );
  });

  describe('URL server, --jobs 2', function () {
    let server: TestServer;
    let dbs: ScratchDatabases;
    before(async function () {
      [server] = (await testServers()) as [TestServer];
      dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
    });
    after(async function () {
      await dbs?.drop();
    });

    it('the next run drops the copies and runs the cleanup of the spec that was in flight', async function () {
      const admin = server.url('postgres');
      const backend = new URL(dbs.urls.backend!).pathname.slice(1);
      const copies = () => adminQuery<{ datname: string }>(admin, 'select datname from pg_database where datname like $1', [`${backend.slice(0, 20)}%_w2_%`]);
      const specs = [fixtureSpec('a-hangs'), fixtureSpec('b-after'), fixtureSpec('c-after')];
      const run = startCli(['run', ...specs, '--config', CONFIG, '--out', out, '--jobs', '2'], cleanEnv(dbs.env));
      await waitFor('the pg_sleep statement to run', () => statementRunning(admin, 'pg_sleep(30)'));
      run.child.kill('SIGKILL');
      await run.done;
      assert.equal((await copies()).length, 1, 'precondition: the killed run left its copy of backend');
      assert.deepEqual(await adminQuery(dbs.urls.backend!, 'select count(*)::int as n from items'), [{ n: 1 }], 'precondition: its setup row stayed');

      const next = await runCli(['run', fixtureSpec('c-after'), '--config', CONFIG, '--out', out], cleanEnv(dbs.env));
      assert.equal(next.code, 0, next.stdout + next.stderr);
      assert.match(next.stderr, /dbspec: dropped 2 database copies left by run r[0-9a-f]+ \(pid \d+, no longer running\)/);
      assert.match(
        next.stderr,
        /dbspec: the last run r[0-9a-f]+ \(pid \d+, no longer running\) stopped during spec "a hanging statement" \(.*a-hangs\.spec\.yaml\); ran its cleanup/,
      );
      assert.deepEqual(await copies(), [], 'no copy is left');
      assert.deepEqual(await adminQuery(dbs.urls.backend!, 'select count(*)::int as n from items'), [{ n: 0 }], 'no row is left');
      assert.deepEqual(
        await adminQuery(admin, 'select pid from pg_stat_activity where application_name like $1', [`dbspec/${run.child.pid}%`]),
        [],
        'no connection of the killed run',
      );

      const again = await runCli(['run', fixtureSpec('c-after'), '--config', CONFIG, '--out', out], cleanEnv(dbs.env));
      assert.doesNotMatch(again.stderr, /left by|stopped during/, 'said once');
    });
  });
});
