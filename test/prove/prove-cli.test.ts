/**
 * `dbspec prove` end to end on the embedded default, in a project of its own: a schema with three
 * constraints and a spec guarding two of them reports exactly the third as surviving, with the score,
 * prove.json and its reports; a mutant that cannot be built is reported as failing to apply, never as killed.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ProveResults } from '../../runner/results/prove-results.ts';
import { REPO } from '../run/cli-process.ts';
import { cleanEnv, runCli } from '../run/cli-process.ts';

const validateProve = async (value: unknown): Promise<void> => {
  const schema = JSON.parse(await readFile(join(REPO, 'schema', 'prove.schema.json'), 'utf8')) as object;
  const validate = new Ajv2020({ strict: false }).compile(schema);
  assert.ok(validate(value), JSON.stringify(validate.errors));
};

const ACCOUNTS = `create table accounts (
  email text not null,
  age   integer,
  constraint accounts_email_key unique (email),
  constraint accounts_age_check check (age >= 0)
);
`;

const SPEC = `name: accounts refuse duplicates and negative ages
vars:
  email: a-\${uuid}@example.test
setup:
  - db: app
    sql: insert into accounts (email, age) values (\${email}, 30)
steps:
  - name: an email registers once
    db: app
    transaction:
      - insert into accounts (email, age) values (\${email}, 31)
    rollback: true
    expect:
      error: { code: "23505" }
  - name: an age cannot be negative
    db: app
    transaction:
      - insert into accounts (email, age) values ('other-' || \${email}, -1)
    rollback: true
    expect:
      error: { code: "23514", constraint: accounts_age_check }
cleanup:
  - db: app
    sql: delete from accounts where email like '%' || \${email}
`;

const project = async (migrations: Record<string, string>): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'dbspec-prove-'));
  await mkdir(join(dir, 'db', 'app'), { recursive: true });
  await mkdir(join(dir, 'specs'));
  await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  app:\n    migrations: db/app\n');
  for (const [name, text] of Object.entries(migrations)) await writeFile(join(dir, 'db', 'app', name), text);
  await writeFile(join(dir, 'specs', 'accounts.spec.yaml'), SPEC);
  return dir;
};

describe('dbspec prove (CLI, embedded server)', function () {
  this.timeout(120_000);
  const dirs: string[] = [];
  after(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('reports exactly the unguarded constraint as surviving, with the score, and --fail-under fails the run', async () => {
    const dir = await project({ '001_accounts.sql': ACCOUNTS });
    dirs.push(dir);
    const run = await runCli(['prove', '--out', 'out', '--fail-under', '70'], cleanEnv(), dir);
    assert.equal(run.code, 1, run.stdout + run.stderr);
    assert.match(run.stdout, /^killed +drops unique constraint accounts_email_key +db\/app\/001_accounts\.sql:4 +by "accounts refuse duplicates/m);
    assert.match(run.stdout, /^killed +drops check constraint accounts_age_check +db\/app\/001_accounts\.sql:5 /m);
    assert.match(run.stdout, /^SURVIVED +drops not null on accounts\.email +db\/app\/001_accounts\.sql:2 +1 spec ran and passed$/m);
    assert.match(run.stdout, /no spec fails when not null on `accounts\.email` \(db\/app\/001_accounts\.sql:2\) is dropped/);
    assert.match(run.stdout, /mutation score 66\.7% \(2 killed, 1 survived, of 3\)/);
    assert.match(run.stderr, /under --fail-under 70%/);
    const results = JSON.parse(await readFile(join(dir, 'out', 'prove.json'), 'utf8')) as ProveResults;
    await validateProve(results);
    assert.deepEqual(results.summary, { mutants: 3, killed: 2, survived: 1, unapplied: 0, scorePct: 66.7 });
    assert.deepEqual(
      results.mutants.filter((m) => m.status === 'survived').map((m) => m.id),
      ['app:db/app/001_accounts.sql:2:drop-not-null:accounts.email'],
    );
    assert.equal(results.databases.app?.embedded, true);
    assert.ok((await stat(join(dir, 'out', 'prove.html'))).size > 0);
    // Handlebars writes a backtick as &#x60;, which Markdown shows as one.
    assert.match(
      await readFile(join(dir, 'out', 'prove.md'), 'utf8'),
      /no spec fails when not null on &#x60;accounts\.email&#x60; \(db\/app\/001\\_accounts\.sql:2\)/,
    );
    const passing = await runCli(['prove', '--out', 'out', '--fail-under', '60'], cleanEnv(), dir);
    assert.equal(passing.code, 0, passing.stderr);
  });

  it('reports a mutant that cannot be built as failing to apply, not as killed', async () => {
    const dir = await project({ '001_accounts.sql': ACCOUNTS, '002_notes.sql': 'create table notes (email text references accounts (email));\n' });
    dirs.push(dir);
    const run = await runCli(['prove', '--out', 'out', '--grep', 'accounts_email_key'], cleanEnv(), dir);
    assert.equal(run.code, 0, run.stdout + run.stderr);
    assert.match(run.stdout, /^unapplied +drops unique constraint accounts_email_key .*failed to apply: .*depend/m);
    assert.match(run.stdout, /no score \(0 killed, 0 survived, 1 failed to apply, of 1\)/);
    const results = JSON.parse(await readFile(join(dir, 'out', 'prove.json'), 'utf8')) as ProveResults;
    await validateProve(results);
    assert.equal(results.mutants[0]?.status, 'unapplied');
    assert.equal(results.mutants[0]?.killedBy, undefined);
  });

  it('refuses to start when a spec fails on the unchanged schema', async () => {
    const dir = await project({
      '001_accounts.sql': ACCOUNTS.replace('  constraint accounts_age_check check (age >= 0)\n', '  constraint accounts_age_check check (true)\n'),
    });
    dirs.push(dir);
    const run = await runCli(['prove', '--out', 'out'], cleanEnv(), dir);
    assert.equal(run.code, 1);
    assert.match(run.stderr, /must pass on the unchanged schema first.*\n {2}specs\/accounts\.spec\.yaml: accounts refuse duplicates/);
  });
});
