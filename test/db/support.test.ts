import { expect } from 'chai';
import pg from 'pg';
import { scratchDatabases, testServers } from '../support/servers.ts';

describe('test support: scratch databases', () => {
  it('creates migrated databases on both servers and drops them', async () => {
    for (const server of await testServers()) {
      const scratch = await scratchDatabases(server, ['auth', 'backend']);
      expect(Object.keys(scratch.env)).to.deep.equal(['DBSPEC_AUTH_URL', 'DBSPEC_BACKEND_URL']);
      const client = new pg.Client({ connectionString: scratch.urls.auth as string });
      await client.connect();
      const { rows } = await client.query('select current_database() as name');
      await client.end();
      expect(rows[0].name, server.label).to.match(/^dbspec_t_[0-9a-f]{8}_auth$/);
      await scratch.drop();
    }
  });
});
