import assert from 'node:assert/strict';
import pg from 'pg';
import { scratchDatabases, testServers } from '../support/servers.ts';

describe('test support: scratch databases', () => {
  it('creates migrated databases on both servers and drops them', async () => {
    for (const server of await testServers()) {
      const scratch = await scratchDatabases(server, ['auth', 'backend']);
      assert.deepEqual(Object.keys(scratch.env), ['DBSPEC_AUTH_URL', 'DBSPEC_BACKEND_URL']);
      const client = new pg.Client({ connectionString: scratch.urls.auth as string });
      await client.connect();
      const { rows } = await client.query('select current_database() as name');
      await client.end();
      assert.match(rows[0].name, /^dbspec_t_[0-9a-f]{8}_auth$/, server.label);
      await scratch.drop();
    }
  });
});
