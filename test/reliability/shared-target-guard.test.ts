/**
 * On databases that are not disposable, even with --allow-shared, the statements that reach beyond the
 * database under test are refused before anything runs, each at its line: COPY ... PROGRAM, ALTER SYSTEM,
 * DROP DATABASE, pg_terminate_backend, pg_read_file, a DO block hiding pg_cancel_backend, CREATE EXTENSION.
 * Afterwards: no program ran, the server's settings and the other database are untouched, no rows were
 * written. A config list allows some kinds.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cleanEnv, runCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, FIXTURES, RUN_MIGRATIONS, tempOut } from './run-fixture.ts';

const DANGER = join(FIXTURES, 'shared-danger');

describe('reliability: dangerous statements on a shared target', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dbs: ScratchDatabases;
  let victim: ScratchDatabases;
  let out: string;
  let specs: string;
  const probe = join(process.env.TMPDIR ?? '/tmp', `dbspec-guard-probe-${process.pid}`);

  before(async function () {
    [server] = (await testServers()) as [TestServer];
    dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
    victim = await scratchDatabases(server, ['victim'], { migrations: false });
    out = await tempOut();
    // The fixtures with this run's probe file and victim database in place.
    specs = join(out, 'specs');
    const victimName = new URL(victim.urls.victim!).pathname.slice(1);
    for (const name of ['dangerous', 'drops-database']) {
      const text = readFileSync(join(DANGER, `${name}.spec.yaml`), 'utf8')
        .replace('/tmp/dbspec-guard-PROBE', probe)
        .replace('VICTIM', victimName);
      writeFileSync(join(out, `${name}.spec.yaml`), text.replaceAll('../../../../schema', '../schema'));
    }
    specs = out;
  });
  after(async function () {
    await dbs?.drop();
    await victim?.drop();
    rmSync(probe, { force: true });
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const run = (config: string) =>
    runCli(
      ['run', join(specs, 'dangerous.spec.yaml'), join(specs, 'drops-database.spec.yaml'), '--config', config, '--allow-shared', '--out', join(out, 'o')],
      cleanEnv(dbs.env),
    );

  it('refuses each one at its line with --allow-shared, before anything runs', async function () {
    const settingBefore = await adminQuery<{ setting: string }>(server.url('postgres'), "select setting from pg_file_settings where name = 'work_mem'");
    const done = await run(join(FIXTURES, 'shared.config.yaml'));
    assert.equal(done.code, 2, done.stdout + done.stderr);
    for (const [line, what] of [
      [12, 'COPY ... PROGRAM'],
      [15, 'ALTER SYSTEM'],
      [18, 'pg_terminate_backend()'],
      [23, 'pg_read_file()'],
      [26, 'pg_cancel_backend() in a function body'],
      [29, 'CREATE EXTENSION pgcrypto'],
    ] as const)
      assert.match(done.stderr, new RegExp(`dangerous\\.spec\\.yaml:${line}:\\d+: refusing ${what.replace(/[().]/g, '\\$&')} on`), `line ${line}: ${what}`);
    assert.match(done.stderr, /drops-database\.spec\.yaml:6:\d+: refusing DROP DATABASE on `auth`/);
    assert.equal(existsSync(probe), false, 'no program ran');
    assert.deepEqual(await adminQuery(server.url('postgres'), "select setting from pg_file_settings where name = 'work_mem'"), settingBefore);
    assert.equal((await adminQuery(victim.urls.victim!, 'select 1 as one')).length, 1, 'the other database is still there');
    assert.deepEqual(await adminQuery(dbs.urls.backend!, 'select count(*)::int as n from items'), [{ n: 0 }], 'setup never ran');
    assert.deepEqual(await adminQuery(dbs.urls.auth!, "select extname from pg_extension where extname = 'pgcrypto'"), []);
  });

  it('a config list allows some kinds; the others are still refused', async function () {
    const done = await run(join(DANGER, 'allowing.config.yaml'));
    assert.equal(done.code, 2, done.stdout + done.stderr);
    assert.doesNotMatch(done.stderr, /pg_terminate_backend|pg_cancel_backend|CREATE EXTENSION/);
    assert.match(done.stderr, /refusing COPY \.\.\. PROGRAM/);
    assert.equal(existsSync(probe), false);
  });
});
