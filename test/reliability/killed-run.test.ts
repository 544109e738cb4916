/**
 * SIGKILL runs no cleanup: what a killed run made is found and removed by the next run, which says so in
 * one line each. The embedded default (its postmaster keeps running without its parent) and a URL server
 * with --jobs 2 (database copies, the rows of the spec in flight, whose cleanup the next run runs, and the
 * fresh databases of upgrade steps). Each kill comes at a moment the test knows: a statement that sleeps,
 * a setup waiting on an advisory lock the test holds, a CREATE DATABASE waiting for the test's session to
 * leave its template. The URL server is one of the test's own, so that no other run on the machine's
 * server removes what the killed run left before the run under test can.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { embeddedDirPrefix, removeLeftoverEmbedded } from '../../runner/db/embedded-leftovers.ts';
import { startEmbeddedServer, type EmbeddedServer } from '../../runner/db/embedded.ts';
import { cleanEnv, runCli, startCli } from '../run/cli-process.ts';
import { scratchDatabases, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, CONFIG, fixtureSpec, recordsOf, RUN_MIGRATIONS, statementRunning, tempOut, waitFor } from './run-fixture.ts';

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
    let server: EmbeddedServer;
    let dbs: ScratchDatabases;
    let admin: string;
    before(async function () {
      server = await startEmbeddedServer();
      const own: TestServer = { label: 'own embedded', url: server.url, createDatabase: server.createDatabase, dropDatabase: server.dropDatabase };
      dbs = await scratchDatabases(own, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
      admin = server.url('postgres');
    });
    after(async function () {
      await dbs?.drop();
      await server?.stop();
    });

    const nameOf = (db: 'auth' | 'backend'): string => new URL(dbs.urls[db]!).pathname.slice(1);
    /** Databases of this test's scratch pair other than the pair itself: worker copies, upgrade steps' fresh databases. */
    const madeBeside = async (): Promise<{ datname: string; note: string | null }[]> =>
      adminQuery(
        admin,
        "select datname, shobj_description(oid, 'pg_database') as note from pg_database where (datname like $1 or datname like $2) and datname <> all($3) order by datname",
        [`${nameOf('auth')}%`, `${nameOf('backend')}%`, [nameOf('auth'), nameOf('backend')]],
      );
    const items = async (): Promise<number> => (await adminQuery<{ n: number }>(dbs.urls.backend!, 'select count(*)::int as n from items'))[0]!.n;
    const sessionsOf = (pid: number | undefined) => adminQuery(admin, 'select pid from pg_stat_activity where application_name like $1', [`dbspec/${pid}@%`]);
    const run = (specs: readonly string[], extra: readonly string[] = []) =>
      startCli(['run', ...specs, '--config', CONFIG, '--out', out, ...extra], cleanEnv(dbs.env));
    const next = () => runCli(['run', fixtureSpec('c-after'), '--config', CONFIG, '--out', out], cleanEnv(dbs.env));
    /** What every kill must come to once the next run has started: nothing of the killed run anywhere. */
    const assertNothingLeft = async (killed: number | undefined): Promise<void> => {
      assert.deepEqual(await madeBeside(), [], 'no database copy or fresh database is left');
      assert.equal(await items(), 0, 'no row is left');
      assert.deepEqual(await sessionsOf(killed), [], 'no connection of the killed run');
      assert.deepEqual(recordsOf(killed), [], 'no record of the killed run, and no temporary file, in the registry');
      assert.equal(processesNaming(out), '', 'no dbspec process');
    };

    it('the next run drops the copies and runs the cleanup of the spec that was in flight', async function () {
      const backend = nameOf('backend');
      const copies = () => adminQuery<{ datname: string }>(admin, 'select datname from pg_database where datname like $1', [`${backend.slice(0, 20)}%_w2_%`]);
      const killed = run([fixtureSpec('a-hangs'), fixtureSpec('b-after'), fixtureSpec('c-after')], ['--jobs', '2']);
      await waitFor('the pg_sleep statement to run', () => statementRunning(admin, 'pg_sleep(30)'));
      killed.child.kill('SIGKILL');
      await killed.done;
      assert.equal((await copies()).length, 1, 'precondition: the killed run left its copy of backend');
      assert.equal(await items(), 1, 'precondition: its setup row stayed');

      const after = await next();
      assert.equal(after.code, 0, after.stdout + after.stderr);
      assert.match(after.stderr, /dbspec: dropped 2 database copies left by run r[0-9a-f]+ \(pid \d+, no longer running\)/);
      assert.match(
        after.stderr,
        /dbspec: the last run r[0-9a-f]+ \(pid \d+, no longer running\) stopped during spec "a hanging statement" \(.*a-hangs\.spec\.yaml\); ran its cleanup/,
      );
      await assertNothingLeft(killed.child.pid);

      const again = await next();
      assert.doesNotMatch(again.stderr, /left by|stopped during/, 'said once');
    });

    it('the next run runs what the killed run owes after the password was changed', async function () {
      const killed = run([fixtureSpec('a-hangs')]);
      await waitFor('the pg_sleep statement to run', () => statementRunning(admin, 'pg_sleep(30)'));
      killed.child.kill('SIGKILL');
      await killed.done;
      assert.equal(await items(), 1, 'precondition: its setup row stayed');
      const { username, password } = new URL(admin);
      const withPassword = (url: string, secret: string): string => Object.assign(new URL(url), { password: secret }).toString();
      await adminQuery(admin, `alter user "${username}" password 'changed-${password}'`);
      let after: Awaited<ReturnType<typeof runCli>>;
      try {
        const env = Object.fromEntries(Object.entries(dbs.env).map(([key, url]) => [key, withPassword(url, `changed-${password}`)]));
        after = await runCli(['run', fixtureSpec('c-after'), '--config', CONFIG, '--out', out], cleanEnv(env));
      } finally {
        await adminQuery(withPassword(admin, `changed-${password}`), `alter user "${username}" password '${password}'`);
      }
      assert.equal(after.code, 0, after.stdout + after.stderr);
      assert.match(after.stderr, /stopped during spec "a hanging statement" \(.*a-hangs\.spec\.yaml\); ran its cleanup/);
      await assertNothingLeft(killed.child.pid);
    });

    it('killed while a setup statement waits: the row it commits after the kill is removed by the next run', async function () {
      // The spec runs on the first worker, on the databases themselves: its rows do not go with a copy.
      const holder = new pg.Client({ connectionString: dbs.urls.backend });
      await holder.connect();
      let killed: ReturnType<typeof run> | undefined;
      try {
        await holder.query('select pg_advisory_lock(20020)');
        killed = run([fixtureSpec('a-setup-waits'), fixtureSpec('c-after')], ['--jobs', '2']);
        await waitFor('the setup to wait on the lock', () => statementRunning(admin, 'pg_advisory_xact_lock(20020)'));
        killed.child.kill('SIGKILL');
        await killed.done;
      } finally {
        await holder.end();
      }
      // The dead run's backend still holds its statement: given the lock, it commits the row.
      await waitFor('the orphaned insert to commit', async () => (await items()) === 1);
      assert.equal(recordsOf(killed.child.pid).length, 1, 'precondition: the record names the spec in flight');

      const after = await next();
      assert.equal(after.code, 0, after.stdout + after.stderr);
      assert.match(after.stderr, /stopped during spec "a setup that waits on a lock" \(.*a-setup-waits\.spec\.yaml\); ran its cleanup/);
      await assertNothingLeft(killed.child.pid);
    });

    it('killed while a copy is created: the copy, made after the kill and never marked, is dropped by the next run', async function () {
      // A session on a template makes CREATE DATABASE wait for it (up to 5 s); the copy is made once it leaves.
      const holders = await Promise.all(
        (['auth', 'backend'] as const).map(async (db) => {
          const client = new pg.Client({ connectionString: dbs.urls[db] });
          await client.connect();
          return client;
        }),
      );
      let killed: ReturnType<typeof run> | undefined;
      try {
        killed = run([fixtureSpec('b-after'), fixtureSpec('c-after')], ['--jobs', '2']);
        await waitFor('a copy to wait for its template', () => statementRunning(admin, 'create database'));
        killed.child.kill('SIGKILL');
        await killed.done;
      } finally {
        await Promise.all(holders.map((client) => client.end()));
      }
      await waitFor('the orphaned copy to be made', async () => (await madeBeside()).length === 1);
      const [copy] = await madeBeside();
      assert.equal(copy!.note, null, 'precondition: the copy has no owner mark');

      const after = await next();
      assert.equal(after.code, 0, after.stdout + after.stderr);
      assert.match(
        after.stderr,
        new RegExp(`dbspec: dropped 1 database left by run r[0-9a-f]+ \\(pid ${killed.child.pid}, no longer running\\): ${copy!.datname}`),
      );
      await assertNothingLeft(killed.child.pid);
    });

    it("killed during an upgrade step on a worker's copy: the fresh database is dropped by the next run", async function () {
      // a-hangs takes the first worker; the upgrade spec runs on the second, beside its copy of backend: the
      // copy and the fresh database are dropped, both marked with their owner.
      const killed = run([fixtureSpec('a-hangs'), fixtureSpec('a-upgrade-sleeps')], ['--jobs', '2']);
      await waitFor('the sleep on the fresh database', () => statementRunning(admin, 'pg_sleep(31)'));
      killed.child.kill('SIGKILL');
      await killed.done;
      const fresh = (await madeBeside()).filter((db) => db.datname.includes('_up_'));
      assert.equal(fresh.length, 1, `precondition: the fresh database is there: ${JSON.stringify(await madeBeside())}`);

      const after = await next();
      assert.equal(after.code, 0, after.stdout + after.stderr);
      assert.match(
        after.stderr,
        new RegExp(`dbspec: dropped 2 database copies left by run r[0-9a-f]+ \\(pid ${killed.child.pid}, no longer running\\):.*${fresh[0]!.datname}`),
      );
      await assertNothingLeft(killed.child.pid);
    });
  });

  it('a folder named for a dead owner but without its owner file (killed before writing it) is removed at once', async function () {
    const root = await mkdtemp(join(tmpdir(), 'dbspec-rel-root-'));
    try {
      // A pid that no longer runs: a child that has exited.
      const dead = Number(execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).toString());
      const dir = join(root, `dbspec-pg-${dead}.12345-AbCdEf`);
      mkdirSync(join(dir, 'data'), { recursive: true });
      writeFileSync(join(dir, 'data', 'PG_VERSION'), '18\n');
      const mine = join(root, `${embeddedDirPrefix()}XyZxYz`);
      mkdirSync(mine);
      assert.deepEqual(removeLeftoverEmbedded(root), [
        `removed an embedded server left by a run (pid ${dead}, no longer running) before it had written its owner file`,
      ]);
      assert.equal(existsSync(dir), false);
      assert.equal(existsSync(mine), true, "a running owner's folder stays");
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
