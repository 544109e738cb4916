/**
 * Pooled connections are reset after every statement of a spec (see runner/db/session-state.ts for why), and
 * an expected error does not cost a new connection: the decision, then both behaviours on PostgreSQL 15.
 */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import { mayChangeSession } from '../../runner/db/session-state.ts';

describe('db: session state between pooled statements', () => {
  it("every statement of a spec resets its connection, also those that look harmless; only dbspec's own reads do not", () => {
    const looksHarmless = [
      'select email, active from users where id = $1',
      'insert into users (id, email) values (gen_random_uuid(), $1)',
      'update orders set amount = amount + 1 where user_id = $1',
      "update pg_settings set setting = 'pg_catalog' where name = 'search_path'",
      'select * from a_view_calling_set_config',
      'select lower(1)',
      '  -- a comment\n/* and another */ (select now())',
    ];
    const changesState = ["set TimeZone = 'Asia/Tokyo'", "select set_config('app.tenant', $1, false)", 'create temp table t (id int)', 'prepare p as select 1'];
    assert.deepEqual(
      [...looksHarmless, ...changesState].filter((sql) => !mayChangeSession(sql)),
      [],
    );
    assert.equal(mayChangeSession('show server_version'), false);
  });

  describe('on PostgreSQL 15', () => {
    let db: Database;
    before(async () => {
      db = await connectDatabase('postgres', 'postgres://postgres@127.0.0.1:5432/postgres', { embedded: false, poolSize: 1 });
    });
    after(async () => db?.end());

    const pid = async (): Promise<string> => String((await db.query('select pg_backend_pid()')).rows[0]?.[0]);

    it('set_config in one step, a temp table in another: neither reaches the next step', async () => {
      await db.query("select set_config('dbspec.test', 'leaked', false)");
      // After RESET a custom setting once defined reads as '' rather than null: either way not 'leaked'.
      assert.ok(['', null].includes((await db.query("select current_setting('dbspec.test', true)")).rows[0]?.[0] as string));
      await db.query('create temp table dbspec_leak (id int)');
      assert.deepEqual((await db.query("select count(*) from pg_class where relname = 'dbspec_leak'")).rows, [['0']]);
    });

    it('keeps the pooled connection after an expected error, and withSession knows its pid', async () => {
      const before = await pid();
      await assert.rejects(db.query('select 1/0'), /division by zero/);
      assert.equal(await pid(), before);
      assert.equal(String(await db.withSession(async (session) => session.pid)), before);
    });
  });
});
