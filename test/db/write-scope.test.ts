/**
 * The leak check counts only the tables a spec can change: those its statements write, and those that
 * triggers, cascading foreign keys and parents lead to; anything it cannot follow means every table.
 */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import type { ChangeScope } from '../../runner/db/write-graph.ts';
import { ensureParser } from '../../runner/sql/split.ts';
import { effectsOfSql } from '../../runner/sql/effects.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const SCHEMA = `
create table accounts (id int primary key, name text);
create table notes (id int primary key, account_id int references accounts on delete cascade);
create table audit (id bigserial primary key, what text);
create table untouched (id int primary key);
create table big (id int primary key);
create function audit_it() returns trigger language plpgsql as $$
begin
  insert into audit (what) values (tg_op);
  return new;
end $$;
create trigger accounts_audit after insert or delete on accounts for each row execute function audit_it();
create function sneaky(t text) returns void language plpgsql as $$ begin execute 'delete from ' || t; end $$;
create function add_note(n int) returns void language sql as $$ insert into notes values (n, 1) $$;
create function pure(n int) returns int language sql immutable as $$ select n + 1 $$;
create view account_names as select id, name from accounts;
create table events (id int, at date) partition by range (at);
create table events_2026 partition of events for values from ('2026-01-01') to ('2027-01-01');
`;

const scope = (db: Database, sql: string): Promise<ChangeScope> => db.changeScope(effectsOfSql(sql));

describe('db: the tables a statement can change (leak check scope)', () => {
  for (const label of ['pg15 local', 'pg18 embedded']) {
    describe(label, () => {
      let scratch: ScratchDatabases;
      let db: Database;
      before(async () => {
        await ensureParser();
        const server = (await testServers()).find((each) => each.label === label);
        assert.ok(server);
        scratch = await scratchDatabases(server, ['w'], { migrations: false });
        db = await connectDatabase('w', scratch.urls.w as string, { embedded: false, poolSize: 4 });
        for (const statement of SCHEMA.split(/;\n(?=create)/)) await db.query(statement);
      });
      after(async () => {
        await db?.end();
        await scratch?.drop();
      });

      it('a read changes nothing; a write changes its target', async () => {
        assert.deepEqual(await scope(db, 'select count(*), now() from accounts join big using (id)'), { tables: [] });
        assert.deepEqual(await scope(db, 'update untouched set id = id + 1'), { tables: ['public.untouched'] });
      });

      it('follows triggers into their PL/pgSQL bodies and cascading foreign keys', async () => {
        assert.deepEqual(await scope(db, 'delete from accounts where id = 1'), { tables: ['public.accounts', 'public.audit', 'public.notes'] });
      });

      it('follows calls into SQL functions; immutable functions write nothing', async () => {
        assert.deepEqual(await scope(db, 'select add_note(3), pure(1)'), { tables: ['public.notes'] });
      });

      it('a write into a partition counts its partitioned parent', async () => {
        assert.deepEqual(await scope(db, "insert into events_2026 values (1, '2026-05-01')"), { tables: ['public.events'] });
      });

      it('dynamic SQL, views, DDL and DO blocks mean every table', async () => {
        for (const sql of ["select sneaky('big')", "insert into account_names values (9, 'x')", 'create table t (id int)', 'do $$ begin null; end $$']) {
          assert.ok('everything' in (await scope(db, sql)), sql);
        }
      });

      it('counts only the tables asked for', async () => {
        await db.query('insert into big select generate_series(1, 1000)');
        const counts = await db.fingerprint(['public.big', 'public.untouched', 'public.nowhere']);
        assert.deepEqual([...counts].sort(), [
          ['public.big', 1000],
          ['public.untouched', 0],
        ]);
      });
    });
  }
});
