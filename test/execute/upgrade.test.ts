/**
 * Upgrade steps on PostgreSQL 15: a fresh database migrated up to a named migration, data written under that
 * release, the rest applied on top; the fresh database is gone after the spec; a shared target is refused.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import type { Config } from '../../runner/config.ts';
import { openDatabases } from '../../runner/db/open.ts';
import { loadValidSpec, runOne } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases } from '../support/servers.ts';

const SPEC = `name: an upgrade
steps:
  - name: release 1
    upgrade: { db: backend, to: 001_items }
    expect: { applied: [001_items] }
  - name: release 1 writes an item
    db: backend
    sql: insert into items (id, label) values (1, 'one')
  - name: release 2
    upgrade: { db: backend }
    expect: { applied: [002_item_kind] }
  - name: the item has the new column's default
    db: backend
    sql: select label, kind from items
    expect:
      rows: [{ label: one, kind: plain }]
  - name: a migration that does not exist is named
    upgrade: { db: backend, to: 009_nothing }
`;

const databasesLike = async (url: string, pattern: string): Promise<string[]> => {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query('select datname from pg_database where datname like $1', [pattern])).rows.map((r) => String(r.datname));
  } finally {
    await client.end();
  }
};

describe('upgrade steps', function () {
  this.timeout(60_000);
  let dir: string;
  let scratch: ScratchDatabases;
  const config = (disposable: boolean): Config => ({
    root: dir,
    databases: [{ name: 'backend', urlEnv: 'DBSPEC_BACKEND_URL', url: scratch.urls.backend!, migrations: 'db/backend', disposable }],
  });

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'dbspec-upgrade-'));
    await mkdir(join(dir, 'db', 'backend'), { recursive: true });
    await writeFile(join(dir, 'db', 'backend', '001_items.sql'), 'create table items (id int primary key, label text not null);\n');
    await writeFile(join(dir, 'db', 'backend', '002_item_kind.sql'), "alter table items add column kind text not null default 'plain';\n");
    await writeFile(join(dir, 'upgrade.spec.yaml'), SPEC);
    const [local] = await testServers();
    scratch = await scratchDatabases(local!, ['backend'], { migrations: false });
  });
  after(async () => {
    await scratch?.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('migrates a fresh database one release at a time, then drops it; an unknown migration is named', async () => {
    const opened = await openDatabases(config(true), ['backend'], { allowShared: false, migrate: true, connectTimeoutMs: 5000 });
    try {
      const spec = await loadValidSpec('upgrade.spec.yaml', ['backend'], dir);
      const result = await runOne(spec, opened.databases);
      const steps = result.steps.filter((s) => s.phase === 'step');
      assert.deepEqual(
        steps.map((s) => s.status),
        ['passed', 'passed', 'passed', 'passed', 'failed'],
        JSON.stringify(steps.map((s) => s.failure)),
      );
      assert.equal(steps[4]!.failure?.code, 'MIGRATION_FAILED');
      assert.match(steps[4]!.failure!.message, /there is no migration `009_nothing` in db\/backend; there are: 001_items, 002_item_kind/);
      // The item went to the fresh database, not to the configured one.
      const shared = await opened.databases.get('backend')!.query('select count(*) from items');
      assert.equal(String(shared.rows[0]![0]), '0');
      const base = new URL(scratch.urls.backend!).pathname.slice(1);
      assert.deepEqual(await databasesLike(scratch.urls.backend!, `${base}_up_%`), []);
    } finally {
      await opened.close();
    }
  });

  it('refuses a database that is not disposable, even with --allow-shared, and runs none of the steps after it', async () => {
    const opened = await openDatabases(config(false), ['backend'], { allowShared: true, migrate: true, connectTimeoutMs: 5000 });
    try {
      const result = await runOne(await loadValidSpec('upgrade.spec.yaml', ['backend'], dir), opened.databases);
      const steps = result.steps.filter((s) => s.phase === 'step');
      assert.equal(steps[0]!.failure?.code, 'UPGRADE_REFUSED');
      assert.match(steps[0]!.failure!.message, /neither embedded nor marked `disposable: true`/);
      // The steps after it were written for the fresh database: run on the shared one they would leave its rows there.
      assert.deepEqual(
        steps.map((s) => s.status),
        ['errored', 'skipped', 'skipped', 'skipped', 'skipped'],
      );
      const shared = await opened.databases.get('backend')!.query('select count(*) from items');
      assert.equal(String(shared.rows[0]![0]), '0');
    } finally {
      await opened.close();
    }
  });
});
