/** Sessions hold one connection; fingerprints count every user table in one round trip. */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import { createFingerprinter } from '../../runner/db/fingerprint.ts';
import type { ParamValue } from '../../runner/db/query-result.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';
import { APPLICATION_NAME } from '../../runner/db/text-driver.ts';

describe('db: sessions and fingerprints', () => {
  for (const label of ['pg15 local', 'pg18 embedded']) {
    describe(label, () => {
      let scratch: ScratchDatabases;
      let db: Database;
      before(async () => {
        const server = (await testServers()).find((each) => each.label === label);
        assert.ok(server);
        scratch = await scratchDatabases(server, ['s'], { migrations: false });
        db = await connectDatabase('s', scratch.urls.s as string, { embedded: false, poolSize: 4 });
      });
      after(async () => {
        await db?.end();
        await scratch?.drop();
      });

      it('reports name, short server version and session settings', async () => {
        assert.equal(db.name, 's');
        assert.match(db.serverVersion, label.startsWith('pg15') ? /^15\.\d+$/ : /^18\.\d+$/);
        const settings = await db.query(
          "select current_setting('TimeZone'), current_setting('DateStyle'), current_setting('IntervalStyle'), current_setting('application_name')",
        );
        assert.deepEqual(settings.rows, [['UTC', 'ISO, YMD', 'postgres', APPLICATION_NAME]]);
      });

      it("commits without waiting for the disk (synchronous_commit off), also after a spec's SET is reset", async () => {
        assert.deepEqual((await db.query('show synchronous_commit')).rows, [['off']]);
        await db.query('set synchronous_commit = on');
        assert.deepEqual((await db.query('show synchronous_commit')).rows, [['off']]);
      });

      it('withSession keeps one connection: same pid, BEGIN/ROLLBACK and SET LOCAL work', async () => {
        await db.query('create table session_rows (id int)');
        await db.withSession(async (session) => {
          const pids = new Set<string>();
          await session.query('begin');
          await session.query("set local TimeZone = 'Asia/Tokyo'");
          await session.query('insert into session_rows values (1)');
          for (let i = 0; i < 3; i++) pids.add(String((await session.query('select pg_backend_pid()')).rows[0]?.[0]));
          assert.deepEqual([...pids], [String(session.pid)]);
          assert.deepEqual((await session.query('select count(*) from session_rows')).rows, [['1']]);
          assert.deepEqual((await session.query('show TimeZone')).rows, [['Asia/Tokyo']]);
          await session.query('rollback');
        });
        assert.deepEqual((await db.query('select count(*) from session_rows')).rows, [['0']]);
      });

      it('settings changed with SET in one pooled query do not leak into the next', async () => {
        for (let i = 0; i < 4; i++) await db.query("set TimeZone = 'Asia/Tokyo'");
        for (let i = 0; i < 4; i++) assert.deepEqual((await db.query('show TimeZone')).rows, [['UTC']]);
      });

      it('concurrent sessions have distinct connections', async () => {
        const pids = await Promise.all(
          [1, 2, 3].map(() =>
            db.withSession(async (session) => {
              await session.query('select pg_sleep(0.05)');
              return session.pid;
            }),
          ),
        );
        assert.equal(new Set(pids).size, 3);
      });

      it('fingerprint counts every user table, skips the dbspec schema, follows created and dropped tables', async () => {
        await db.query('create schema app');
        await db.query('create table app."Odd ""name""" (id int)');
        await db.query('insert into app."Odd ""name""" select generate_series(1, 5)');
        await db.query('create schema if not exists dbspec');
        await db.query('create table if not exists dbspec.bookkeeping (id int)');
        await db.query('create table parted (id int) partition by range (id)');
        await db.query('create table parted_low partition of parted for values from (0) to (100)');
        await db.query('insert into parted values (1), (2)');
        const first = await db.fingerprint();
        assert.equal(first.get('app.Odd "name"'), 5);
        assert.equal(first.get('public.parted'), 2);
        assert.equal(first.has('public.parted_low'), false);
        assert.equal(
          [...first.keys()].some((table) => table.startsWith('dbspec.')),
          false,
        );
        await db.query('create table later (id int)');
        await db.query('insert into later values (1)');
        assert.equal((await db.fingerprint()).get('public.later'), 1);
        await db.query('drop table later');
        assert.equal((await db.fingerprint()).has('public.later'), false);
      });

      it('the counts are a statement prepared on the connection, and survive a DISCARD ALL or DEALLOCATE ALL on it', async () => {
        const one = await connectDatabase('s', scratch.urls.s as string, { embedded: false, poolSize: 1 });
        try {
          await one.query('create table if not exists prepared_rows (id int)');
          await one.fingerprint();
          await one.fingerprint();
          const named = await one.query("select count(*)::int as n from pg_prepared_statements where name like 'dbspec_own_%'");
          assert.equal(named.rows[0]?.[0], '1');
          for (const sql of ['discard all', 'deallocate all']) {
            await one.query(sql);
            await one.query('insert into prepared_rows values (1)');
            assert.equal((await one.fingerprint()).get('public.prepared_rows'), sql === 'discard all' ? 1 : 2);
          }
        } finally {
          await one.end();
        }
      });

      it('fingerprint is one round trip once built, and rebuilds only when tables change', async () => {
        let queries = 0;
        const counting = (sql: string, values?: readonly ParamValue[]) => {
          queries++;
          return db.query(sql, values);
        };
        const fingerprint = createFingerprinter(counting);
        await fingerprint();
        queries = 0;
        await fingerprint();
        await db.query('insert into session_rows values (2)');
        const counts = await fingerprint();
        assert.equal(queries, 2);
        assert.equal(counts.get('public.session_rows'), 1);
        await db.query('create table another (id int)');
        queries = 0;
        assert.equal((await fingerprint()).get('public.another'), 0);
        assert.equal(queries, 3, 'count, notice the new table, rebuild, count');
      });

      it('counts of named tables skip the catalog signature, yet follow a named table created or dropped since the listing', async () => {
        const texts: string[] = [];
        const fingerprint = createFingerprinter((sql, values) => {
          texts.push(sql);
          return db.query(sql, values);
        });
        await db.query('create table named_a (id int)');
        await fingerprint();
        texts.length = 0;
        assert.equal((await fingerprint(['public.named_a'])).get('public.named_a'), 0);
        assert.equal(texts.length, 1);
        assert.doesNotMatch(texts[0]!, /pg_class/, 'a count of named tables reads no catalog');
        assert.match((await fingerprint()).xidMark, /^\d+$/);
        // Created after the listing, then named: read the listing again and count it.
        await db.query('create table named_b (id int)');
        await db.query('insert into named_b values (1), (2)');
        const both = await fingerprint(['public.named_a', 'public.named_b']);
        assert.equal(both.get('public.named_b'), 2);
        assert.match(both.xidMark, /^\d+$/);
        // Dropped since: the count fails, the listing is read again, the table is no longer there.
        await db.query('drop table named_b');
        assert.equal((await fingerprint(['public.named_a', 'public.named_b'])).has('public.named_b'), false);
      });
    });
  }
});
