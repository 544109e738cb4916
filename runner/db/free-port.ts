import { createServer } from 'node:net';

/** A TCP port the OS says is free right now on 127.0.0.1 (never a fixed one: runs and test suites coexist). */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port from the OS'))));
    });
  });
