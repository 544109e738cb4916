/** Mocha root hooks (loaded through .mocharc.json `require`): stop the shared embedded test server. */
import { stopTestServers } from './servers.ts';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopTestServers();
  },
};
