/**
 * No connection to be had mid-run ("too many connections", SQLSTATE 53300, here a database's CONNECTION
 * LIMIT of the role the run connects as, on PostgreSQL 15): a connection problem, exit 2, in one line naming the database; cleanup still
 * runs (on a new connection when it must) and no row or connection is left.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { cleanEnv, runCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, CONFIG, fixtureSpec, readResults, RUN_MIGRATIONS, specNamed, tempOut } from './run-fixture.ts';

const ROLE = `dbspec_t_limited_${process.pid}`;
const asRole = (env: Record<string, string>): Record<string, string> =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replace('postgres://postgres@', `postgres://${ROLE}@`)]));

describe('reliability: connections exhausted mid-run', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dbs: ScratchDatabases;
  let out: string;
  before(async function () {
    [server] = (await testServers()) as [TestServer];
    dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
    // A connection limit binds only roles that are not superusers: the run connects as such a role.
    await adminQuery(server.url('postgres'), `create role ${ROLE} login connection limit 5`);
    for (const url of Object.values(dbs.urls)) {
      await adminQuery(url, `grant all on all tables in schema public to ${ROLE}`);
      await adminQuery(url, `grant all on all sequences in schema public to ${ROLE}`);
      // A run without --migrate reads dbspec.migrations to check nothing is pending.
      await adminQuery(url, `grant usage on schema dbspec to ${ROLE}`);
      await adminQuery(url, `grant select on all tables in schema dbspec to ${ROLE}`);
    }
    out = await tempOut();
  });
  after(async function () {
    await dbs?.drop();
    await adminQuery(server.url('postgres'), `drop role if exists ${ROLE}`).catch(() => undefined);
    if (out) await rm(out, { recursive: true, force: true });
  });

  it('exit 2, one line naming the database, cleanup ran, nothing left', async function () {
    const done = await runCli(['run', fixtureSpec('exhausts-connections'), '--config', CONFIG, '--out', out], cleanEnv(asRole(dbs.env)));
    assert.equal(done.code, 2, done.stdout + done.stderr);
    assert.match(done.stderr, /^dbspec: database `backend`: .*too many connections.*$/m);
    const spec = specNamed(await readResults(out), 'more sessions than the database allows');
    assert.equal(spec.steps.find((s) => s.name === 'six sessions at once')?.failure?.code, 'CONNECTION_LOST');
    assert.equal(
      spec.steps.find((s) => s.phase === 'cleanup')?.status,
      'passed',
      JSON.stringify(spec.steps.map((s) => [s.name, s.status, s.failure?.message])),
    );
    assert.deepEqual(await adminQuery(dbs.urls.backend!, 'select count(*)::int as n from items'), [{ n: 0 }], 'no row left');
    const backend = new URL(dbs.urls.backend!).pathname.slice(1);
    assert.deepEqual(
      await adminQuery(server.url('postgres'), "select pid from pg_stat_activity where application_name like 'dbspec/%' and datname = $1", [backend]),
      [],
    );
  });
});
