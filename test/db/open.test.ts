/** openDatabases: guard, connection failures, the embedded server's life cycle, migrations. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Config, DatabaseConfig } from '../../runner/config.ts';
import { DbspecError } from '../../runner/diagnostics.ts';
import { freePort } from '../../runner/db/free-port.ts';
import { openDatabases } from '../../runner/db/open.ts';
import { redactSecrets, redactUrl } from '../../runner/redact.ts';
import { scratchDatabases, testServers } from '../support/servers.ts';
import { assertWithin } from '../support/timing.ts';

const database = (name: string, extra: Partial<DatabaseConfig> = {}): DatabaseConfig => ({
  name,
  urlEnv: `DBSPEC_${name.toUpperCase()}_URL`,
  migrations: name,
  disposable: false,
  ...extra,
});

const thrown = async (promise: Promise<unknown>): Promise<DbspecError> => {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof DbspecError, String(error));
    return error;
  }
  assert.fail('expected a DbspecError');
};

/** No postgres process may still run on the dir, and the dir must be gone. */
const assertNothingLeft = (dir: string): void => {
  const running = spawnSync('pgrep', ['-f', dir], { encoding: 'utf8' });
  assert.equal(running.stdout.trim(), '', `postgres still running on ${dir}`);
  assert.equal(existsSync(dir), false, `${dir} still exists`);
};

let root: string;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'dbspec-test-migrations-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

