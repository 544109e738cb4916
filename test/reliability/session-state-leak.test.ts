/**
 * Session state a step leaves behind never reaches the next step on the pooled connection, also when no
 * statement text shows it: an UPDATE of pg_settings, a view calling set_config, a user function named like
 * a built-in (public.lower(int)). Against PostgreSQL 15 in a scratch database, one pooled connection.
 */
import assert from 'node:assert/strict';
import { connectDatabase } from '../../runner/db/connect.ts';
import type { Database } from '../../runner/db/database.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

describe('reliability: session state does not leak between steps', function () {
  this.timeout(30_000);
  let dbs: ScratchDatabases;
  let db: Database;
  const setting = async (name: string): Promise<string> => String((await db.query(`select current_setting('${name}')`)).rows[0]?.[0]);

  before(async function () {
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['leak'], { migrations: false });
    db = await connectDatabase('leak', dbs.urls.leak!, { embedded: false, poolSize: 1, statementTimeoutMs: 30_000 });
    await db.query("create view sets_path as select set_config('search_path', 'pg_catalog', false) as path");
    await db.query("create function public.lower(int) returns text language sql as $$ select set_config('statement_timeout', '0', false) $$");
  });
  after(async function () {
    await db?.end();
    await dbs?.drop();
  });

  it('an UPDATE of pg_settings is reset', async function () {
    await db.query("update pg_settings set setting = 'pg_catalog' where name = 'search_path'");
    assert.equal(await setting('search_path'), '"$user", public');
  });

  it('a view that calls set_config is reset', async function () {
    assert.deepEqual((await db.query('select path from sets_path')).rows, [['pg_catalog']]);
    assert.equal(await setting('search_path'), '"$user", public');
  });

  it('a user function shadowing a built-in (public.lower(int)) is reset', async function () {
    await db.query('select lower(1)');
    assert.equal(await setting('statement_timeout'), '30s');
  });
});
