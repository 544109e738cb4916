/**
 * Failures that are not the specs' fault: an output folder that cannot be written (a clear config error,
 * exit 2, after the run) and a bug in dbspec (one line `dbspec: internal error: ...` with a hint, exit 2,
 * no stack trace unless DBSPEC_DEBUG is set, no password).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { cleanEnv, REPO, runCli } from '../run/cli-process.ts';
import { CONFIG, fixtureSpec, tempOut } from './run-fixture.ts';

const reportBug = (env: NodeJS.ProcessEnv) =>
  spawnSync(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `import { reportInternalError } from ${JSON.stringify(join(REPO, 'runner', 'internal-error.ts'))};\nprocess.exitCode = reportInternalError(new Error('pool broke for postgres://app:Hunter2pw@db:5432/auth\\nsecond line'));`,
    ],
    { env, encoding: 'utf8' },
  );

describe("reliability: failures that are not the specs' fault", function () {
  this.timeout(60_000);

  it('an output folder that cannot be written: a clear error after the run, exit 2', async function () {
    const out = await tempOut();
    try {
      await mkdir(join(out, 'results.json'));
      const run = await runCli(['run', fixtureSpec('b-after'), '--config', CONFIG, '--out', out, '--reporter', 'dot']);
      assert.equal(run.code, 2, run.stdout + run.stderr);
      assert.match(run.stderr, /cannot write results and reports to .*: EISDIR.* \[DBSPEC_OUTPUT\]/);
      assert.doesNotMatch(run.stderr, /internal error|\n\s+at /);
    } finally {
      await rm(out, { recursive: true, force: true });
    }
  });

  it('a bug in dbspec: one line and a hint, exit 2, no stack trace, no password', function () {
    const run = reportBug(cleanEnv());
    assert.equal(run.status, 2);
    assert.equal(
      run.stderr,
      'dbspec: internal error: pool broke for postgres://app:***@db:5432/auth\n  this is a bug in dbspec: please report it with the command you ran (DBSPEC_DEBUG=1 prints the stack)\n',
    );
    const debug = reportBug(cleanEnv({ DBSPEC_DEBUG: '1' }));
    assert.match(debug.stderr, /\n\s+at /, 'DBSPEC_DEBUG=1 shows the stack');
    assert.doesNotMatch(debug.stderr, /Hunter2pw/);
  });
});