const writeMigrations = async (folder: string, files: Record<string, string>): Promise<void> => {
  await mkdir(join(root, folder), { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(root, folder, name), text);
};

describe('db: redaction', () => {
  it('hides the password of a URL and of URLs in free text', () => {
    assert.equal(redactUrl('postgres://app:s3cr@t@127.0.0.1:5999/backend'), 'postgres://app:***@127.0.0.1:5999/backend');
    assert.equal(redactUrl('postgresql://app@host/db'), 'postgresql://app@host/db');
    assert.equal(redactUrl('postgres://u:p@h/db?sslmode=require&password=x'), 'postgres://u:***@h/db?sslmode=require&password=***');
    assert.equal(
      redactSecrets('failed: postgres://a:one@h:1/x and "postgresql://b:two@h/y", host=h password=three'),
      'failed: postgres://a:***@h:1/x and "postgresql://b:***@h/y", host=h password=***',
    );
  });
});

describe('db: openDatabases guard and connection failures', () => {
  it('refuses a database that is not disposable, saying why and how', async () => {
    const config: Config = { root, databases: [database('auth', { url: 'postgres://app:secret@127.0.0.1:5432/auth' })] };
    const error = await thrown(openDatabases(config, ['auth'], { allowShared: false, migrate: false }));
    assert.equal(error.diagnostics[0]?.kind, 'config');
    assert.equal(error.diagnostics[0]?.code, 'DBSPEC_NOT_DISPOSABLE');
    assert.match(error.message, /--allow-shared/);
    assert.match(error.message, /disposable: true/);
    assert.doesNotMatch(error.message, /secret/);
    assert.equal(error.message.split('\n').length, 1);
  });

  it('a refused connection is one clear redacted line within the bounded retry', async () => {
    const port = await freePort();
    const url = `postgres://app:secret@127.0.0.1:${port}/backend`;
    const config: Config = { root, databases: [database('backend', { url, disposable: true })] };
    const started = Date.now();
    const error = await thrown(openDatabases(config, ['backend'], { allowShared: false, migrate: false, connectTimeoutMs: 1500 }));
    const elapsed = Date.now() - started;
    assert.equal(error.message, `cannot connect to database \`backend\` at postgres://app:***@127.0.0.1:${port}/backend: connection refused`);
    assert.equal(error.diagnostics[0]?.kind, 'connection');
    assert.ok(elapsed >= 1000, `took ${elapsed} ms: the retry gave up early`);
    assertWithin(elapsed, 10_000, 'the bounded retry');
  });

  it('a database that does not exist fails at once with the server message', async () => {
    const config: Config = { root, databases: [database('auth', { url: 'postgres://postgres@127.0.0.1:5432/dbspec_no_such_db', disposable: true })] };
    const started = Date.now();
    const error = await thrown(openDatabases(config, ['auth'], { allowShared: false, migrate: false }));
    assert.match(
      error.message,
      /^cannot connect to database `auth` at postgres:\/\/postgres@127\.0\.0\.1:5432\/dbspec_no_such_db: database "dbspec_no_such_db" does not exist$/,
    );
    assertWithin(Date.now() - started, 2000, 'failing at once');
  });
});

describe('db: embedded server', () => {
  it('starts one server for the databases without URL, applies migrations in numeric order, and leaves nothing behind', async () => {
    await writeMigrations('order/auth', {
      '2_second.sql': "insert into steps values ('2');",
      '10_third.sql': "insert into steps values ('10'); -- after 2, not before it\ninsert into steps values ('10b');",
      '001_first.sql': "create table steps (name text);\ncreate function f() returns text language sql as $$ select 'a;b' $$;",
    });
    const config: Config = { root: join(root, 'order'), databases: [database('auth'), database('backend')] };
    const opened = await openDatabases(config, ['auth', 'backend'], { allowShared: false, migrate: false });
    const auth = opened.databases.get('auth');
    assert.ok(auth && opened.embedded && auth.embedded);
    assert.match(auth.serverVersion, /^18\.\d+$/);
    assert.ok(opened.embeddedStartMs !== undefined);
    assertWithin(opened.embeddedStartMs, 3000, 'the embedded start');
    assert.deepEqual((await auth.query('select name from steps')).rows, [['2'], ['10'], ['10b']]);
    assert.deepEqual((await auth.query('select f()')).rows, [['a;b']]);
    assert.deepEqual((await opened.databases.get('backend')?.query('select current_database()'))?.rows, [['backend']]);
    const dir = String((await auth.query('show data_directory')).rows[0]?.[0]).replace(/\/data$/, '');
    assert.match(dir, /dbspec-pg-/);
    await opened.close();
    await opened.close();
    assertNothingLeft(dir);
  });

  it('a failing migration names file:line and the PostgreSQL message, and the server is gone', async () => {
    await writeMigrations('failing/auth', {
      '001_ok.sql': 'create table a (id int);\n',
      '002_bad.sql': 'create table b (id int);\n\ninsert into b values\n  (1), (nope);\n',
    });
    const config: Config = { root: join(root, 'failing'), databases: [database('auth')] };
    // A private TMPDIR (os.tmpdir() reads it on every call): what is left there is this test's alone.
    const privateTmp = await mkdtemp(join(tmpdir(), 'dbspec-tmpdir-'));
    await chmod(privateTmp, 0o755);
    const savedTmp = process.env.TMPDIR;
    process.env.TMPDIR = privateTmp;
    try {
      const error = await thrown(openDatabases(config, ['auth'], { allowShared: false, migrate: false }));
      assert.equal(error.message, 'migration auth/002_bad.sql:4 failed on database `auth`: column "nope" does not exist');
      assert.deepEqual(error.diagnostics[0]?.location, { file: 'auth/002_bad.sql', line: 4, column: 9 });
      assert.deepEqual(await readdir(privateTmp), []);
    } finally {
      if (savedTmp === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = savedTmp;
      await rm(privateTmp, { recursive: true, force: true });
    }
  });

  it('a process that exits without close() (or is interrupted) leaves no postgres and no temp dir', async () => {
    const script = (ending: string): string => `
      import { startEmbeddedServer } from ${JSON.stringify(join(import.meta.dirname, '../../runner/db/embedded.ts'))};
      const server = await startEmbeddedServer();
      console.log(server.dir);
      ${ending}`;
    for (const ending of ['process.exit(0);', "process.kill(process.pid, 'SIGINT'); setTimeout(() => {}, 10000);", "throw new Error('crash');"]) {
      const child = spawnSync(process.execPath, ['--input-type=module', '-e', script(ending)], { encoding: 'utf8', timeout: 90_000 });
      const dir = child.stdout.trim().split('\n')[0] ?? '';
      assert.match(dir, /dbspec-pg-/, child.stderr);
      assertNothingLeft(dir);
    }
  });
});

describe('db: migrations on a database with a URL', () => {
  it('applies only migrations not yet recorded in dbspec.migrations', async () => {
    const [server] = await testServers();
    assert.ok(server);
    const scratch = await scratchDatabases(server, ['m'], { migrations: false });
    try {
      await writeMigrations('tracked/m', { '001_a.sql': 'create table t (id int);' });
      const config: Config = { root: join(root, 'tracked'), databases: [database('m', { url: scratch.urls.m as string })] };
      const open = async (migrate: boolean) => {
        const opened = await openDatabases(config, ['m'], { allowShared: true, migrate });
        const db = opened.databases.get('m');
        assert.ok(db);
        const tables = (await db.query("select string_agg(tablename, ',' order by tablename) from pg_tables where schemaname = 'public'")).rows[0]?.[0];
        const applied = (await db.query("select string_agg(name, ',' order by name) from dbspec.migrations")).rows[0]?.[0];
        const counts = await db.fingerprint();
        await opened.close();
        return { tables, applied, counts };
      };
      assert.deepEqual((await open(true)).applied, '001_a.sql');
      await writeMigrations('tracked/m', { '002_b.sql': 'insert into t values (1);' });
      const second = await open(true);
      assert.deepEqual([second.applied, second.counts.get('public.t')], ['001_a.sql,002_b.sql', 1]);
      assert.equal(second.counts.has('dbspec.migrations'), false);
      // Re-running applies nothing again (the insert would double the count).
      assert.equal((await open(true)).counts.get('public.t'), 1);
    } finally {
      await scratch.drop();
    }
  });
});
