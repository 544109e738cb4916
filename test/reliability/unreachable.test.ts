/**
 * A database that cannot be reached at start: exit 2 within 10 s (after a bounded retry), one clear line
 * naming the database and its address, never its password, no stack trace.
 */
import assert from 'node:assert/strict';
import { rm } from 'node:fs/promises';
import { freePort } from '../../runner/db/free-port.ts';
import { cleanEnv, runCli } from '../run/cli-process.ts';
import { CONFIG, fixtureSpec, tempOut } from './run-fixture.ts';
import { assertWithin } from '../support/timing.ts';

const PASSWORD = 'Sup3r-s3cret-pw';

const cases = async (): Promise<{ name: string; host: string; reason: RegExp }[]> => [
  { name: 'nothing listens on the port', host: `127.0.0.1:${await freePort()}`, reason: /connection refused/ },
  { name: 'the host does not exist', host: 'no-such-host.invalid:5432', reason: /host not found/ },
  { name: 'the network does not answer', host: '10.255.255.1:5432', reason: /no answer|timed out|unreachable|terminated/i },
];

describe('reliability: database unreachable at start', function () {
  this.timeout(60_000);

  it('each way of being unreachable: exit 2 within 10 s, one line naming the database, no password', async function () {
    const all = await cases();
    await Promise.all(
      all.map(async ({ name, host, reason }) => {
        const out = await tempOut();
        try {
          const env = cleanEnv({
            DBSPEC_AUTH_URL: `postgres://dbspec:${PASSWORD}@${host}/auth_db`,
            DBSPEC_BACKEND_URL: `postgres://dbspec:${PASSWORD}@${host}/backend_db`,
          });
          const started = performance.now();
          const run = await runCli(['run', fixtureSpec('b-after'), '--config', CONFIG, '--out', out], env);
          const ms = performance.now() - started;
          const output = run.stdout + run.stderr;
          assert.equal(run.code, 2, `${name}: ${output}`);
          assertWithin(ms, 10_000, name);
          const lines = run.stderr.trim().split('\n');
          assert.equal(lines.length, 1, `${name}: one line, got:\n${run.stderr}`);
          assert.match(lines[0]!, new RegExp(`cannot connect to database \`auth\` at postgres://dbspec:\\*\\*\\*@${host.replaceAll('.', '\\.')}/auth_db: `));
          assert.match(lines[0]!, reason, name);
          assert.doesNotMatch(output, new RegExp(PASSWORD), `${name}: the password was printed`);
        } finally {
          await rm(out, { recursive: true, force: true });
        }
      }),
    );
  });
});
