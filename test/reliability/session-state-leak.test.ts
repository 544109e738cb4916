/**
 * Session state a step leaves behind never reaches the next step on the pooled connection, also when no
 * statement text shows it: an UPDATE of pg_settings, a view calling set_config, a user function named like
 * a built-in (public.lower(int)). Against PostgreSQL 15 in a scratch database, one pooled connection. Each
 * statement is first offered to the session proof, as the engine does before a spec: none of these may be
 * proven safe (their reset would be skipped), a plain read must be.
 */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import { effectsOfSql } from '../../runner/sql/effects.ts';
import { ensureParser } from '../../runner/sql/split.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const PLAIN = 'select count(*) from pg_class';
const RISKY = {
  settings: "update pg_settings set setting = 'pg_catalog' where name = 'search_path'",
  view: 'select path from sets_path',
  shadow: 'select lower(1)',
};

describe('reliability: session state does not leak between steps', function () {
  this.timeout(30_000);
  let dbs: ScratchDatabases;
  let db: Database;
  let proven: readonly string[] = [];
  const setting = async (name: string): Promise<string> => String((await db.query(`select current_setting('${name}')`)).rows[0]?.[0]);

  before(async function () {
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['leak'], { migrations: false });
    db = await connectDatabase('leak', dbs.urls.leak!, { embedded: false, poolSize: 1, statementTimeoutMs: 30_000 });
    await db.query("create view sets_path as select set_config('search_path', 'pg_catalog', false) as path");
    await db.query("create function public.lower(int) returns text language sql as $$ select set_config('statement_timeout', '0', false) $$");
    await ensureParser();
    const offered = [PLAIN, ...Object.values(RISKY)].map((sql) => ({ sql, effects: effectsOfSql(sql) }));
    proven = await db.proveSessionSafe(offered);
  });
  after(async function () {
    await db?.end();
    await dbs?.drop();
  });

  it('only the plain read is proven unable to change its session', function () {
    assert.deepEqual(proven, [PLAIN]);
  });

  it('an UPDATE of pg_settings is reset', async function () {
    await db.query(RISKY.settings);
    assert.equal(await setting('search_path'), '"$user", public');
  });

  it('a view that calls set_config is reset', async function () {
    assert.deepEqual((await db.query(RISKY.view)).rows, [['pg_catalog']]);
    assert.equal(await setting('search_path'), '"$user", public');
  });

  it('a user function shadowing a built-in (public.lower(int)) is reset', async function () {
    await db.query(RISKY.shadow);
    assert.equal(await setting('statement_timeout'), '30s');
  });
});
