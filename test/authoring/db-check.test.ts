/**
 * `--db-check`: the databases analyse every statement (PREPARE) before anything runs. Unknown tables and
 * columns are reported at their line with the nearest real name; the spec's own DDL is seen by later
 * statements; nothing the check does is left in the database.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { cleanEnv, REPO, runCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const CONFIG = join(REPO, 'dbspec.config.yaml');

/** Line numbers matter below: the misspelt table is on line 17, column 14 (inside a block scalar); the misspelt column on line 21, after a variable. */
const MISTAKES = `name: db check mistakes
vars:
  tid: \${uuid}
setup:
  - db: backend
    sql: |
      create table scratch_notes (id int primary key, body text);
      insert into scratch_notes values (1, 'x');
  - db: auth
    sql: insert into auth_users (email, password_hash) values ('a@b.c', 'x')
steps:
  - name: misspelt table
    db: backend
    sql: |
      select id,
             title
        from thread
       where tenant_id = \${tid}
  - name: misspelt column after a variable
    db: backend
    sql: select id from threads where id = \${tid} and titel = 'x'
  - name: a table setup created
    db: backend
    sql: select body from scratch_notes
  - name: parameters PostgreSQL cannot type
    db: backend
    sql: select \${tid} + \${tid} as x
  - name: an error the spec expects
    db: backend
    sql: select * from nowhere
    expect: { error: { code: 42P01 } }
  - name: not preparable, skipped
    db: backend
    sql: do $$ begin raise exception 'must not run'; end $$
  - name: an unknown function
    db: auth
    sql: select no_such_fn(1)
  - name: a column a shared database may not add
    db: backend
    transaction:
      - alter table threads add column extra int
      - select extra from threads
  - name: analysed, never executed
    db: backend
    sql: select 1 / 0 as boom
cleanup:
  - db: backend
    sql: drop table scratch_notes
`;

const CLEAN = `name: db check clean
steps:
  - name: fine
    db: backend
    sql: select id, title from threads
`;

const rowCounts = async (url: string): Promise<string> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables = await client.query<{ t: string }>("select format('%I.%I', schemaname, relname) as t from pg_stat_user_tables order by 1");
    const counts: string[] = [];
    for (const { t } of tables.rows) counts.push(`${t}=${(await client.query(`select count(*) from ${t}`)).rows[0].count}`);
    const extra = await client.query("select count(*) from information_schema.columns where table_name = 'threads' and column_name = 'extra'");
    return `${counts.join(' ')} extra=${extra.rows[0].count}`;
  } finally {
    await client.end();
  }
};

describe('--db-check', function () {
  this.timeout(60_000);
  let dir: string;
  let dbs: ScratchDatabases;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-db-check-'));
    await writeFile(join(dir, 'mistakes.spec.yaml'), MISTAKES);
    await writeFile(join(dir, 'clean.spec.yaml'), CLEAN);
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['auth', 'backend']);
  });
  after(async () => {
    await dbs?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('reports unknown tables, columns and functions at their line, with did-you-mean, and leaves nothing behind', async () => {
    const before = [await rowCounts(dbs.urls.auth!), await rowCounts(dbs.urls.backend!)];
    // The config does not mark the databases disposable: checking needs no --allow-shared.
    const run = await runCli(['validate', 'mistakes.spec.yaml', '--db-check', '--config', CONFIG], cleanEnv(dbs.env), dir);
    assert.equal(run.code, 1, run.stderr);
    const heads = run.stderr.split('\n').filter((line) => line.startsWith('mistakes.spec.yaml:'));
    assert.deepEqual(heads, [
      'mistakes.spec.yaml:17:14: unknown table `thread` in database `backend`; did you mean `threads`? [DBSPEC_DB_UNKNOWN_TABLE]',
      'mistakes.spec.yaml:21:55: unknown column `titel` in database `backend`; did you mean `title`? [DBSPEC_DB_UNKNOWN_COLUMN]',
      'mistakes.spec.yaml:37:17: database `auth` rejects this statement: function no_such_fn(integer) does not exist (SQLSTATE 42883) [DBSPEC_DB_CHECK]',
      // A database not marked disposable gets no ALTER, so the column it would add stays unknown.
      'mistakes.spec.yaml:42:16: unknown column `extra` in database `backend` [DBSPEC_DB_UNKNOWN_COLUMN]',
    ]);
    assert.match(run.stderr, /> 17 \| {9}from thread\n {5}\| {14}\^\n/);
    assert.match(run.stdout, /4 errors in 1 of 1 file/);
    assert.deepEqual([await rowCounts(dbs.urls.auth!), await rowCounts(dbs.urls.backend!)], before);
    assert.match(before[1]!, /extra=0/);
  });

  it("with --allow-shared the spec's ALTER runs too (rolled back): the column it adds is known, and gone afterwards", async () => {
    const run = await runCli(['validate', 'mistakes.spec.yaml', '--db-check', '--allow-shared', '--config', CONFIG], cleanEnv(dbs.env), dir);
    assert.equal(run.code, 1, run.stderr);
    assert.doesNotMatch(run.stderr, /`extra`/);
    assert.match(run.stderr, /unknown table `thread`/);
    assert.match(await rowCounts(dbs.urls.backend!), /extra=0/);
  });

  it('exit 0 for a clean spec; `run --db-check` stops before running with exit 1', async () => {
    const clean = await runCli(['validate', 'clean.spec.yaml', '--db-check', '--config', CONFIG], cleanEnv(dbs.env), dir);
    assert.equal(clean.code, 0, clean.stderr);
    assert.match(clean.stdout, /1 spec valid/);
    const out = join(dir, 'out');
    const run = await runCli(['run', 'mistakes.spec.yaml', '--db-check', '--allow-shared', '--config', CONFIG, '--out', out], cleanEnv(dbs.env), dir);
    assert.equal(run.code, 1, run.stderr);
    assert.match(run.stderr, /unknown table `thread`/);
    assert.ok(!(await readdir(out)).includes('results.json'), 'nothing may have run');
  });

  it('an unreachable database is exit 2; without --db-check validate does not touch it', async () => {
    const nowhere = { DBSPEC_AUTH_URL: 'postgres://nobody@127.0.0.1:1/none', DBSPEC_BACKEND_URL: 'postgres://nobody@127.0.0.1:1/none' };
    const checked = await runCli(['validate', 'clean.spec.yaml', '--db-check', '--config', CONFIG], cleanEnv(nowhere), dir);
    assert.equal(checked.code, 2, checked.stderr);
    assert.match(checked.stderr, /backend/);
    const plain = await runCli(['validate', 'clean.spec.yaml', '--config', CONFIG], cleanEnv(nowhere), dir);
    assert.equal(plain.code, 0, plain.stderr);
  });

  it('with no URL the embedded server holds the migrated schema', async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'dbspec-db-check-tmp-'));
    // Readable by the postgres user the embedded server runs as.
    await chmod(tmp, 0o755);
    try {
      const run = await runCli(['validate', 'mistakes.spec.yaml', '--db-check', '--config', CONFIG], cleanEnv({ TMPDIR: tmp }), dir);
      assert.equal(run.code, 1, run.stderr);
      assert.match(run.stderr, /mistakes\.spec\.yaml:17:14: unknown table `thread` in database `backend`; did you mean `threads`\?/);
      // Embedded databases are disposable: the ALTER runs, so `extra` is known.
      assert.doesNotMatch(run.stderr, /`extra`/);
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  });
});
