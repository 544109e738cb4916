/**
 * Configuration mistakes around migrations stop a run before any spec, located, exit 2 (the failure to
 * avoid: a run that goes ahead and reports one `relation "x" does not exist` after another).
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cleanEnv, runCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const SPEC = `name: notes exist\nsteps:\n  - name: the table is there\n    db: app\n    sql: select count(*) as n from notes\n    expect:\n      rows: [ { n: 0 } ]\n`;

describe('config mistakes: migrations', function () {
  this.timeout(120_000);
  let dir: string;
  let scratch: ScratchDatabases;
  const run = (...args: string[]) => runCli(['run', '--reporter', 'dot', ...args], cleanEnv(scratch.env), dir);
  const config = (migrations: string) =>
    writeFile(join(dir, 'dbspec.config.yaml'), `databases:\n  app:\n    migrations: ${migrations}\n    disposable: true\n`);
  const migration = (name: string, sql: string) => writeFile(join(dir, 'db', name), sql);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-migration-mistakes-'));
    await mkdir(join(dir, 'specs'));
    await mkdir(join(dir, 'db'));
    await writeFile(join(dir, 'specs', 'notes.spec.yaml'), SPEC);
    await migration('001_notes.sql', 'create table notes (id int primary key);\n');
    await migration('002_title.sql', 'alter table notes add column title text;\n');
    await config('db');
    scratch = await scratchDatabases((await testServers())[0]!, ['app'], { migrations: false });
  });
  afterEach(async () => {
    await scratch.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('a migrations folder that does not exist: at its line in the config, exit 2', async () => {
    await config('db/nope');
    const result = await run('--migrate');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /dbspec\.config\.yaml:3:17: the migrations folder db\/nope does not exist/);
    assert.doesNotMatch(result.stdout, /passing|failing/);
  });

  it('two migrations with one order number: at the second file, exit 2', async () => {
    await migration('2_other.sql', 'create table other (id int);\n');
    const result = await run('--migrate');
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /db\/2_other\.sql:1:1: migrations db\/002_title\.sql and db\/2_other\.sql have the same order number 2/);
  });

  it('an applied migration whose file changed since: at that file, exit 2, nothing more applied', async () => {
    assert.equal((await run('--migrate')).code, 0);
    await migration('001_notes.sql', 'create table notes (id bigint primary key);\n');
    await migration('003_more.sql', 'create table more (id int);\n');
    for (const args of [['--migrate'], []]) {
      const result = await run(...args);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, /db\/001_notes\.sql:1:1: migration db\/001_notes\.sql has changed since it was applied to database `app`/);
    }
    const client = new pg.Client({ connectionString: scratch.urls.app });
    await client.connect();
    const { rows } = await client.query("select to_regclass('more') as more, (select count(*)::int from dbspec.migrations) as n");
    await client.end();
    assert.deepEqual(rows, [{ more: null, n: 2 }]);
  });

  it('a URL with pending migrations and no --migrate: one line with the count and the flag, exit 2; with --migrate it runs', async () => {
    const refused = await run();
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(
      refused.stderr,
      /database `app` \(DBSPEC_APP_URL\) has 2 pending migrations from db \(first: 001_notes\.sql\); run with --migrate to apply them/,
    );
    assert.doesNotMatch(refused.stdout + refused.stderr, /does not exist/);
    assert.equal((await run('--migrate')).code, 0);
    const again = await run();
    assert.equal(again.code, 0, again.stderr);
  });
});
