/**
 * `dbspec explain`: statements as sent with their $n values and what is compared, without any database
 * (the URLs point nowhere: explain must not try them).
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cleanEnv, runCli } from '../run/cli-process.ts';

const SPEC = `name: explained
vars:
  user_id: \${uuid}
setup:
  - db: auth
    sql: insert into auth_users (id, email, password_hash) values (\${user_id}, 'a@b.c', 'x')
steps:
  - name: the user is there
    db: auth
    sql: select id, email from auth_users where id = \${user_id}
    expect:
      rows: [ { id: "\${user_id}", email: a@b.c } ]
  - name: a duplicate is refused
    db: auth
    transaction:
      - insert into auth_users (id, email, password_hash) values (\${uuid}, 'a@b.c', 'x')
    expect: { error: { code: "23505" } }
  - name: two sessions
    concurrent: { db: backend, sessions: 2, sql: "select \${session}" }
    expect: { succeeded: 2 }
cleanup:
  - db: auth
    sql: delete from auth_users where id = \${user_id}
`;

describe('dbspec explain', () => {
  it('prints each statement with its placeholders, their values and the comparison, without a database', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dbspec-explain-'));
    try {
      await writeFile(join(dir, 'x.spec.yaml'), SPEC);
      await writeFile(join(dir, 'dbspec.config.yaml'), 'databases:\n  auth: {}\n  backend: {}\n');
      const env = cleanEnv({ DBSPEC_AUTH_URL: 'postgres://nobody@127.0.0.1:1/none', DBSPEC_BACKEND_URL: 'postgres://nobody@127.0.0.1:1/none' });
      const run = await runCli(['explain', 'x.spec.yaml'], env, dir);
      assert.equal(run.code, 0, run.stderr);
      const out = run.stdout;
      assert.match(out, /\$\{user_id\} = \$\{uuid\} {2}\(one value for the whole spec run, e\.g\. [0-9a-f-]{36}\)/);
      assert.match(out, /setup on auth.*\n {4}insert into auth_users \(id, email, password_hash\) values \(\$1, 'a@b\.c', 'x'\)\n {6}\$1 = \$\{user_id\}\n/);
      assert.match(out, /step 1 "the user is there": query on auth/);
      assert.match(out, /exactly this row comes back; only the columns written are compared:\n {6}\{ id: "\$\{user_id\}", email: "a@b\.c" \}/);
      assert.match(out, /\$1 = \$\{uuid\}: a fresh random UUID/);
      assert.match(out, /the last statement must fail with SQLSTATE 23505/);
      assert.match(out, /2 sessions on backend at once[\s\S]*\$1 = \$\{session\}: the session number[\s\S]*2 of 2 sessions succeed/);
      assert.match(out, /cleanup on auth, always/);
      const missing = await runCli(['explain'], env, dir);
      assert.equal(missing.code, 2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
