/**
 * Opening a disposable database for a run vacuums the tables whose dead rows (from earlier runs' inserts
 * and cleanups) are many and outnumber the live ones, so that the leak check's count(*) does not get slower
 * run after run on a server whose autovacuum is off or behind (db/dead-rows.ts). Against the machine's
 * PostgreSQL 15. `last_vacuum` is set by a VACUUM command only, never by autovacuum.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pg from 'pg';
import { REPO } from '../run/cli-process.ts';
import { waitFor } from '../reliability/run-fixture.ts';
import { openScratch } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const MIGRATIONS = join(REPO, 'test', 'run', 'fixtures', 'db');

type TableStats = { readonly dead: number; readonly vacuumed: boolean };

const statsOf = async (client: pg.Client, table: string): Promise<TableStats> => {
  const { rows } = await client.query<{ dead: string; vacuumed: boolean }>(
    'select n_dead_tup as dead, last_vacuum is not null as vacuumed from pg_stat_user_tables where relname = $1',
    [table],
  );
  return { dead: Number(rows[0]?.dead ?? 0), vacuumed: rows[0]?.vacuumed ?? false };
};

describe('db: dead rows are vacuumed before a run', function () {
  let dbs: ScratchDatabases;
  let client: pg.Client;

  before(async function () {
    const [local] = await testServers();
    dbs = await scratchDatabases(local!, ['backend'], { migrationsRoot: MIGRATIONS });
    // As many runs of specs that insert and clean up would leave: 3,000 dead rows in items, 10 in counters.
    const churn = new pg.Client({ connectionString: dbs.urls.backend! });
    await churn.connect();
    await churn.query(`insert into items (account_id, name) select gen_random_uuid(), 'x' from generate_series(1, 3000)`);
    await churn.query('delete from items');
    await churn.query(`insert into counters select 'c' || g, g from generate_series(1, 10) g`);
    await churn.query('delete from counters');
    await churn.end();
    client = new pg.Client({ connectionString: dbs.urls.backend! });
    await client.connect();
    // The statistics reach pg_stat_user_tables shortly after the transactions end.
    await waitFor('the dead rows in the statistics', async () => (await statsOf(client, 'items')).dead >= 3000, 10_000);
  });
  after(async function () {
    await client?.end();
    await dbs?.drop();
  });

  it('vacuums the table with thousands of dead rows, not the one with a few', async function () {
    const opened = await openScratch(dbs.urls, MIGRATIONS);
    await opened.close();
    const items = await statsOf(client, 'items');
    assert.ok(items.vacuumed, 'items was vacuumed');
    assert.ok(items.dead < 3000, `items still counts ${items.dead} dead rows`);
    assert.equal((await statsOf(client, 'counters')).vacuumed, false);
  });
});
