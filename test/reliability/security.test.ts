/**
 * Security through the CLI against PostgreSQL 15: variables are bind parameters (an injection string is
 * stored verbatim), YAML tags cannot run code, the connection password appears in no output (console,
 * results.json, junit.xml, report.html, report.md), database values are escaped in the HTML report, and a
 * database not marked disposable is refused. (URLs in spec files are refused by bad-input.test.ts.)
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CliRun } from '../run/cli-process.ts';
import { cleanEnv, REPO, runCli } from '../run/cli-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery, CONFIG, FIXTURES, fixtureSpec, readResults, RUN_MIGRATIONS, specNamed, tempOut } from './run-fixture.ts';

const tag = randomBytes(4).toString('hex');
const ROLE = `dbspec_pw_${tag}`;
const PASSWORD = `Pw-${tag}-s3cret`;

/** Every file under `dir` and the console must be free of the password. */
const assertNoPassword = async (run: CliRun, dir: string): Promise<string[]> => {
  assert.doesNotMatch(run.stdout + run.stderr, new RegExp(PASSWORD), 'the password reached the console');
  const files = await readdir(dir);
  for (const file of files) assert.doesNotMatch(await readFile(join(dir, file), 'utf8'), new RegExp(PASSWORD), `the password reached ${file}`);
  return files;
};

describe('reliability: security', function () {
  this.timeout(60_000);
  let server: TestServer;
  let dbs: ScratchDatabases;
  let env: NodeJS.ProcessEnv;
  const outs: string[] = [];
  const out = async () => {
    const dir = await tempOut();
    outs.push(dir);
    return dir;
  };

  before(async function () {
    [server] = (await testServers()) as [TestServer];
    dbs = await scratchDatabases(server, ['auth', 'backend'], { migrationsRoot: RUN_MIGRATIONS });
    // The local server trusts every connection, so any password works; what matters is that it is in the URL.
    await adminQuery(server.url('postgres'), `create role ${ROLE} login superuser password '${PASSWORD}'`);
    const withPassword = (url: string) => url.replace('postgres://postgres@', `postgres://${ROLE}:${PASSWORD}@`);
    env = cleanEnv({ DBSPEC_AUTH_URL: withPassword(dbs.urls.auth!), DBSPEC_BACKEND_URL: withPassword(dbs.urls.backend!) });
  });
  after(async function () {
    await dbs?.drop();
    await adminQuery(server.url('postgres'), `drop role if exists ${ROLE}`).catch(() => undefined);
    for (const dir of outs) await rm(dir, { recursive: true, force: true });
  });

  it('stores an injection string verbatim, escapes markup in the HTML report, and prints the password nowhere', async function () {
    const dir = await out();
    const run = await runCli(
      ['run', fixtureSpec('hostile'), join(REPO, 'test', 'run', 'fixtures', 'specs', 'every-kind-fails.spec.yaml'), '--config', CONFIG, '--out', dir],
      env,
    );
    assert.equal(run.code, 1, run.stdout + run.stderr);
    const results = await readResults(dir);
    const hostile = specNamed(results, 'hostile values');
    assert.equal(hostile.steps.find((s) => s.name === 'the injection is stored verbatim')?.status, 'passed');
    assert.equal(hostile.steps.find((s) => s.name.startsWith('markup comes back'))?.failure?.code, 'ROWS_MISMATCH');
    const table = await adminQuery<{ n: number }>(dbs.urls.backend!, "select count(*)::int as n from pg_tables where tablename = 'items'");
    assert.equal(table[0]!.n, 1, 'the items table was dropped');

    const html = await readFile(join(dir, 'report.html'), 'utf8');
    assert.ok(html.includes('onerror=alert(1)') || html.includes('onerror&#x3D;alert(1)'), 'the hostile value is shown');
    assert.doesNotMatch(html, /<script>alert\("pwned"\)/, 'a database value became a script');
    assert.doesNotMatch(html, /<img src=x onerror/, 'a database value became markup');
    const files = await assertNoPassword(run, dir);
    for (const file of ['results.json', 'junit.xml', 'report.html', 'report.md']) assert.ok(files.includes(file), `${file} missing`);
  });

  it('refuses a database not marked disposable, writes nothing, and names it without the password', async function () {
    const dir = await out();
    const run = await runCli(['run', fixtureSpec('hostile'), '--config', join(FIXTURES, 'shared.config.yaml'), '--out', dir], env);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, new RegExp(`refusing to run against database \`backend\` at postgres://${ROLE}:\\*\\*\\*@127\\.0\\.0\\.1:5432/`));
    assert.match(run.stderr, /pass --allow-shared or set `disposable: true`/);
    const rows = await adminQuery<{ n: number }>(dbs.urls.backend!, 'select count(*)::int as n from items');
    assert.equal(rows[0]!.n, 0);
    await assertNoPassword(run, dir);
  });

  it('names a database that does not exist without its password', async function () {
    const dir = await out();
    const missing = cleanEnv({ ...env, DBSPEC_BACKEND_URL: env.DBSPEC_BACKEND_URL!.replace(/\/[^/]+$/, '/no_such_db_here') });
    const run = await runCli(['run', fixtureSpec('hostile'), '--config', CONFIG, '--out', dir], missing);
    assert.equal(run.code, 2, run.stdout + run.stderr);
    assert.match(run.stderr, /cannot connect to database `backend` at postgres:\/\/\S+:\*\*\*@.*no_such_db_here/);
    await assertNoPassword(run, dir);
  });

  it('does not run code from YAML tags', async function () {
    const dir = await out();
    const marker = join(dir, 'pwned');
    const file = join(dir, 'tagged.spec.yaml');
    await writeFile(
      file,
      `name: tagged\nvars:\n  x: !!js/function 'function () { require("fs").writeFileSync(${JSON.stringify(marker)}, "x") }'\n  y: !<tag:yaml.org,2002:js/undefined> ''\nsteps:\n  - name: s\n    db: auth\n    sql: select \${x}, \${y}\n`,
    );
    const run = await runCli(['run', file, '--config', CONFIG, '--out', dir], env);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stderr, /tagged\.spec\.yaml:3:\d+: the tag !!js\/function is not allowed/);
    assert.match(run.stderr, /tagged\.spec\.yaml:4:\d+: the tag !!js\/undefined is not allowed/);
    assert.equal(existsSync(marker), false, 'a YAML tag ran code');
  });
});
