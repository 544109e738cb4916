/**
 * A pooled connection skips its reset only after statements proven unable to change the session: from the
 * parse tree and the catalog, following functions, triggers, defaults and policies.
 */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import { sessionChange } from '../../runner/db/session-proof.ts';
import { loadWriteGraph, type WriteGraph } from '../../runner/db/write-graph.ts';
import { effectsOfSql } from '../../runner/sql/effects.ts';
import { ensureParser } from '../../runner/sql/split.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const SCHEMA = [
  "create table items (id serial primary key, name text default upper('X'))",
  'create table audit (what text)',
  'create function audit_it() returns trigger language plpgsql as $$ begin insert into audit values (tg_op); return new; end $$',
  'create trigger items_audit after insert on items for each row execute function audit_it()',
  "create function sets() returns trigger language plpgsql as $$ begin perform set_config('search_path', 'pg_catalog', false); return new; end $$",
  'create table sneaky (id int)',
  'create trigger sneaky_sets before insert on sneaky for each row execute function sets()',
  "create function public.lower(n int) returns int language plpgsql as $$ begin perform set_config('statement_timeout', '0', false); return n; end $$",
  "create function quiet(n int) returns int language sql stable as $$ select set_config('work_mem', '1MB', false)::int + n $$",
  "create view settings_view as select set_config('work_mem', '2MB', false) as s",
  "create function allowed() returns boolean language plpgsql stable as $$ begin perform set_config('x.y', '1', false); return true; end $$",
  'create table guarded (id int)',
  'alter table guarded enable row level security',
  'create policy p on guarded using (allowed())',
];

describe('db: which statements cannot change their session (reset skipped)', () => {
  for (const label of ['pg15 local', 'pg18 embedded']) {
    describe(label, () => {
      let scratch: ScratchDatabases;
      let db: Database;
      let graph: WriteGraph;
      const change = (sql: string): string | undefined => sessionChange(graph, effectsOfSql(sql));
      before(async () => {
        await ensureParser();
        const server = (await testServers()).find((each) => each.label === label);
        assert.ok(server);
        scratch = await scratchDatabases(server, ['p'], { migrations: false });
        db = await connectDatabase('p', scratch.urls.p as string, { embedded: false, poolSize: 2 });
        for (const statement of SCHEMA) await db.query(statement);
        graph = await loadWriteGraph(db.query);
      });
      after(async () => {
        await db?.end();
        await scratch?.drop();
      });

      it('plain reads and writes, also through a trigger that only writes, are proven safe', () => {
        for (const sql of ['select count(*), now(), gen_random_uuid() from items', "insert into items (name) values ('a')", 'delete from audit']) {
          assert.equal(change(sql), undefined, sql);
        }
      });

      it('SET, PREPARE, LISTEN, temp tables, DO and set_config are not', () => {
        for (const sql of [
          "set search_path = 'x'",
          'prepare p as select 1',
          'listen ch',
          'create temp table t (id int)',
          'do $$ begin end $$',
          "select set_config('a.b', '1', false)",
          'select pg_advisory_lock(1)',
        ]) {
          assert.notEqual(change(sql), undefined, sql);
        }
      });

      it('a write to pg_settings, a view, a trigger, a policy or a function named like a built-in that sets state are not', () => {
        assert.match(change("update pg_settings set setting = 'pg_catalog' where name = 'search_path'") ?? '', /pg_settings/);
        assert.match(change('select * from settings_view') ?? '', /view/);
        assert.match(change('insert into sneaky values (1)') ?? '', /set_config/);
        assert.match(change('select * from guarded') ?? '', /set_config/);
        assert.match(change('select lower(1)') ?? '', /set_config/);
        assert.match(change('select quiet(1)') ?? '', /set_config/);
      });
    });
  }
});
