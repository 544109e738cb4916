/**
 * A block of plain statements (setup, cleanup, a step's several statements) goes to the server in one
 * round trip as one implicit transaction (db/pipeline.ts): counted on the wire, and as atomic as BEGIN ..
 * COMMIT was, with a failure located at the statement that failed.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { REPO } from '../run/cli-process.ts';
import { startWireCounter } from '../bench/wire-count.ts';
import { loadValidSpec, openScratch, runOne } from '../support/run-in-process.ts';
import { scratchDatabases, testServers, type ScratchDatabases, type TestServer } from '../support/servers.ts';
import { adminQuery } from '../reliability/run-fixture.ts';

const FIXTURES = join(REPO, 'test', 'execute', 'fixtures', 'pipeline');
const MIGRATIONS = join(REPO, 'test', 'run', 'fixtures', 'db');

describe('execute: a block of statements in one round trip', () => {
  let dbs: ScratchDatabases;
  let server: TestServer;
  before(async () => {
    [server] = (await testServers()) as [TestServer];
    dbs = await scratchDatabases(server, ['backend'], { migrationsRoot: MIGRATIONS });
  });
  after(async () => {
    await dbs?.drop();
  });

  it('a setup of three inserts and a cleanup of two deletes: one round trip each, no BEGIN or COMMIT', async () => {
    const url = new URL(dbs.urls.backend as string);
    const counter = await startWireCounter({ host: url.hostname, port: Number(url.port) });
    url.port = String(counter.port);
    const open = await openScratch({ backend: url.toString() }, FIXTURES);
    try {
      const spec = await loadValidSpec(join(FIXTURES, 'one-round-trip.spec.yaml'), ['backend'], FIXTURES);
      counter.counts.byKind.clear();
      const result = await runOne(spec, open.databases);
      assert.equal(result.status, 'passed', JSON.stringify(result.steps.map((s) => s.failure)));
    } finally {
      await open.close();
      await counter.close();
    }
    const spec = counter.counts.trips.filter((trip) => trip.some((sql) => / items /.test(sql) && !/pg_/.test(sql)));
    assert.deepEqual(
      spec.map((trip) => trip.map((sql) => sql.split(' ')[0])),
      [['insert', 'insert', 'insert'], ['select'], ['delete', 'delete']],
    );
    assert.equal(counter.counts.byKind.get('transaction control') ?? 0, 0);
  });

  it('the second of three failing leaves nothing of the first, and is the statement named', async () => {
    const open = await openScratch({ backend: dbs.urls.backend as string }, FIXTURES);
    try {
      const spec = await loadValidSpec(join(FIXTURES, 'middle-fails.spec.yaml'), ['backend'], FIXTURES);
      const result = await runOne(spec, open.databases);
      const setup = result.steps.find((s) => s.phase === 'setup');
      assert.equal(setup?.status, 'errored');
      assert.equal(setup?.failure?.error?.code, '23514');
      // The second insert's line (a location is "file:line:col", or { file, line, col }).
      assert.match(JSON.stringify(setup?.failure?.location), /(:8:|"line":8\b)/);
    } finally {
      await open.close();
    }
    const rows = await adminQuery(dbs.urls.backend as string, "select count(*)::int as n from items where name in ('kept?', 'negative', 'never')");
    assert.deepEqual(rows, [{ n: 0 }]);
  });

  it('a server error is located at what the server pointed at, in a block and after a variable', async () => {
    const open = await openScratch({ backend: dbs.urls.backend as string }, FIXTURES);
    try {
      const block = await runOne(await loadValidSpec(join(FIXTURES, 'positioned-error.spec.yaml'), ['backend'], FIXTURES), open.databases);
      const setup = block.steps.find((s) => s.phase === 'setup');
      assert.equal(setup?.failure?.error?.code, '22P02');
      // 'not a number' on the block's third line, column 30.
      assert.match(JSON.stringify(setup?.failure?.location), /:9:30\b/);
      const step = await runOne(await loadValidSpec(join(FIXTURES, 'positioned-step.spec.yaml'), ['backend'], FIXTURES), open.databases);
      const failed = step.steps.find((s) => s.name === 'a cast that fails');
      assert.equal(failed?.failure?.error?.code, '22P02');
      // 'x' stands at column 35 as written (${a} is two characters longer than $1).
      assert.match(JSON.stringify(failed?.failure?.location), /:7:35\b/);
    } finally {
      await open.close();
    }
  });
});
