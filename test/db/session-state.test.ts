/**
 * Pooled connections are reset only when a statement may have changed session state, and an expected
 * error does not cost a new connection: the classification, then both behaviours on PostgreSQL 15.
 */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import { mayChangeSession } from '../../runner/db/session-state.ts';

describe('db: session state between pooled statements', () => {
  it('plain reads and writes calling built-ins leave no state; anything else may', () => {
    const clean = [
      'select email, active from users where id = $1',
      'insert into users (id, email) values (gen_random_uuid(), $1)',
      'insert into public.items(account_id, name) values ($1, $2) returning id',
      'update orders set amount = amount + 1 where user_id = $1',
      'delete from orders where user_id = $1',
      'with x as (select count(*) as n, sum(amount) from orders) select coalesce(n, 0) from x',
      '  -- a comment\n/* and another */ (select now())',
      "select 'f(x)' as \"it's\", n.nspname !~ '^pg_(toast|temp_)' from pg_namespace n",
    ];
    const dirty = [
      "set TimeZone = 'Asia/Tokyo'",
      'reset all',
      "select set_config('app.tenant', $1, false)",
      'select app.set_tenant($1)',
      'select "SetTenant"($1)',
      'create temp table t (id int)',
      'select * into temporary t from users',
      'select pg_advisory_lock(1)',
      "select nextval('orders_id_seq')",
      'prepare p as select 1',
      'listen channel',
      'declare c cursor with hold for select 1',
      "do $$ begin perform set_config('a.b', 'c', false); end $$",
      'begin',
      "-- don't\nselect set_config('a', 'b', false)",
      "select E'\\'' || set_config('a', 'b', false)",
    ];
    assert.deepEqual(clean.filter(mayChangeSession), []);
    assert.deepEqual(
      dirty.filter((sql) => !mayChangeSession(sql)),
      [],
    );
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
